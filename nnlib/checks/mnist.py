"""Checkers for the exercises of the chapter on mnist."""

__all__ = []
