"""Losses: values, gradients, the fused softmax/sigmoid paths, and predictions of exactly 0 or 1."""
import warnings

import numpy as np
import pytest

from nnlib import (MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Dense, Network, Sigmoid, Softmax,
                   check_loss_gradient)
from nnlib.activations import softmax
from nnlib.data import one_hot


@pytest.fixture
def batch(rng):
    scores = rng.standard_normal((5, 4))
    return softmax(scores), one_hot(np.array([0, 3, 1, 1, 2]), 4)


def test_values_by_definition(batch):
    p, y = batch
    assert MSE()(p, y) == pytest.approx(np.mean((p - y) ** 2))
    assert CategoricalCrossEntropy()(p, y) == pytest.approx(-np.mean(np.log(p[y == 1])))
    q, t = p[:, :1], y[:, :1]
    assert BinaryCrossEntropy()(q, t) == pytest.approx(-np.mean(t * np.log(q) + (1 - t) * np.log(1 - q)))
    assert isinstance(MSE()(p, y), float)


@pytest.mark.parametrize("loss", [MSE(), CategoricalCrossEntropy()])
def test_gradients_match_finite_differences(loss, batch):
    assert check_loss_gradient(loss, *batch) < 1e-6


def test_binary_cross_entropy_gradient(rng):
    p = rng.uniform(0.05, 0.95, size=(6, 1))
    y = (rng.uniform(size=(6, 1)) > 0.5).astype(float)
    assert check_loss_gradient(BinaryCrossEntropy(), p, y) < 1e-6


def test_a_wrong_loss_gradient_is_caught(batch):
    class HalfMSE(MSE):
        def grad(self, y_pred, y_true):
            return (y_pred - y_true) / y_pred.size

    assert check_loss_gradient(HalfMSE(), *batch) > 0.1


@pytest.mark.parametrize("loss", [BinaryCrossEntropy(), CategoricalCrossEntropy()])
def test_predictions_of_exactly_zero_and_one_are_finite(loss):
    p = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(loss(p, y))
        assert np.isfinite(loss.gradient(p, y)).all()
    assert loss(p, y) > 1.0  # a confident wrong answer costs a lot


@pytest.mark.parametrize("activation, loss, width",
                         [(Softmax, CategoricalCrossEntropy, 4), (Sigmoid, BinaryCrossEntropy, 1)])
def test_fused_gradient_equals_the_chained_one(activation, loss, width, rng):
    scores = rng.standard_normal((6, width))
    layer, loss = activation(), loss()
    p = layer.forward(scores)
    y = one_hot(np.array([0, 3, 2, 1, 1, 0]), 4) if width == 4 else (rng.uniform(size=(6, 1)) > 0.5).astype(float)
    chained = layer.backward(loss.gradient(p, y))
    np.testing.assert_allclose(loss.fused_gradient(p, y), chained, rtol=1e-10, atol=1e-14)


def test_network_backward_uses_the_fused_gradient_and_it_is_right(rng):
    x = rng.standard_normal((8, 3))
    y = one_hot(rng.integers(0, 4, 8), 4)
    net = Network([Dense(3, 4, rng=0), Softmax()], CategoricalCrossEntropy())
    net.backward(net.forward(x), y)
    fused = net.layers[0].grads["W"].copy()
    dense, soft, cce = Dense(3, 4, rng=0), Softmax(), CategoricalCrossEntropy()
    dense.backward(soft.backward(cce.gradient(soft.forward(dense.forward(x)), y)))
    np.testing.assert_allclose(fused, dense.grads["W"], rtol=1e-10)


def test_fused_gradient_stays_exact_where_the_chained_one_breaks():
    scores = np.array([[0.0, 200.0]])  # the right class gets probability e^-200, which clips
    y = np.array([[1.0, 0.0]])
    layer, loss = Softmax(), CategoricalCrossEntropy()
    p = layer.forward(scores)
    np.testing.assert_allclose(loss.fused_gradient(p, y), [[-1.0, 1.0]])
    assert abs(layer.backward(loss.gradient(p, y))[0, 0]) < 1e-3


def test_mismatched_shapes_are_named():
    with pytest.raises(ValueError, match=r"same shape, got \(2, 3\) and \(2, 2\)"):
        MSE()(np.zeros((2, 3)), np.zeros((2, 2)))


def test_the_loss_contract_names_what_is_missing():
    from nnlib import Loss

    class Halfway(Loss):
        pass

    y = np.ones((2, 1))
    with pytest.raises(NotImplementedError, match=r"Halfway must define value\(y_pred, y_true\)"):
        Halfway()(y, y)
    with pytest.raises(NotImplementedError, match=r"Halfway must define grad\(y_pred, y_true\)"):
        Halfway().gradient(y, y)
    assert repr(Halfway()) == "Halfway()"
