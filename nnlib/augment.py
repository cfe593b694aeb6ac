"""Data augmentation: more training images made from the ones there are
(chapter 12, regularisation and diagnosis).

A digit moved by a pixel is still the same digit, but to a network of
``Dense`` layers, which knows nothing of which pixels are neighbours, it
is a new input. ``move`` moves images by a given offset, ``shift_images``
every image by its own random one; ``train(..., augment=shift_images)``
shifts the training images afresh before every epoch.
"""
import math

import numpy as np

from .validate import whole_number


def shift_images(x, rng, max_shift=1):
    """Every image of ``x`` moved by whole pixels, up to ``max_shift`` in
    each direction, diagonals included: each of the (2 max_shift + 1)²
    moves, "no move" among them, equally likely, drawn from ``rng`` image
    by image; pixels moved in from outside are 0.

    ``x`` is a batch of square images, (N, side, side) or flattened to
    (N, side²) rows; the result is a new array of the same shape.
    """
    images, side = square_images(x)
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a NumPy Generator such as "
                        f"np.random.default_rng(0), got {rng!r}")
    max_shift = whole_number(max_shift, "max_shift",
                             "a whole number of pixels")
    if not 0 <= max_shift < side:
        raise ValueError(f"max_shift must be from 0 to {side - 1} pixels, "
                         f"got {max_shift}")
    span = 2 * max_shift + 1
    moves = rng.integers(span * span, size=len(images))
    out = np.empty_like(images)
    for i in range(span * span):  # all images with one move at once
        down, right = divmod(i, span)
        chosen = np.flatnonzero(moves == i)
        out[chosen] = move(images[chosen], down - max_shift,
                           right - max_shift)
    return out.reshape(np.shape(x))


def move(images, down, right):
    """``images``, shaped (..., rows, columns), moved ``down`` pixels down
    and ``right`` pixels right (up or left when negative): a new array, in
    which pixels moved past an edge are lost and zeros move in."""
    images = np.asarray(images)
    down = whole_number(down, "down", "a whole number of pixels")
    right = whole_number(right, "right", "a whole number of pixels")
    if images.ndim < 2:
        raise ValueError("images must have rows and columns, got shape "
                         f"{images.shape}")
    to_rows, from_rows = window(down, images.shape[-2])
    to_cols, from_cols = window(right, images.shape[-1])
    out = np.zeros_like(images)
    out[..., to_rows, to_cols] = images[..., from_rows, from_cols]
    return out


def window(offset, side):
    """The (destination, source) slices of one axis of length ``side`` for
    a move by ``offset`` pixels (down or right when positive)."""
    offset = max(-side, min(offset, side))  # a longer move leaves nothing
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
            "x must be a batch of square images, (N, side, side) or (N, "
            f"side²) rows such as MNIST's (N, 784), got shape {arr.shape} "
            "(for one image, pass image[None])")
    return arr.reshape(len(arr), side, side), side
