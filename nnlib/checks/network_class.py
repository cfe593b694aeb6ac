"""Checkers for the exercises of the chapter on network_class."""

__all__ = []
