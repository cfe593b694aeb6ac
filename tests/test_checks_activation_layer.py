"""The activation chapter's checkers accept the reference solutions and reject typical mistakes."""
import numpy as np
import pytest

from nnlib import Activation, Layer
from nnlib.checks import (check_cached_tanh, check_leaky_relu, check_sigmoid_prime, check_softmax,
                          check_softmax_backward)


def verdict_of(checker, answer, capsys):
    ok = checker(answer)
    return ok, capsys.readouterr().out


# ---------------------------------------------------------------- sigmoid_prime
def sigmoid_prime_ok(x):
    s = np.exp(-np.logaddexp(0.0, -x))
    return s * (1.0 - s)


def sigmoid_prime_plus(x):
    s = np.exp(-np.logaddexp(0.0, -x))
    return s * (1.0 + s)


def sigmoid_prime_naive(x):
    s = 1.0 / (1.0 + np.exp(-x))
    return s * (1.0 - s)


def sigmoid_prime_quotient(x):
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2


def sigmoid_prime_flat(x):
    s = np.exp(-np.logaddexp(0.0, -np.ravel(x)))
    return s * (1.0 - s)


def test_sigmoid_prime_accepts_reference(capsys):
    ok, out = verdict_of(check_sigmoid_prime, sigmoid_prime_ok, capsys)
    assert ok is True
    assert out.startswith("✓")


@pytest.mark.parametrize("wrong, case", [
    (sigmoid_prime_plus, "x = 0"),
    (sigmoid_prime_naive, "extreme inputs ±1000"),
    (sigmoid_prime_quotient, "extreme inputs ±1000"),
    (sigmoid_prime_flat, "(3, 4) batch"),
])
def test_sigmoid_prime_rejects_wrong_answers(wrong, case, capsys):
    ok, out = verdict_of(check_sigmoid_prime, wrong, capsys)
    assert ok is False
    assert out.startswith("✗") and case in out


def test_sigmoid_prime_naive_names_the_warning(capsys):
    check_sigmoid_prime(sigmoid_prime_naive)
    out = capsys.readouterr().out
    assert "overflow" in out and "numerically stable" in out


def test_sigmoid_prime_stub_is_not_written(capsys):
    def stub(x):
        raise NotImplementedError("Exercise 4.1: replace this line")
    ok, out = verdict_of(check_sigmoid_prime, stub, capsys)
    assert ok is False and "not written yet" in out


# ---------------------------------------------------------------- LeakyReLU
class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        self.alpha = alpha
        super().__init__(lambda x: np.where(x > 0, x, self.alpha * x),
                         lambda x: np.where(x > 0, 1.0, self.alpha))


class LeakyReLUFromLayer(Layer):
    def __init__(self, alpha=0.01):
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, self.alpha * x)

    def backward(self, grad_output):
        return grad_output * np.where(self.x > 0, 1.0, self.alpha)


class LeakyReLUIgnoresAlpha(LeakyReLUFromLayer):
    def __init__(self, alpha=0.01):
        super().__init__(0.01)


class LeakyReLUForgetsGrad(LeakyReLUFromLayer):
    def backward(self, grad_output):
        return np.where(self.x > 0, 1.0, self.alpha)


class LeakyReLUWithReLUBackward(LeakyReLUFromLayer):
    def backward(self, grad_output):
        return grad_output * (self.x > 0)


class LeakyReLUWithMax(LeakyReLUFromLayer):
    def forward(self, x):
        self.x = x
        return np.maximum(x, self.alpha)


class LeakyReLUNoAlphaArgument(Layer):
    def forward(self, x):
        self.x = x
        return np.where(x > 0, x, 0.01 * x)

    def backward(self, grad_output):
        return grad_output * np.where(self.x > 0, 1.0, 0.01)


class NotALayer:
    def __init__(self, alpha=0.01):
        self.alpha = alpha


@pytest.mark.parametrize("right", [LeakyReLU, LeakyReLUFromLayer])
def test_leaky_relu_accepts_reference(right, capsys):
    ok, out = verdict_of(check_leaky_relu, right, capsys)
    assert ok is True
    assert out.startswith("✓")


@pytest.mark.parametrize("wrong, case", [
    (LeakyReLUIgnoresAlpha, "alpha = 0.2"),
    (LeakyReLUForgetsGrad, "backward with the default alpha"),
    (LeakyReLUWithReLUBackward, "backward with the default alpha"),
    (LeakyReLUWithMax, "forward with the default alpha"),
    (LeakyReLUNoAlphaArgument, "construction"),
    (NotALayer, "construction"),
])
def test_leaky_relu_rejects_wrong_answers(wrong, case, capsys):
    ok, out = verdict_of(check_leaky_relu, wrong, capsys)
    assert ok is False
    assert out.startswith("✗") and case in out


def test_leaky_relu_wants_the_class(capsys):
    ok, out = verdict_of(check_leaky_relu, LeakyReLU(), capsys)
    assert ok is False and "the class itself" in out


# ---------------------------------------------------------------- softmax
def softmax_ok(x):
    e = np.exp(x - np.max(x, axis=1, keepdims=True))
    return e / np.sum(e, axis=1, keepdims=True)


def softmax_naive(x):
    e = np.exp(x)
    return e / np.sum(e, axis=1, keepdims=True)


def softmax_wrong_axis(x):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def softmax_global_max(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=1, keepdims=True)


def softmax_in_place(x):
    x -= np.max(x, axis=1, keepdims=True)
    e = np.exp(x)
    return e / np.sum(e, axis=1, keepdims=True)


def test_softmax_accepts_reference(capsys):
    ok, out = verdict_of(check_softmax, softmax_ok, capsys)
    assert ok is True
    assert out.startswith("✓")


@pytest.mark.parametrize("wrong, case", [
    (softmax_naive, "large inputs ±1000"),
    (softmax_wrong_axis, "each row of a (4, 5) batch sums to 1"),
    (softmax_global_max, "large inputs ±1000"),
    (softmax_in_place, "the input array left unchanged"),
])
def test_softmax_rejects_wrong_answers(wrong, case, capsys):
    ok, out = verdict_of(check_softmax, wrong, capsys)
    assert ok is False
    assert out.startswith("✗") and case in out


def test_softmax_wrong_axis_hints_at_axis(capsys):
    check_softmax(softmax_wrong_axis)
    assert "axis=1" in capsys.readouterr().out


# ---------------------------------------------------------------- softmax backward
def softmax_backward_ok(s, grad_output):
    return s * (grad_output - np.sum(grad_output * s, axis=1, keepdims=True))


def softmax_backward_diagonal(s, grad_output):
    return grad_output * s * (1.0 - s)


def softmax_backward_no_keepdims(s, grad_output):
    return s * (grad_output - np.sum(grad_output * s, axis=1))


def softmax_backward_wrong_axis(s, grad_output):
    return s * (grad_output - np.sum(grad_output * s, axis=0, keepdims=True))


def test_softmax_backward_accepts_reference(capsys):
    ok, out = verdict_of(check_softmax_backward, softmax_backward_ok, capsys)
    assert ok is True
    assert out.startswith("✓")


@pytest.mark.parametrize("wrong, case", [
    (softmax_backward_diagonal, "one row, s = softmax([[0, 0]])"),
    (softmax_backward_no_keepdims, "a (5, 3) batch"),
    (softmax_backward_wrong_axis, "one row, s = softmax([[0, 0]])"),
])
def test_softmax_backward_rejects_wrong_answers(wrong, case, capsys):
    ok, out = verdict_of(check_softmax_backward, wrong, capsys)
    assert ok is False
    assert out.startswith("✗") and case in out


# -- exercise 4.5: find the bug in an in-place tanh ------------------------------------------------
class CachedTanh(Layer):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1 - self.y ** 2)


class InPlaceTanh(Layer):  # the bug the exercise hands out
    def forward(self, x):
        self.x = x
        return np.tanh(x, out=x)

    def backward(self, grad_output):
        return grad_output * (1 - np.tanh(self.x) ** 2)


class InputKeepingTanh(Layer):  # right values, but leans on the caller's array
    def forward(self, x):
        self.x = x
        return np.tanh(x)

    def backward(self, grad_output):
        return grad_output * (1 - np.tanh(self.x) ** 2)


class WrongDerivativeTanh(CachedTanh):
    def backward(self, grad_output):
        return grad_output * (1 - self.y)


def test_cached_tanh_accepts_the_solution(capsys):
    ok, out = verdict_of(check_cached_tanh, CachedTanh, capsys)
    assert ok is True and out == "✓ CachedTanh: all 4 cases passed.\n"


@pytest.mark.parametrize("wrong, says", [
    (InPlaceTanh, "forward changed the array it was given"),
    (InputKeepingTanh, "backward read the caller's array"),
    (WrongDerivativeTanh, "backward with grad_output"),
])
def test_cached_tanh_rejects_the_bug_and_half_fixes(wrong, says, capsys):
    ok, out = verdict_of(check_cached_tanh, wrong, capsys)
    assert ok is False and out.startswith("✗") and says in out


def test_cached_tanh_wants_the_class(capsys):
    ok, out = verdict_of(check_cached_tanh, CachedTanh(), capsys)
    assert ok is False and "pass the class itself" in out


# -- nnlib's own answer, wrapped, does not pass ----------------------------------
def wrapped_sigmoid_prime(x):
    from nnlib.activations import sigmoid_prime
    return sigmoid_prime(x)


def wrapped_softmax(x):
    from nnlib import Softmax
    return Softmax().forward(x)


def wrapped_softmax_backward(s, g):
    from nnlib import Softmax
    layer = Softmax()
    layer.s = s
    return layer.backward(g)


class InheritedTanh(__import__("nnlib").Tanh):
    pass


@pytest.mark.parametrize("checker, wrapped, name", [
    (check_sigmoid_prime, wrapped_sigmoid_prime, "sigmoid_prime"),
    (check_softmax, wrapped_softmax, "Softmax.forward"),
    (check_softmax_backward, wrapped_softmax_backward, "Softmax.backward"),
    (check_cached_tanh, InheritedTanh, "Tanh.forward"),
])
def test_a_wrap_of_nnlibs_own_answer_fails(checker, wrapped, name, capsys):
    assert checker(wrapped) is False
    out = capsys.readouterr().out
    assert f"calls nnlib's own {name}" in out and "write it yourself" in out


def test_softmax_without_keepdims_gets_an_axis_hint(capsys):
    def no_keepdims(x):
        e = np.exp(x - x.max(axis=1))
        return e / e.sum(axis=1)
    assert check_softmax(no_keepdims) is False
    out = capsys.readouterr().out
    assert "could not be broadcast" in out and "with keepdims=True it keeps the shape (4, 1)" in out
