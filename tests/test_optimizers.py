"""Optimizers update parameters in place, by the textbook rules."""
import numpy as np
import pytest

from nnlib import SGD, Adam, Dense


def layer_with_gradient(value=1.0):
    layer = Dense(2, 1, rng=0)
    layer.params["W"][...] = 1.0
    layer.grads["W"][...] = value
    layer.grads["b"][...] = value
    return layer


def test_sgd_moves_against_the_gradient_in_place():
    layer = layer_with_gradient()
    w = layer.params["W"]
    SGD(0.1).step([layer])
    assert layer.params["W"] is w
    np.testing.assert_allclose(w, 0.9)
    np.testing.assert_allclose(layer.params["b"], -0.1)


def test_momentum_accumulates_velocity():
    layer = layer_with_gradient()
    opt = SGD(0.1, momentum=0.9)
    opt.step([layer])
    opt.step([layer])
    # v1 = -0.1, v2 = 0.9 * -0.1 - 0.1 = -0.19: W = 1 - 0.1 - 0.19
    np.testing.assert_allclose(layer.params["W"], 0.71)


def test_adam_matches_the_textbook_update():
    rng = np.random.default_rng(0)
    layer = Dense(3, 2, rng=0)
    w = layer.params["W"].copy()
    opt = Adam(0.01)
    m = v = np.zeros_like(w)
    for t in range(1, 4):
        g = rng.standard_normal(w.shape)
        layer.grads["W"][...] = g
        layer.grads["b"][...] = 0
        opt.step([layer])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w = w - 0.01 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(layer.params["W"], w, rtol=1e-10)


def test_first_adam_step_has_the_size_of_the_learning_rate():
    layer = layer_with_gradient(value=123.0)
    Adam(0.01).step([layer])
    np.testing.assert_allclose(layer.params["W"], 0.99)


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(0), "learning_rate"),
    (lambda: SGD(-0.1), "learning_rate"),
    (lambda: SGD(float("nan")), "learning_rate"),
    (lambda: SGD(0.1, momentum=1.0), "momentum"),
    (lambda: Adam(beta1=1.5), "beta1"),
])
def test_bad_settings_are_rejected(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_learning_rate_must_be_a_number():
    with pytest.raises(TypeError, match="learning_rate must be a positive number, got '0.1'"):
        SGD("0.1")


def test_adam_on_float32_stays_float32_in_place_and_close_to_float64():
    rng = np.random.default_rng(1)
    wide = Dense(4, 3, rng=0, dtype=np.float64)
    narrow = Dense(4, 3, rng=0, dtype=np.float32)
    w32 = narrow.params["W"]
    opt64, opt32 = Adam(0.01), Adam(0.01)
    for _ in range(5):
        g = rng.standard_normal((4, 3))
        for layer in (wide, narrow):
            layer.grads["W"][...] = g
            layer.grads["b"][...] = g[0]
        opt64.step([wide])
        opt32.step([narrow])
    assert narrow.params["W"] is w32 and w32.dtype == np.float32
    assert all(s.dtype == np.float32 for s in opt32.state["layer0.W"])
    np.testing.assert_allclose(w32, wide.params["W"], rtol=1e-5, atol=1e-6)


def test_the_optimizer_contract_names_what_is_missing():
    from nnlib import Optimizer

    class Halfway(Optimizer):
        pass

    opt = Halfway(0.1)
    assert repr(opt) == "Halfway(learning_rate=0.1)"
    with pytest.raises(NotImplementedError, match=r"Halfway must define update\(param, grad, key\)"):
        opt.step([layer_with_gradient()])


def test_repr_of_an_optimizer_never_raises():
    from nnlib import Optimizer

    class Broken(Optimizer):
        def config(self):
            raise AttributeError("no config here")

    assert repr(Broken(0.1)) == "Broken(...)"
