"""Checkers for the exercises of the chapter on training."""

__all__ = []
