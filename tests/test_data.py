"""Data sets: MNIST through Keras (the real file), one-hot, XOR and moons."""
import os

import numpy as np
import pytest

from nnlib.data import keras_datasets_folder, load_mnist, moons, one_hot, xor


def test_one_hot():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match=r"0\.\.2, got values from 0 to 3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="whole numbers"):
        one_hot(np.array([0.5]), 3)


def test_xor():
    x, y = xor()
    assert x.shape == (4, 2) and y.shape == (4, 1) and y.ravel().tolist() == [0, 1, 1, 0]


@pytest.mark.usefixtures("sklearn")
def test_moons():
    x, y = moons()
    assert x.shape == (200, 2) and y.shape == (200, 1) and set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(moons()[0], x)
    assert not np.array_equal(moons(seed=1)[0], x)


@pytest.mark.usefixtures("keras")
def test_mnist_is_the_real_data_set():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert y_train.shape == (60000, 10) and x_train.dtype == np.float32
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    np.testing.assert_array_equal(y_train.sum(axis=1), 1)
    assert np.argmax(y_train[:10], axis=1).tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(np.argmax(y_test, axis=1)).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.usefixtures("keras")
def test_mnist_options():
    (x, y), (xt, yt) = load_mnist(flatten=False, one_hot=False, limit_train=100, limit_test=20, dtype=np.float64)
    assert x.shape == (100, 28, 28) and y.shape == (100,) and xt.shape == (20, 28, 28) and x.dtype == np.float64
    with pytest.raises(ValueError, match="limit_train"):
        load_mnist(limit_train=0)


def test_mnist_offline_without_the_file_says_where_to_put_it(tmp_path, monkeypatch, keras):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    # Make any download attempt fail at once, as it does offline.
    monkeypatch.setattr(keras.utils, "get_file", lambda *a, **k: (_ for _ in ()).throw(Exception("URL fetch failure")))
    import keras.src.datasets.mnist as keras_mnist
    monkeypatch.setattr(keras_mnist, "get_file", lambda *a, **k: (_ for _ in ()).throw(Exception("URL fetch failure")))
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    assert os.path.join(str(tmp_path), "datasets") in str(info.value) and "mnist.npz" in str(info.value)
    assert keras_datasets_folder() == os.path.join(str(tmp_path), "datasets")
