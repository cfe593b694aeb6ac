"""The loss-chapter checkers accept the reference solutions and reject typical mistakes."""
import numpy as np
import pytest

from nnlib.checks import check_binary_cross_entropy, check_mse, check_softmax_ce_gradient


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
