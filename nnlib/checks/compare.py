"""Checkers for the exercises of the chapter on compare."""

__all__ = []
