"""The checkers of "The plan" accept the reference solutions and reject typical mistakes."""
import numpy as np

from nnlib.checks import check_composite_derivative, check_count_params, check_shapes


def verdict_of(checker, fn, capsys):
    ok = checker(fn)
    return ok, capsys.readouterr().out


# -- count_params -------------------------------------------------------------
def count_params(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def test_count_params_accepts_the_solution(capsys):
    ok, out = verdict_of(check_count_params, count_params, capsys)
    assert ok is True and "✓" in out


def test_count_params_rejects_forgotten_biases(capsys):
    ok, out = verdict_of(check_count_params, lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), capsys)
    assert ok is False and "sizes [2, 1]" in out and "expected 3, got 2" in out


def test_count_params_rejects_biases_on_the_inputs(capsys):
    ok, out = verdict_of(check_count_params, lambda s: sum(a * (b + 1) for a, b in zip(s[:-1], s[1:])), capsys)
    assert ok is False and "sizes [2, 1]" in out and "expected 3, got 4" in out


def test_count_params_rejects_a_float(capsys):
    ok, out = verdict_of(check_count_params, lambda s: float(count_params(s)), capsys)
    assert ok is False and "whole number" in out


def test_count_params_stub_is_not_written(capsys):
    def stub(sizes):
        raise NotImplementedError("Exercise 1.1: replace this line")
    ok, out = verdict_of(check_count_params, stub, capsys)
    assert ok is False and "not written yet" in out


# -- shapes ---------------------------------------------------------------------
def shapes(batch, sizes):
    return [((batch, a), (a, b), (b,), (batch, b)) for a, b in zip(sizes[:-1], sizes[1:])]


def test_shapes_accepts_the_solution(capsys):
    ok, out = verdict_of(check_shapes, shapes, capsys)
    assert ok is True and "✓" in out


def test_shapes_accepts_lists_instead_of_tuples(capsys):
    ok, out = verdict_of(check_shapes, lambda b, s: [[list(t) for t in e] for e in shapes(b, s)], capsys)
    assert ok is True


def test_shapes_rejects_the_column_vector_convention(capsys):
    def transposed(n, s):
        return [((a, n), (b, a), (b, 1), (b, n)) for a, b in zip(s[:-1], s[1:])]

    ok, out = verdict_of(check_shapes, transposed, capsys)
    assert ok is False and "batch 4, sizes [2, 4, 1]" in out and "input shape should be (4, 2), got (2, 4)" in out


def test_shapes_rejects_a_column_bias(capsys):
    def column_bias(n, s):
        return [((n, a), (a, b), (b, 1), (n, b)) for a, b in zip(s[:-1], s[1:])]

    ok, out = verdict_of(check_shapes, column_bias, capsys)
    assert ok is False and "b shape should be (4,), got (4, 1)" in out


def test_shapes_rejects_one_entry_per_width(capsys):
    ok, out = verdict_of(check_shapes, lambda n, s: [((n, a), (a, a), (a,), (n, a)) for a in s], capsys)
    assert ok is False and "one entry per Dense layer (2)" in out


# -- composite derivative -----------------------------------------------------
def f_prime(x):
    v = np.tanh(2 * x - 1)
    return 2 * v * (1 - v**2) * 2


def test_composite_accepts_the_solution(capsys):
    ok, out = verdict_of(check_composite_derivative, f_prime, capsys)
    assert ok is True and "all 6 cases passed" in out


def test_composite_rejects_a_forgotten_inner_factor(capsys):
    def derivative(x):
        return 2 * np.tanh(2 * x - 1) * (1 - np.tanh(2 * x - 1) ** 2)

    ok, out = verdict_of(check_composite_derivative, derivative, capsys)
    assert ok is False and "x = 0" in out and "expected" in out


def test_composite_rejects_tanh_prime_at_the_wrong_point(capsys):
    # 1 − u² instead of 1 − tanh(u)²: the derivative taken at the wrong step of the chain
    ok, out = verdict_of(check_composite_derivative, lambda x: 4 * np.tanh(2 * x - 1) * (1 - (2 * x - 1) ** 2), capsys)
    assert ok is False and "failed on x = 0" in out


def test_composite_rejects_a_wrong_shape(capsys):
    ok, out = verdict_of(check_composite_derivative, lambda x: f_prime(x).ravel(), capsys)
    assert ok is False and "(3, 2) batch" in out and "shape" in out
