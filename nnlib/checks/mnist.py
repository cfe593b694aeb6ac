"""Checkers for the exercises of chapter 6, solving MNIST."""

import numpy as np

from ..data import one_hot
from ..network import Network
from .verdict import CaseFailed, call, describe, verdict

__all__ = [
    "check_accuracy_fn",
    "check_confusion_matrix",
    "check_mnist_model",
]


def check_accuracy_fn(accuracy_fn):
    """``accuracy_fn(probabilities, y_one_hot)``: the fraction (0 to 1) of
    rows
    whose largest probability sits where the one-hot row has its 1."""
    rng = np.random.default_rng(60)

    def case(probs, labels):
        y = one_hot(np.asarray(labels), probs.shape[1])
        expected = float(np.mean(np.argmax(probs, axis=1) == labels))

        def run():
            what = (f"accuracy_fn(probabilities of shape {probs.shape}, "
                    f"one-hot labels {[int(v) for v in labels]})")
            got = call(accuracy_fn, probs.copy(), y.copy(), what=what)
            if isinstance(got, np.ndarray) and got.ndim > 0:
                raise CaseFailed(
                    f"{what} should return one number, got {describe(got)}"
                )
            try:
                value = float(got)
            except (TypeError, ValueError):
                raise CaseFailed(
                    f"{what} should return a number, got {got!r}"
                ) from None
            if np.isclose(value, 100 * expected) and not np.isclose(
                value, expected
            ):
                raise CaseFailed(
                    f"{what}: expected the fraction {expected:.4g}, got "
                    f"{value:.4g} (a percentage? return a fraction between "
                    "0 and 1)"
                )
            if np.isclose(value, expected * len(labels)) and not np.isclose(
                value, expected
            ):
                raise CaseFailed(
                    f"{what}: expected the fraction {expected:.4g}, got "
                    f"{value:.4g} (a count? divide by the number of rows)"
                )
            if not np.isclose(value, expected, rtol=1e-9, atol=1e-12):
                raise CaseFailed(
                    f"{what}: expected {expected:.4g}, got {value:.4g}"
                )

        return run

    tiny = np.array(
        [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]
    )
    many = rng.dirichlet(np.ones(10), size=50)
    many_labels = np.where(
        rng.random(50) < 0.7,
        np.argmax(many, axis=1),
        rng.integers(0, 10, 50),
    )
    cases = [
        (
            "four rows, three classes, three right",
            case(tiny, np.array([0, 2, 2, 0])),
        ),
        ("all right", case(tiny, np.argmax(tiny, axis=1))),
        ("all wrong", case(tiny, np.array([1, 0, 0, 2]))),
        ("a single row", case(tiny[1:2], np.array([2]))),
        ("50 rows of 10 classes", case(many, many_labels)),
    ]
    return verdict("accuracy_fn", cases)


def check_confusion_matrix(confusion_matrix):
    """``confusion_matrix(true_labels, predicted_labels, num_classes)``: an
    integer
    array C of shape (num_classes, num_classes) with C[t, p] the number of
    samples
    of true class t predicted as class p (rows true, columns predicted)."""
    rng = np.random.default_rng(61)

    def reference(true, pred, k):
        c = np.zeros((k, k), dtype=np.int64)
        np.add.at(c, (true, pred), 1)
        return c

    def case(true, pred, k):
        true, pred = (
            np.asarray(true, dtype=np.int64),
            np.asarray(pred, dtype=np.int64),
        )
        expected = reference(true, pred, k)

        def run():
            what = (f"confusion_matrix(true {describe(true)}, predicted "
                    f"{describe(pred)}, num_classes={k})")
            got = call(
                confusion_matrix, true.copy(), pred.copy(), k, what=what
            )
            if not isinstance(got, np.ndarray):
                raise CaseFailed(
                    f"{what} should return a NumPy array, got "
                    f"{type(got).__name__}"
                )
            if got.shape != (k, k):
                raise CaseFailed(
                    f"{what} should have shape ({k}, {k}), one row and one "
                    f"column per class, got shape {got.shape}"
                )
            if np.array_equal(got, expected):
                return
            if np.array_equal(got, expected.T):
                raise CaseFailed(
                    f"{what} is transposed: rows must be the true class and "
                    "columns the predicted class"
                )
            if got.sum() != len(true):
                raise CaseFailed(
                    f"{what}: the counts should add up to {len(true)} "
                    f"samples, got {got.sum()} (a sample lost or counted "
                    "twice?)"
                )
            bad = tuple(int(i) for i in np.argwhere(got != expected)[0])
            raise CaseFailed(
                f"{what}: entry {bad} (true {bad[0]}, predicted {bad[1]}) "
                f"should be {expected[bad]}, got {got[bad]}"
            )

        return run

    true = rng.integers(0, 10, 200)
    pred = np.where(rng.random(200) < 0.8, true, rng.integers(0, 10, 200))
    cases = [
        (
            "two classes, one 0 taken for a 1",
            case([0, 0, 1, 1, 1], [0, 1, 1, 1, 1], 2),
        ),
        (
            "three classes, not symmetric",
            case([0, 1, 2, 2, 2, 1], [1, 1, 2, 0, 0, 1], 3),
        ),
        (
            "the last class appears (labels 0 to num_classes - 1)",
            case([3, 3, 0, 1], [3, 2, 0, 3], 4),
        ),
        (
            "a class that never occurs still gets its row and column",
            case([0, 2, 0], [0, 2, 2], 4),
        ),
        ("200 samples of 10 classes", case(true, pred, 10)),
    ]
    return verdict("confusion_matrix", cases)


def check_mnist_model(net, x_test, y_test, target=0.97):
    """A trained nnlib ``Network`` that maps (N, 784) images to (N, 10) class
    scores and classifies at least ``target`` of (x_test, y_test) right.
    ``y_test`` holds one-hot rows (N, 10) or integer labels (N,)."""
    x_test = np.asarray(x_test)
    y_test = np.asarray(y_test)
    labels = (
        np.argmax(y_test, axis=1)
        if y_test.ndim == 2
        else y_test.astype(np.int64)
    )
    result = {}

    def is_network():
        if not isinstance(net, Network):
            raise CaseFailed(
                "the model should be an nnlib Network, got "
                f"{type(net).__name__}"
            )

    def shapes():
        if net.n_in != 784:
            raise CaseFailed(
                "the first Dense layer should take 784 inputs (28 × 28 "
                f"pixels), it takes {net.n_in}"
            )
        if net.n_out != 10:
            raise CaseFailed(
                "the last Dense layer should give 10 outputs (one per "
                f"digit), it gives {net.n_out}"
            )

    def predictions():
        p = call(
            net.predict,
            x_test,
            what=f"net.predict(x_test of shape {x_test.shape})",
        )
        if not isinstance(p, np.ndarray) or p.shape != (len(x_test), 10):
            raise CaseFailed(
                f"net.predict(x_test) should have shape ({len(x_test)}, "
                f"10), got {describe(p)}"
            )
        if not np.isfinite(p).all():
            raise CaseFailed(
                "net.predict(x_test) holds NaN or infinite values: did "
                "training diverge?"
            )
        result["accuracy"] = float(np.mean(np.argmax(p, axis=1) == labels))

    def good_enough():
        acc = result["accuracy"]
        if acc < target:
            raise CaseFailed(
                f"test accuracy {acc:.2%}, below the target {target:.0%}: "
                "train longer, widen the hidden layer or revisit the "
                "learning rate"
            )

    cases = [
        ("the model type", is_network),
        ("the input and output widths", shapes),
        ("the predictions on x_test", predictions),
        (f"the target of {target:.0%}", good_enough),
    ]
    passed = verdict("mnist model", cases)
    if passed:
        print(
            f"  test accuracy {result['accuracy']:.2%} on {len(x_test):,} "
            f"images (target {target:.0%})"
        )
    return passed
