"""Checkers for the exercises of the chapter on base_layer."""

__all__ = []
