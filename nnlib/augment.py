"""Data augmentation: more training images made from the ones there are
(chapter 12, regularisation and diagnosis).

A digit moved by a pixel is still the same digit, but to a network of
``Dense`` layers, which knows nothing of which pixels are neighbours, it
is a new input. ``shift_images`` moves every image by its own random
offset; ``train(..., augment=shift_images)`` does it before every epoch,
so the network never sees the same input twice.
"""
import math
import numbers

import numpy as np


def shift_images(x, rng, max_shift=1):
    """Every image of ``x`` moved by whole pixels, up to ``max_shift`` in
    each direction (each of the (2 max_shift + 1)² moves equally likely,
    drawn from ``rng`` image by image); pixels moved in from outside are 0.

    ``x`` holds square images, as (N, side, side) or flattened to
    (N, side²) rows; the result is a new array of the same shape.
    """
    images, side = square_images(x)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a NumPy Generator such as "
                        f"np.random.default_rng(0), got {rng!r}")
    if (isinstance(max_shift, bool)
            or not isinstance(max_shift, numbers.Integral)
            or not 0 <= max_shift < side):
        raise ValueError(f"max_shift must be a whole number of pixels from "
                         f"0 to {side - 1}, got {max_shift!r}")
    span = 2 * max_shift + 1
    moves = rng.integers(span * span, size=len(images))
    out = np.zeros_like(images)
    for move in range(span * span):  # all images with one move at once
        down, right = divmod(move, span)
        (to_rows, from_rows) = window(down - max_shift, side)
        (to_cols, from_cols) = window(right - max_shift, side)
        chosen = np.flatnonzero(moves == move)
        out[chosen, to_rows, to_cols] = images[chosen, from_rows, from_cols]
    return out.reshape(np.shape(x))


def window(offset, side):
    """The (destination, source) slices of one axis of length ``side`` for
    a move by ``offset`` pixels (down or right when positive)."""
    if offset >= 0:
        return slice(offset, side), slice(0, side - offset)
    return slice(0, side + offset), slice(-offset, side)


def square_images(x):
    """``x`` as an (N, side, side) array, and side."""
    arr = np.asarray(x)
    if arr.ndim == 3 and arr.shape[1] == arr.shape[2]:
        return arr, arr.shape[1]
    side = math.isqrt(arr.shape[1]) if arr.ndim == 2 else 0
    if side == 0 or side * side != arr.shape[1]:
        raise ValueError(
            "x must hold square images, as (N, side, side) or as (N, "
            f"side²) rows such as MNIST's (N, 784), got shape {arr.shape}")
    return arr.reshape(len(arr), side, side), side
