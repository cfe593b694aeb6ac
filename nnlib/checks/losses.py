"""Checkers for the exercises of chapter 5, losses."""

import numpy as np

from ..activations import softmax
from ..losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy
from .verdict import CaseFailed, call, describe, expect_array, verdict

__all__ = [
    "check_mse",
    "check_binary_cross_entropy",
    "check_softmax_ce_gradient",
]

_reference_mse = MSE().value
_reference_bce = BinaryCrossEntropy().value


def _reference_softmax_ce_gradient(scores, y_true):
    return CategoricalCrossEntropy().fused_gradient(softmax(scores), y_true)


def _pair(y_pred, y_true):
    return f"y_pred {describe(y_pred)} and y_true {describe(y_true)}"


def _value_case(fn, name, y_pred, y_true, reference, rtol=1e-6, atol=1e-8):
    def case():
        got = call(
            fn, y_pred.copy(), y_true.copy(), what=f"{name}(y_pred, y_true)"
        )
        expected = reference(y_pred, y_true)
        expect_array(
            got,
            expected,
            f"{name}(y_pred, y_true) for {_pair(y_pred, y_true)}",
            rtol=rtol,
            atol=atol,
        )

    return case


def check_mse(mse, mse_gradient):
    """Exercise 5.1: ``mse(y_pred, y_true)`` and ``mse_gradient(y_pred,
    y_true)``.

    The value must be the mean over every element of (ŷ − y)², one number for
    the whole batch; the gradient must have ``y_pred``'s shape.
    """
    single = (np.array([[3.0]]), np.array([[1.0]]))
    batch = (
        np.array([[0.5, 1.0, -1.0], [2.0, 0.0, 0.5]]),
        np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0]]),
    )
    rng = np.random.default_rng(5)
    wide = (rng.uniform(0, 1, (4, 10)), np.eye(10)[[3, 1, 4, 1]])

    def grad_case(y_pred, y_true):
        def case():
            got = call(
                mse_gradient,
                y_pred.copy(),
                y_true.copy(),
                what="mse_gradient(y_pred, y_true)",
            )
            expected = 2.0 * (y_pred - y_true) / y_pred.size
            expect_array(
                got,
                expected,
                f"mse_gradient(y_pred, y_true) for {_pair(y_pred, y_true)}",
            )

        return case

    return verdict(
        "mse and mse_gradient",
        [
            (
                "the value for a single prediction",
                _value_case(mse, "mse", *single, _reference_mse),
            ),
            ("the gradient for a single prediction", grad_case(*single)),
            (
                "the value for a (2, 3) batch",
                _value_case(mse, "mse", *batch, _reference_mse),
            ),
            ("the gradient for a (2, 3) batch", grad_case(*batch)),
            (
                "the value for a (4, 10) batch",
                _value_case(mse, "mse", *wide, _reference_mse),
            ),
            ("the gradient for a (4, 10) batch", grad_case(*wide)),
        ],
    )


def check_binary_cross_entropy(binary_cross_entropy):
    """Exercise 5.2: ``binary_cross_entropy(y_pred, y_true)``, finite even at
    0 and 1.

    Predictions are clipped to [1e-7, 1 − 1e-7] and the log-loss averaged
    over
    every element; a NumPy warning counts as a failure.
    """
    ordinary = (
        np.array([[0.9], [0.2], [0.6]]),
        np.array([[1.0], [0.0], [1.0]]),
    )
    batch = (
        np.array([[0.7, 0.1], [0.4, 0.95]]),
        np.array([[1.0, 0.0], [0.0, 1.0]]),
    )
    right = (np.array([[0.0], [1.0]]), np.array([[0.0], [1.0]]))
    wrong = (np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]))
    f, name, ref = (
        binary_cross_entropy,
        "binary_cross_entropy",
        _reference_bce,
    )
    return verdict(
        "binary_cross_entropy",
        [
            (
                "ordinary predictions, shape (3, 1)",
                _value_case(f, name, *ordinary, ref),
            ),
            ("a (2, 2) batch", _value_case(f, name, *batch, ref)),
            (
                "predictions of exactly 0 and 1 that are right",
                _value_case(f, name, *right, ref, atol=1e-6),
            ),
            (
                "predictions of exactly 0 and 1 that are wrong",
                _value_case(f, name, *wrong, ref),
            ),
        ],
    )


def check_softmax_ce_gradient(softmax_ce_gradient):
    """Exercise 5.3: dL/dscores of softmax followed by categorical
    cross-entropy.

    ``softmax_ce_gradient(scores, y_true)`` takes raw scores (N, K) and
    one-hot
    targets (N, K) and returns an (N, K) array; it must stay exact and
    warning-free for extreme scores and must not change ``scores``.
    """
    rng = np.random.default_rng(7)
    cases_data = {
        "one sample with three classes": (
            np.array([[1.0, 2.0, 3.0]]),
            np.array([[0.0, 0.0, 1.0]]),
        ),
        "a batch of 4 samples with 5 classes": (
            rng.standard_normal((4, 5)) * 2,
            np.eye(5)[[0, 3, 3, 1]],
        ),
        "extreme scores (a softmax must subtract the row maximum)": (
            np.array([[1000.0, 0.0, -1000.0], [0.0, 800.0, 0.0]]),
            np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]),
        ),
    }

    def make_case(scores, y_true):
        def case():
            given = scores.copy()
            got = call(
                softmax_ce_gradient,
                given,
                y_true.copy(),
                what="softmax_ce_gradient(scores, y_true)",
            )
            if not np.array_equal(given, scores):
                raise CaseFailed(
                    "softmax_ce_gradient changed the scores it was given: "
                    "work on a copy instead"
                )
            expected = _reference_softmax_ce_gradient(scores, y_true)
            expect_array(
                got,
                expected,
                "softmax_ce_gradient(scores, y_true) for scores "
                f"{describe(scores)} "
                f"and y_true {describe(y_true)}",
            )

        return case

    return verdict(
        "softmax_ce_gradient",
        [(name, make_case(*data)) for name, data in cases_data.items()],
    )
