"""Checkers for the exercises of the chapter on plan."""

__all__ = []
