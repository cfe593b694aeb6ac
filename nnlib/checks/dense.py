"""Checkers for the exercises of the chapter on dense."""

__all__ = []
