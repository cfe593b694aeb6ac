"""Argument checks behind every public entry point (no chapter dwells on
them; the network of chapters 6 and 9 relies on them).

Each helper raises ``TypeError`` or ``ValueError`` whose message names what
was expected and what arrived, so a learner sees at once what to fix.
"""
import numbers

import numpy as np


def whole_number(value, name, expected="a whole number"):
    """Return ``value`` as an int; a TypeError names ``expected``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {expected}, "
                        f"got {value!r} ({type(value).__name__})")
    return int(value)


def positive_int(value, name):
    """Return ``value`` as an int, insisting on a whole number ≥ 1."""
    value = whole_number(value, name, "a positive whole number")
    if value < 1:
        raise ValueError(
            f"{name} must be a positive whole number, got {value}")
    return value


def real(value, name, expected):
    """Return ``value`` as a float; a TypeError names ``expected``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, "
                        f"got {value!r} ({type(value).__name__})")
    return float(value)


def positive_float(value, name):
    """Return ``value`` as a float, insisting that it is finite and > 0."""
    value = real(value, name, "a positive number")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(
            f"{name} must be a positive finite number, got {value}")
    return value


def fraction(value, name):
    """Return ``value`` as a float in [0, 1)."""
    value = real(value, name, "a number in [0, 1)")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1), got {value}")
    return value


def finite_matrix(x, name, *, columns=None, dtype=None):
    """Return ``x`` as a 2-D floating array of finite numbers.

    ``columns``, when given, is the number of features each row must have.
    """
    if not isinstance(x, (np.ndarray, list, tuple, numbers.Number)):
        raise TypeError(f"{name} must be a NumPy array of shape "
                        f"(batch, features), got {type(x).__name__}")
    arr = np.asarray(x)
    numeric = np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    if arr.dtype == object or not numeric:
        raise TypeError(
            f"{name} must hold numbers, got an array of dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D with shape (batch, features), "
            f"got shape {arr.shape}; reshape a single sample with "
            "x.reshape(1, -1) or a batch of images with "
            "x.reshape(len(x), -1)"
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{name} must hold at least one row, got shape {arr.shape}")
    if columns is not None and arr.shape[1] != columns:
        raise ValueError(f"{name} must have {columns} features per row, "
                         f"got shape {arr.shape}")
    if dtype is None:
        floating = np.issubdtype(arr.dtype, np.floating)
        dtype = arr.dtype if floating else np.float64
    arr = arr.astype(dtype, copy=False)
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        index = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} must be finite, got {arr[index]} at index {index}")
    return arr


def same_shape(a, b, a_name, b_name):
    """Insist that two arrays have one shape (a prediction, its target)."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{a_name} and {b_name} must have the same shape, "
                         f"got {np.shape(a)} and {np.shape(b)}")
