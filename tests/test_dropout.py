"""Dropout: mask statistics, scaling, identity in prediction, the backward
pass, bad arguments, and saving a network that holds one."""
import numpy as np
import pytest

from nnlib import (SGD, CategoricalCrossEntropy, Dense, Dropout, Network,
                   ReLU, Softmax, check_gradients)
from nnlib.data import one_hot


class FixedMask(Dropout):
    """The same mask at every forward: finite differences need a fixed
    function."""

    def draw_mask(self, shape, dtype):
        if not hasattr(self, "fixed"):
            self.fixed = super().draw_mask(shape, dtype)
        return self.fixed


def test_mask_keeps_the_right_fraction_and_scales_the_kept(rng):
    drop = Dropout(0.3, seed=0)
    x = np.ones((400, 500))
    y = drop.forward(x)
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.005  # 200,000 draws: std 0.001
    np.testing.assert_allclose(y[kept], 1 / 0.7)
    assert abs(y.mean() - 1.0) < 0.01      # the expected output is x


def test_a_new_mask_for_every_batch_and_the_same_masks_for_the_same_seed():
    x = np.ones((20, 30))
    a, b = Dropout(0.5, seed=1), Dropout(0.5, seed=1)
    first, second = a.forward(x), a.forward(x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, b.forward(x))
    np.testing.assert_array_equal(second, b.forward(x))


def test_float32_stays_float32():
    y = Dropout(0.5, seed=0).forward(np.ones((4, 5), dtype=np.float32))
    assert y.dtype == np.float32


def test_backward_uses_the_mask_of_the_forward(rng):
    drop = Dropout(0.4, seed=3)
    x = rng.standard_normal((6, 8))
    y = drop.forward(x)
    g = rng.standard_normal((6, 8))
    dx = drop.backward(g)
    np.testing.assert_array_equal(dx == 0, y == 0)
    np.testing.assert_allclose(dx, g * drop.mask)
    np.testing.assert_allclose(y, x * drop.mask)


def test_gradient_check_with_a_fixed_mask(rng):
    drop = FixedMask(0.5, seed=2)
    x = rng.standard_normal((5, 7))
    assert check_gradients(drop, x) < 1e-8
    assert (drop.fixed == 0).any() and (drop.fixed != 0).any()


def test_identity_when_not_training_and_at_rate_zero(rng):
    x = rng.standard_normal((3, 4))
    drop = Dropout(0.5, seed=0)
    drop.training = False
    assert drop.forward(x) is x
    g = rng.standard_normal((3, 4))
    assert drop.backward(g) is g
    assert Dropout(0.0).forward(x) is x


def dropout_network(seed=0):
    rng = np.random.default_rng(seed)
    return Network([Dense(4, 16, rng=rng), ReLU(), Dropout(0.5, seed=seed),
                    Dense(16, 3, rng=rng), Softmax()],
                   CategoricalCrossEntropy(), SGD(0.1))


def test_predict_and_evaluate_turn_dropout_off_and_back_on(rng):
    net = dropout_network()
    x = rng.standard_normal((50, 4))
    y = one_hot(rng.integers(0, 3, 50), 3)
    first = net.predict(x)
    np.testing.assert_array_equal(first, net.predict(x))  # deterministic
    assert net.layers[2].training is True  # put back after predict
    # by hand: the same as the network without its Dropout layer
    a = x
    for layer in net.layers[:2] + net.layers[3:]:
        a = layer.forward(a)
    np.testing.assert_allclose(first, a)
    assert net.evaluate(x, y)["loss"] == pytest.approx(net.loss(a, y))
    # training draws masks: two forward passes differ
    assert not np.array_equal(net.forward(x), net.forward(x))


def test_fit_trains_with_dropout_and_validates_without(rng):
    net = dropout_network()
    x = rng.standard_normal((60, 4))
    y = one_hot((x[:, 0] > 0).astype(int) + (x[:, 1] > 0), 3)
    history = net.fit(x, y, epochs=3, batch_size=20, seed=0, verbose=0,
                      validation_data=(x, y))
    assert history["val_loss"][-1] == pytest.approx(
        net.evaluate(x, y)["loss"])
    assert net.layers[2].training is True


@pytest.mark.parametrize("rate", [1, 1.0, 1.5, -0.1, float("nan")])
def test_a_rate_outside_zero_to_one_is_a_clear_value_error(rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        Dropout(rate)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(rate="0.5"), TypeError, "rate must be a number"),
    (dict(rate=True), TypeError, "rate must be a number"),
    (dict(rate=0.5, seed=1.5), TypeError, "seed must be None or a whole"),
    (dict(rate=0.5, seed=-1), ValueError, "seed must be >= 0"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        Dropout(**kwargs)


def test_save_and_load_a_network_with_dropout(tmp_path, rng):
    net = dropout_network(seed=4)
    x = rng.standard_normal((30, 4))
    y = one_hot(rng.integers(0, 3, 30), 3)
    net.fit(x, y, epochs=2, batch_size=10, seed=0, verbose=0)
    path = tmp_path / "dropout.npz"
    net.save(path)
    loaded = Network.load(path)
    assert repr(loaded.layers[2]) == "Dropout(rate=0.5, seed=4)"
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    # the loaded layer draws the masks a fresh Dropout(0.5, seed=4) draws
    fresh = Dropout(0.5, seed=4)
    h = rng.standard_normal((5, 16))
    np.testing.assert_array_equal(loaded.layers[2].forward(h),
                                  fresh.forward(h))


def test_a_file_with_a_bad_rate_is_refused(tmp_path):
    net = dropout_network()
    net.layers[2].rate = 2.0  # as if the file had been edited
    path = tmp_path / "bad.npz"
    net.save(path)
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        Network.load(path)
