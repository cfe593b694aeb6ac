"""Checkers for the exercises of the chapter on xor."""

__all__ = []
