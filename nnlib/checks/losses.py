"""Checkers for the exercises of the chapter on losses."""

__all__ = []
