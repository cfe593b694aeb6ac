"""Checkers for the exercises of the chapter on moons."""

__all__ = []
