"""The loss-chapter checkers accept the reference solutions and reject typical mistakes."""
import numpy as np
import pytest

from nnlib.activations import softmax
from nnlib.checks import check_backprop, check_binary_cross_entropy, check_mse, check_softmax_ce_gradient


# -- exercise 5.1: mse and mse_gradient -------------------------------------
def mse(y_pred, y_true):
    return np.mean((y_pred - y_true) ** 2)


def mse_gradient(y_pred, y_true):
    return 2 * (y_pred - y_true) / y_pred.size


def test_check_mse_accepts_the_solution(capsys):
    assert check_mse(mse, mse_gradient) is True
    assert "✓" in capsys.readouterr().out


def test_check_mse_rejects_mean_over_rows_only(capsys):
    def mse_rows(y_pred, y_true):
        return np.sum((y_pred - y_true) ** 2) / len(y_pred)

    assert check_mse(mse_rows, mse_gradient) is False
    out = capsys.readouterr().out
    assert "✗" in out and "the value for a (2, 3) batch" in out


def test_check_mse_rejects_a_missing_factor_two(capsys):
    def gradient_no_two(y_pred, y_true):
        return (y_pred - y_true) / y_pred.size

    assert check_mse(mse, gradient_no_two) is False
    assert "the gradient for a single prediction" in capsys.readouterr().out


def test_check_mse_rejects_a_gradient_divided_by_rows(capsys):
    def gradient_rows(y_pred, y_true):
        return 2 * (y_pred - y_true) / len(y_pred)

    assert check_mse(mse, gradient_rows) is False
    assert "the gradient for a (2, 3) batch" in capsys.readouterr().out


def test_check_mse_rejects_a_value_per_column(capsys):
    def mse_per_column(y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2, axis=0)

    assert check_mse(mse_per_column, mse_gradient) is False
    assert "should have shape ()" in capsys.readouterr().out


def test_check_mse_reports_an_unwritten_stub(capsys):
    def stub(y_pred, y_true):
        raise NotImplementedError("Exercise 5.1: replace this line")

    assert check_mse(stub, stub) is False
    assert "not written yet" in capsys.readouterr().out


# -- exercise 5.2: binary cross-entropy ---------------------------------------
def binary_cross_entropy(y_pred, y_true, eps=1e-7):
    p = np.clip(y_pred, eps, 1 - eps)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def test_check_bce_accepts_the_solution(capsys):
    assert check_binary_cross_entropy(binary_cross_entropy) is True
    assert "✓" in capsys.readouterr().out


def test_check_bce_accepts_adding_epsilon_inside_the_log(capsys):
    def bce_shifted(y_pred, y_true, eps=1e-7):
        return -np.mean(y_true * np.log(y_pred + eps) + (1 - y_true) * np.log(1 - y_pred + eps))

    assert check_binary_cross_entropy(bce_shifted) is True
    capsys.readouterr()


def test_check_bce_rejects_the_naive_formula(capsys):
    def bce_naive(y_pred, y_true):
        return -np.mean(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred))

    assert check_binary_cross_entropy(bce_naive) is False
    out = capsys.readouterr().out
    assert "predictions of exactly 0 and 1 that are right" in out and "warning" in out


def test_check_bce_rejects_a_missing_minus_sign(capsys):
    def bce_positive(y_pred, y_true):
        return -binary_cross_entropy(y_pred, y_true)

    assert check_binary_cross_entropy(bce_positive) is False
    assert "ordinary predictions, shape (3, 1)" in capsys.readouterr().out


def test_check_bce_rejects_a_forgotten_negative_class_term(capsys):
    def bce_half(y_pred, y_true, eps=1e-7):
        return -np.mean(y_true * np.log(np.clip(y_pred, eps, 1 - eps)))

    assert check_binary_cross_entropy(bce_half) is False
    assert "ordinary predictions, shape (3, 1)" in capsys.readouterr().out


# -- exercise 5.3: fused softmax + cross-entropy gradient ----------------------
def softmax_ce_gradient(scores, y_true):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return (p - y_true) / len(scores)


def _softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_check_softmax_ce_gradient_accepts_the_solution(capsys):
    assert check_softmax_ce_gradient(softmax_ce_gradient) is True
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, case", [
    (lambda s, y: _softmax(s) - y, "a batch of 4 samples"),                 # forgot / N
    (lambda s, y: (y - _softmax(s)) / len(s), "one sample with three classes"),  # sign error
    (lambda s, y: (s - y) / len(s), "one sample with three classes"),       # forgot the softmax
])
def test_check_softmax_ce_gradient_rejects_typical_mistakes(wrong, case, capsys):
    assert check_softmax_ce_gradient(wrong) is False
    out = capsys.readouterr().out
    assert "✗" in out and case in out


def test_check_softmax_ce_gradient_rejects_an_unstable_softmax(capsys):
    def unstable(scores, y_true):
        e = np.exp(scores)
        return (e / e.sum(axis=1, keepdims=True) - y_true) / len(scores)

    assert check_softmax_ce_gradient(unstable) is False
    out = capsys.readouterr().out
    assert "extreme scores" in out and "warning" in out


def test_check_softmax_ce_gradient_rejects_the_chained_gradient(capsys):
    def chained(scores, y_true):
        p = _softmax(scores)
        g = -y_true / p / len(scores)
        return p * (g - np.sum(g * p, axis=1, keepdims=True))

    assert check_softmax_ce_gradient(chained) is False
    assert "extreme scores" in capsys.readouterr().out


def test_check_softmax_ce_gradient_rejects_changing_the_scores(capsys):
    def in_place(scores, y_true):
        scores -= scores.max(axis=1, keepdims=True)
        return softmax_ce_gradient(scores, y_true)

    assert check_softmax_ce_gradient(in_place) is False
    assert "changed the scores" in capsys.readouterr().out


# -- exercise 5.4: backpropagation by the four equations -----------------------
def make_backprop(*, n=True, sign=1, slope="A", transpose_w2=True, db="sum", dw="AT delta"):
    """The reference backprop, or one slip away from it."""
    def backprop(X, Y, W1, b1, W2, b2):
        Z1 = X @ W1 + b1
        A1 = np.tanh(Z1)
        P = softmax(A1 @ W2 + b2)
        delta2 = sign * (P - Y) / (len(X) if n else 1)
        slopes = {"A": 1 - A1**2, "Z": 1 - Z1**2, None: 1.0}[slope]
        delta1 = (delta2 @ (W2.T if transpose_w2 else W2)) * slopes
        reduce = {"sum": lambda d: d.sum(axis=0), "mean": lambda d: d.mean(axis=0), "none": lambda d: d}[db]
        grad_w = (lambda a, d: a.T @ d) if dw == "AT delta" else (lambda a, d: d.T @ a)
        return grad_w(X, delta1), reduce(delta1), grad_w(A1, delta2), reduce(delta2)
    return backprop


def test_check_backprop_accepts_the_four_equations(capsys):
    assert check_backprop(make_backprop()) is True
    assert capsys.readouterr().out.startswith("✓ backprop: all 4 cases passed")


@pytest.mark.parametrize("wrong, words", [
    (make_backprop(n=False), ["the picture's network", "dW2 is wrong", "N times too large"]),
    (make_backprop(sign=-1), ["dW2 is wrong", "sign is flipped"]),
    (make_backprop(slope=None), ["dW1 is wrong", "lacks tanh's slope", "1 − A₁²"]),
    (make_backprop(slope="Z"), ["dW1 is wrong", "not 1 − Z₁²"]),
    (make_backprop(transpose_w2=False), ["the picture's network", "dW1 is wrong", "W₂ transposed"]),
    (make_backprop(db="mean"), ["db2 is wrong", "do not average"]),
    (make_backprop(db="none"), ["db2 should have shape (2,)", "got (2, 2)", "fork rule"]),
    (make_backprop(dw="delta A"), ["the picture's network", "dW2 is wrong", "transposed"]),
])
def test_check_backprop_rejects_typical_slips(wrong, words, capsys):
    assert check_backprop(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ backprop: failed on")
    for word in words:
        assert word in out, out


def test_check_backprop_names_a_transposed_weight_gradient_by_its_shape(capsys):
    def transposed_on_square_weights_only(X, Y, W1, b1, W2, b2):
        dW1, db1, dW2, db2 = make_backprop()(X, Y, W1, b1, W2, b2)
        return (dW1 if W1.shape[0] == W1.shape[1] else dW1.T), db1, dW2, db2

    assert check_backprop(transposed_on_square_weights_only) is False
    out = capsys.readouterr().out
    assert "a 3-4-2 network" in out and "should have shape (3, 4)" in out and "transposed" in out


def test_check_backprop_wants_four_arrays(capsys):
    def two(X, Y, W1, b1, W2, b2):
        return make_backprop()(X, Y, W1, b1, W2, b2)[:2]

    assert check_backprop(two) is False
    assert "four arrays" in capsys.readouterr().out


def test_check_backprop_reports_an_unwritten_stub(capsys):
    def stub(X, Y, W1, b1, W2, b2):
        raise NotImplementedError("Exercise 5.4: write the backward pass")

    assert check_backprop(stub) is False
    out = capsys.readouterr().out
    assert "not written yet" in out and "Exercise 5.4" in out
