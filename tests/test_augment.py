"""Shifted images (``shift_images``) and ``train(..., augment=)``."""
import numpy as np
import pytest

from nnlib import SGD, CategoricalCrossEntropy, Dense, Network, Softmax
from nnlib import move, shift_images, train
from nnlib.data import one_hot


def moved_by_hand(image, down, right):
    """``image`` moved by (down, right), written out pixel by pixel."""
    rows, cols = image.shape
    out = np.zeros_like(image)
    for r in range(rows):
        for c in range(cols):
            if 0 <= r - down < rows and 0 <= c - right < cols:
                out[r, c] = image[r - down, c - right]
    return out


def moves_made(before, after, max_shift):
    """For each image, the one move that turns it into its shifted copy."""
    found = []
    for image, shifted in zip(before, after):
        matches = [(d, r) for d in range(-max_shift, max_shift + 1)
                   for r in range(-max_shift, max_shift + 1)
                   if np.array_equal(moved_by_hand(image, d, r), shifted)]
        assert len(matches) == 1, matches
        found.append(matches[0])
    return found


@pytest.mark.parametrize("max_shift", [1, 2])
def test_each_image_is_moved_by_one_of_the_allowed_moves(rng, max_shift):
    images = rng.random((300, 6, 6)) + 1  # no zeros: every move differs
    shifted = shift_images(images, np.random.default_rng(0), max_shift)
    found = moves_made(images, shifted, max_shift)
    counts = np.unique(found, axis=0, return_counts=True)[1]
    span = 2 * max_shift + 1
    assert len(counts) == span * span  # every move happens
    expected = len(images) / span ** 2
    assert counts.max() < 2.5 * expected  # and none is strongly favoured


def test_rows_and_images_give_the_same_shifts(rng):
    images = rng.random((50, 28, 28)).astype(np.float32)
    rows = shift_images(images.reshape(50, 784), np.random.default_rng(3))
    square = shift_images(images, np.random.default_rng(3))
    assert rows.shape == (50, 784) and rows.dtype == np.float32
    np.testing.assert_array_equal(rows.reshape(50, 28, 28), square)


def test_no_shift_is_a_copy_and_the_input_is_kept(rng):
    images = rng.random((10, 16))
    before = images.copy()
    same = shift_images(images, np.random.default_rng(0), max_shift=0)
    np.testing.assert_array_equal(same, before)
    assert same is not images
    shift_images(images, np.random.default_rng(0), max_shift=2)
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize("x, rng, max_shift, error, message", [
    (np.zeros((4, 780)), np.random.default_rng(0), 1, ValueError,
     r"square images.*\(4, 780\)"),
    (np.zeros((4, 3, 5)), np.random.default_rng(0), 1, ValueError,
     "square images"),
    (np.zeros(784), np.random.default_rng(0), 1, ValueError,
     "square images"),
    (np.zeros((28, 28)), np.random.default_rng(0), 1, ValueError,
     r"image\[None\]"),
    (np.zeros((4, 784)), 0, 1, TypeError, "Generator"),
    (np.zeros((4, 784)), np.random.default_rng(0), -1, ValueError,
     "max_shift must be from 0 to 27 pixels, got -1"),
    (np.zeros((4, 784)), np.random.default_rng(0), 28, ValueError,
     "max_shift"),
    (np.zeros((4, 784)), np.random.default_rng(0), 1.5, TypeError,
     "max_shift must be a whole number"),
    (np.zeros((4, 784)), np.random.default_rng(0), True, TypeError,
     "max_shift"),
])
def test_bad_arguments_are_named(x, rng, max_shift, error, message):
    with pytest.raises(error, match=message):
        shift_images(x, rng, max_shift)


def tiny_problem(rng):
    x = rng.random((64, 16))
    y = one_hot(rng.integers(0, 3, 64), 3)
    net = Network([Dense(16, 3, rng=np.random.default_rng(1)), Softmax()],
                  CategoricalCrossEntropy(), SGD(0.1))
    return x, y, net


def test_augmenting_changes_the_images_not_the_batches():
    """An augmentation that changes nothing leaves training exactly as
    without one: it draws from a generator of its own."""
    x, y, plain = tiny_problem(np.random.default_rng(0))
    _, _, copied = tiny_problem(np.random.default_rng(0))  # the same twice
    seen = []

    def copy(images, generator):
        seen.append(generator)
        return images.copy()

    h_plain = train(plain, x, y, epochs=3, batch_size=10, seed=4)
    h_copied = train(copied, x, y, epochs=3, batch_size=10, seed=4,
                     augment=copy)
    assert h_copied == h_plain and len(seen) == 3
    assert seen[0] is seen[1] is seen[2]  # one stream over the epochs
    np.testing.assert_array_equal(copied.predict(x), plain.predict(x))


def test_shifted_epochs_differ(rng):
    x = rng.random((64, 16))
    _, y, net = tiny_problem(rng)
    inputs = []

    def shifts(images, generator):
        inputs.append(shift_images(images, generator))
        return inputs[-1]

    train(net, x, y, epochs=2, batch_size=10, seed=0, augment=shifts)
    assert not np.array_equal(inputs[0], inputs[1])


def test_a_bad_augmentation_is_named(rng):
    x, y, net = tiny_problem(rng)
    with pytest.raises(TypeError, match="augment must be a function"):
        train(net, x, y, epochs=1, batch_size=10, augment="shift")
    with pytest.raises(ValueError, match=r"augment\(x, rng\) and x"):
        train(net, x, y, epochs=1, batch_size=10,
              augment=lambda images, generator: images[:-1])


def test_move_moves_the_last_two_axes_and_leaves_the_input(rng):
    images = rng.random((2, 3, 5, 5)) + 1
    before = images.copy()
    moved = move(images, -2, 1)
    for image, got in zip(images.reshape(-1, 5, 5), moved.reshape(-1, 5, 5)):
        np.testing.assert_array_equal(got, moved_by_hand(image, -2, 1))
    np.testing.assert_array_equal(images, before)
    assert moved.dtype == images.dtype


def test_a_move_past_the_edge_leaves_zeros(rng):
    image = rng.random((4, 6)) + 1
    assert not move(image, 4, 0).any() and not move(image, 0, -7).any()
    np.testing.assert_array_equal(move(image, 3, 5),
                                  moved_by_hand(image, 3, 5))


@pytest.mark.parametrize("images, down, right, error, message", [
    (np.zeros((3, 3)), 1.0, 0, TypeError, "down must be a whole number"),
    (np.zeros((3, 3)), 0, True, TypeError, "right must be a whole number"),
    (np.zeros(9), 1, 0, ValueError, r"rows and columns, got shape \(9,\)"),
])
def test_bad_moves_are_named(images, down, right, error, message):
    with pytest.raises(error, match=message):
        move(images, down, right)
