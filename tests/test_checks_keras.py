"""The checkers of the chapter "nnlib against Keras" accept the reference
solutions and reject typical mistakes."""

import math

import numpy as np
import pytest

from nnlib import Dense, ReLU, Sigmoid, Softmax, Tanh
from nnlib.checks import check_adam_epsilon, check_keras_model, check_value_ops


def run(checker, answer, capsys):
    result = checker(answer)
    return result, capsys.readouterr().out


# -- tanh and power for the scalar autodiff Value (exercise 11.1) --------------
class Value:
    """The chapter's Value: +, *, exp, log and backward() in topological order."""

    def __init__(self, data, inputs=()):
        self.data, self.grad, self.inputs = float(data), 0.0, inputs
        self._propagate = lambda: None

    def _make(self, data, inputs, rule):
        out = Value(data, inputs)

        def propagate():
            for v, local in zip(inputs, rule(out)):
                v.grad += local * out.grad
        out._propagate = propagate
        return out

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._make(self.data + other.data, (self, other), lambda out: (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return self._make(self.data * other.data, (self, other), lambda out: (other.data, self.data))

    __radd__, __rmul__ = __add__, __mul__

    def exp(self):
        return self._make(math.exp(self.data), (self,), lambda out: (out.data,))

    def log(self):
        return self._make(math.log(self.data), (self,), lambda out: (1 / self.data,))

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for u in v.inputs:
                    visit(u)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._propagate()


def make_op(forward, slope, *, accumulate=True, record=True, chain=True):
    """An operation x -> forward(x) whose rule adds slope(x, out) * out.grad
    to x.grad, or one of the typical slips."""
    def op(x, *args):
        out = Value(forward(x.data, *args), (x,) if record else ())

        def propagate():
            local = slope(x.data, out.data, *args) * (out.grad if chain else 1.0)
            x.grad = x.grad + local if accumulate else local
        out._propagate = propagate
        return out
    return op


tanh_ok = make_op(math.tanh, lambda x, t: 1 - t**2)
power_ok = make_op(lambda x, k: x**k, lambda x, out, k: k * x ** (k - 1))


def test_value_ops_accept_reference(capsys):
    result, out = run(lambda ops: check_value_ops(Value, *ops), (tanh_ok, power_ok), capsys)
    assert result is True
    assert out.startswith("✓ tanh and power: all 12 cases passed")


@pytest.mark.parametrize("tanh, power, words", [
    (make_op(math.tanh, lambda x, t: 1 - t**2, accumulate=False), power_ok,
     ["failed on a fork through tanh", "x is used twice", "+="]),
    (tanh_ok, make_op(lambda x, k: x**k, lambda x, out, k: k * x ** (k - 1), accumulate=False),
     ["failed on a fork through power", "x is used twice", "+="]),
    (make_op(math.tanh, lambda x, t: 1 - x**2), power_ok,
     ["failed on tanh of one number", "not 1 − x²"]),
    (make_op(math.tanh, lambda x, t: 1 - t**2, chain=False), power_ok,
     ["failed on tanh inside a chain", "out.grad"]),
    (make_op(math.tanh, lambda x, t: 1 - t**2, record=False), power_ok,
     ["failed on tanh inside a chain", "never reached x", "(x,)"]),
    (tanh_ok, make_op(lambda x, k: x**k, lambda x, out, k: k * x**k),
     ["failed on a cube", "24 instead of 12", "k·x^(k−1)"]),
    (lambda x: math.tanh(x.data), power_ok,
     ["failed on tanh of one number", "should return a new Value, got float"]),
])
def test_value_ops_reject_mistakes(tanh, power, words, capsys):
    result, out = run(lambda ops: check_value_ops(Value, *ops), (tanh, power), capsys)
    assert result is False
    assert out.startswith("✗ tanh and power: failed on")
    for word in words:
        assert word in out, out


def test_value_ops_try_large_inputs(capsys):
    """A tanh whose rule is right near 0 only is caught."""
    def tanh_sloppy(x):
        return (tanh_ok if abs(x.data) < 2 else make_op(math.tanh, lambda x, t: 1.0))(x)

    result, out = run(lambda ops: check_value_ops(Value, *ops), (tanh_sloppy, power_ok), capsys)
    assert result is False
    assert "tanh of a large number" in out


def test_value_ops_report_stub_and_wrong_arguments(capsys):
    def stub(x, *args):
        raise NotImplementedError("Exercise 11.1: write tanh")

    result, out = run(lambda ops: check_value_ops(Value, *ops), (stub, stub), capsys)
    assert result is False
    assert "not written yet" in out and "Exercise 11.1" in out
    result, out = run(lambda ops: check_value_ops(Value(1.0), *ops), (tanh_ok, power_ok), capsys)
    assert result is False and "pass the class Value itself" in out


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
