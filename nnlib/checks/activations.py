"""Checkers for the exercises of the chapter on activations."""

__all__ = []
