"""The checkers of the chapter "nnlib against Keras" accept the reference
solutions and reject typical mistakes."""

import numpy as np
import pytest

from nnlib import Dense, ReLU, Sigmoid, Softmax, Tanh
from nnlib.checks import check_adam_epsilon, check_keras_model, check_keras_weights


def run(checker, answer, capsys):
    result = checker(answer)
    return result, capsys.readouterr().out


# -- keras_weights ---------------------------------------------------------------
def weights_ok(net):
    return [p for layer in net.layers if isinstance(layer, Dense) for p in (layer.params["W"], layer.params["b"])]


def weights_transposed(net):
    return [p for layer in net.layers if isinstance(layer, Dense) for p in (layer.params["W"].T, layer.params["b"])]


def weights_kernels_only(net):
    return [layer.params["W"] for layer in net.layers if isinstance(layer, Dense)]


def weights_every_layer(net):
    return [p for layer in net.layers for p in (layer.params.get("W"), layer.params.get("b"))]


def weights_stub(net):
    raise NotImplementedError("Exercise 11.1: replace this line with your keras_weights")


def test_weights_accepts_reference(capsys):
    result, out = run(check_keras_weights, weights_ok, capsys)
    assert result is True
    assert out.startswith("✓ keras_weights: all 4 cases passed")


@pytest.mark.parametrize("wrong, words", [
    (weights_transposed, ["failed on Dense(3, 2) alone", "shape (3, 2), got (2, 3)", "transposed?"]),
    (weights_kernels_only, ["failed on Dense(3, 2) alone", "expects 2 arrays", "got 1"]),
    (weights_every_layer, ["failed on Dense(4, 5) → Tanh", "expects 4 arrays", "got 8"]),
])
def test_weights_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_keras_weights, wrong, capsys)
    assert result is False
    assert out.startswith("✗ keras_weights: failed on")
    for word in words:
        assert word in out


def test_weights_reports_stub(capsys):
    result, out = run(check_keras_weights, weights_stub, capsys)
    assert result is False
    assert "not written yet" in out and "Exercise 11.1" in out


# -- keras_model -----------------------------------------------------------------


def make_model_builder(activations=True, copy=True):
    def keras_model(net):
        import keras

        names = {ReLU: "relu", Tanh: "tanh", Sigmoid: "sigmoid", Softmax: "softmax"}
        layers = [keras.Input(shape=(net.n_in,))]
        weights = []
        for layer in net.layers:
            if isinstance(layer, Dense):
                layers.append(keras.layers.Dense(layer.n_out))
                weights += [layer.params["W"], layer.params["b"]]
            elif activations:
                layers.append(keras.layers.Activation(names[type(layer)]))
        model = keras.Sequential(layers)
        if copy:
            model.set_weights(weights)
        return model
    return keras_model


def model_not_a_model(net):
    return net


@pytest.mark.usefixtures("keras")
def test_model_accepts_reference(capsys):
    result, out = run(check_keras_model, make_model_builder(), capsys)
    assert result is True
    assert out.startswith("✓ keras_model: all 4 cases passed")


@pytest.mark.parametrize("wrong, words", [
    (make_model_builder(activations=False), ["failed on Dense(4, 5) → Tanh", "are the activations"]),
    (make_model_builder(copy=False), ["failed on Dense(3, 2) alone", "largest difference"]),
    (model_not_a_model, ["failed on Dense(3, 2) alone", "should return a Keras model", "Network"]),
])
@pytest.mark.usefixtures("keras")
def test_model_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_keras_model, wrong, capsys)
    assert result is False
    assert out.startswith("✗ keras_model: failed on")
    for word in words:
        assert word in out


# -- keras_epsilon ---------------------------------------------------------------
def epsilon_ok(eps, t, beta2):
    return eps * np.sqrt(1 - beta2 ** t)


def epsilon_same(eps, t, beta2):
    return eps


def epsilon_inverted(eps, t, beta2):
    return eps / np.sqrt(1 - beta2 ** t)


def epsilon_no_root(eps, t, beta2):
    return eps * (1 - beta2 ** t)


def test_epsilon_accepts_reference(capsys):
    result, out = run(check_adam_epsilon, epsilon_ok, capsys)
    assert result is True
    assert out.startswith("✓ keras_epsilon: all 5 cases passed")


@pytest.mark.parametrize("wrong, words", [
    (epsilon_same, ["failed on the first step, t = 1", "expected 3.16"]),
    (epsilon_inverted, ["failed on the first step, t = 1", "got 3.16"]),
    (epsilon_no_root, ["failed on the first step, t = 1", "got 1e-11"]),
])
def test_epsilon_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_adam_epsilon, wrong, capsys)
    assert result is False
    assert out.startswith("✗ keras_epsilon: failed on")
    for word in words:
        assert word in out
