"""Checkers for the exercises of chapter 8, two moons.

* ``check_sigmoid_accuracy(sigmoid_accuracy)``: the fraction of examples a
  single
  sigmoid output classifies right, with the threshold 0.5.
* ``check_split(split)``: a shuffled train / held-out split that keeps every
  x with its y.
* ``check_moons_model(net)``: a trained network that reaches 90 % on a fresh
  sample of moons it has never seen.
"""

import numpy as np

from ..network import Network, accuracy
from .verdict import CaseFailed, call, describe, verdict

__all__ = ["check_sigmoid_accuracy", "check_split", "check_moons_model"]


# ---------------------------------------------------------------------------
# Exercise: accuracy of a sigmoid output
# ---------------------------------------------------------------------------
def check_sigmoid_accuracy(sigmoid_accuracy):
    """Check ``sigmoid_accuracy(a, y)`` -> a float in [0, 1].

    ``a`` (m, 1) holds sigmoid outputs and ``y`` (m, 1) the labels 0 or 1; an
    output of exactly 0.5 counts as class 1.
    """

    def case(a, y, hint=""):
        def run():
            a_arr, y_arr = np.array(a, dtype=float), np.array(y, dtype=float)
            expected = accuracy(a_arr, y_arr)
            got = call(
                sigmoid_accuracy,
                a_arr.copy(),
                y_arr.copy(),
                what="sigmoid_accuracy(a, y)",
            )
            context = (f"sigmoid_accuracy(a, y) for a = {describe(a_arr)} "
                       f"and y = {describe(y_arr)}")
            if np.ndim(got) != 0:
                raise CaseFailed(
                    f"{context} should return one number, got "
                    f"{describe(np.asarray(got))}"
                )
            try:
                value = float(got)
            except (TypeError, ValueError):
                raise CaseFailed(
                    f"{context} should return a number, got "
                    f"{type(got).__name__}"
                ) from None
            if np.isclose(value, 100 * expected) and expected > 0.01:
                raise CaseFailed(
                    f"{context}: expected the fraction {expected:.4g}, got "
                    f"{value:.4g}, a percentage"
                )
            if not np.isclose(value, expected):
                raise CaseFailed(
                    f"{context}: expected {expected:.4g}, got "
                    f"{value:.4g}{hint}"
                )

        return run

    return verdict(
        "sigmoid_accuracy",
        [
            (
                "four clear predictions",
                case([[0.9], [0.2], [0.7], [0.1]], [[1], [0], [1], [1]]),
            ),
            ("all right", case([[0.99], [0.01], [0.6]], [[1], [0], [1]])),
            (
                "an output of exactly 0.5",
                case(
                    [[0.5], [0.5], [0.3], [0.8]],
                    [[1], [1], [0], [1]],
                    " (an output of exactly 0.5 counts as class 1: use >= "
                    "0.5)",
                ),
            ),
            (
                "outputs all below 0.5 for labels 0 and 1",
                case(
                    [[0.4], [0.1], [0.3], [0.2], [0.45]],
                    [[0], [1], [0], [0], [1]],
                    " (with a single output column, compare a >= 0.5 with "
                    "y; an arg-max over one column is always 0)",
                ),
            ),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: a train / held-out split
# ---------------------------------------------------------------------------
def _split_data(n):
    """Rows x[i] = (i, −i) and labels y[i] = i % 2, so every pairing can be
    traced."""
    idx = np.arange(n, dtype=float)
    return np.stack([idx, -idx], axis=1), (np.arange(n) % 2).astype(
        float
    ).reshape(-1, 1)


def check_split(split):
    """Check ``split(x, y, n_test, seed)`` -> (x_train, y_train, x_test,
    y_test).

    The rows are shuffled with ``np.random.default_rng(seed)`` (any shuffle
    that depends only on the seed passes), ``n_test`` of them are held out,
    each x stays with its y, no row is lost or repeated, and the arguments
    are left unchanged.
    """
    n, n_test = 50, 10
    parts = {}

    def run(seed):
        x, y = _split_data(n)
        result = call(
            split,
            x,
            y,
            n_test,
            seed,
            what=f"split(x, y, n_test={n_test}, seed={seed})",
        )
        x0, y0 = _split_data(n)
        if not (np.array_equal(x, x0) and np.array_equal(y, y0)):
            raise CaseFailed(
                "split changed x or y in place; shuffle a copy or an index "
                "instead"
            )
        if not isinstance(result, (tuple, list)) or len(result) != 4:
            raise CaseFailed(
                "split should return four arrays (x_train, y_train, "
                f"x_test, y_test), got {type(result).__name__}"
                + (
                    f" of length {len(result)}"
                    if isinstance(result, (tuple, list))
                    else ""
                )
            )
        return [np.asarray(r) for r in result]

    def shapes():
        parts[0] = run(0)
        want = [(n - n_test, 2), (n - n_test, 1), (n_test, 2), (n_test, 1)]
        for name, arr, shape in zip(
            ("x_train", "y_train", "x_test", "y_test"), parts[0], want
        ):
            if arr.shape != shape:
                raise CaseFailed(
                    f"with {n} examples and n_test={n_test}, {name} should "
                    f"have shape {shape}, got {arr.shape}"
                )

    def pairs():
        x_train, y_train, x_test, y_test = parts[0]
        for name, xs, ys in (
            ("train", x_train, y_train),
            ("test", x_test, y_test),
        ):
            want = (xs[:, 0].astype(int) % 2).reshape(-1, 1)
            bad = np.flatnonzero(want != ys)
            if bad.size:
                i = int(bad[0])
                raise CaseFailed(
                    f"in the {name} part, row {i} has x = {xs[i].tolist()} "
                    f"but y = {ys[i].tolist()}, "
                    "the label of another example: shuffle x and y with "
                    "the same order"
                )

    def partition():
        x_train, _, x_test, _ = parts[0]
        ids = np.concatenate([x_train[:, 0], x_test[:, 0]]).astype(int)
        if len(set(ids.tolist())) != n:
            repeated = len(ids) - len(set(ids.tolist()))
            raise CaseFailed(
                f"train and test together should hold each of the {n} "
                "examples exactly once, "
                f"but {repeated} appear twice (draw a permutation, not "
                "samples with replacement)"
            )

    def shuffled():
        x_test = parts[0][2]
        ids = np.sort(x_test[:, 0].astype(int))
        if np.array_equal(ids, np.arange(n - n_test, n)) or np.array_equal(
            ids, np.arange(n_test)
        ):
            raise CaseFailed(
                "the held-out examples are the "
                f"{'last' if ids[0] else 'first'} {n_test} rows: "
                "shuffle before splitting, or any order in the data leaks "
                "into the split"
            )

    def seeded():
        again = run(0)
        if not all(np.array_equal(a, b) for a, b in zip(parts[0], again)):
            raise CaseFailed(
                "two calls with seed=0 gave different splits: draw the "
                "shuffle from np.random.default_rng(seed)"
            )
        other = run(1)
        if np.array_equal(
            np.sort(other[2][:, 0]), np.sort(parts[0][2][:, 0])
        ):
            raise CaseFailed(
                "seed=0 and seed=1 held out the same examples: the shuffle "
                "should depend on the seed"
            )

    return verdict(
        "split",
        [
            ("the shapes of the four parts", shapes),
            ("every x kept with its own y", pairs),
            ("every example used exactly once", partition),
            ("a shuffled split", shuffled),
            ("the same split for the same seed", seeded),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: a model that generalises
# ---------------------------------------------------------------------------
def check_moons_model(model, *, seed=2024, n_samples=1000, target=0.9):
    """Check a network on a fresh moons sample it has never seen.

    ``model`` is a trained ``Network``, or a function ``train(x, y)`` that
    builds and trains one on ``nnlib.data.moons(200, noise=0.2, seed=0)`` and
    returns it. The fresh sample is ``nnlib.data.moons(1000, noise=0.2,
    seed=2024)``; the network must take (N, 2) inputs, give one output in
    [0, 1] per row and classify at least 90 % of the fresh points right.
    """
    from ..data import moons

    state = {}

    def build():
        net = model
        if callable(model) and not isinstance(model, Network):
            x_train, y_train = moons(200, noise=0.2, seed=0)
            net = call(
                model,
                x_train,
                y_train,
                what="your training function, called with the 200 training "
                     "moons,",
            )
        if not isinstance(net, Network):
            raise CaseFailed(
                "check_moons_model needs a trained nnlib Network (or a "
                "function returning one), "
                f"got {type(net).__name__}"
            )
        if net.n_in != 2 or net.n_out != 1:
            raise CaseFailed(
                "the network should map 2 inputs to 1 output, but it maps "
                f"{net.n_in} to {net.n_out}"
            )
        state["net"] = net

    def outputs():
        x, y = moons(n_samples, noise=0.2, seed=seed)
        a = np.asarray(call(state["net"].predict, x, what="net.predict(x)"))
        if a.shape != (n_samples, 1):
            raise CaseFailed(
                f"net.predict on {n_samples} points should have shape "
                f"({n_samples}, 1), got {a.shape}"
            )
        if not np.isfinite(a).all() or a.min() < 0 or a.max() > 1:
            raise CaseFailed(
                "the outputs should be probabilities in [0, 1]: end the "
                "network with a Sigmoid"
            )
        state["accuracy"] = accuracy(a, y)

    def accurate():
        acc = state["accuracy"]
        if acc < target:
            raise CaseFailed(
                f"held-out accuracy {acc:.1%} on {n_samples} fresh points, "
                f"should be at least {target:.0%} "
                "(a larger hidden layer, a larger learning rate or more "
                "iterations may help)"
            )

    ok = verdict(
        "moons model",
        [
            ("the network", build),
            (f"predicting {n_samples} fresh points", outputs),
            (f"accuracy on {n_samples} fresh points", accurate),
        ],
        partial=False,
    )
    if ok:
        print(f"  held-out accuracy: {state['accuracy']:.1%}")
    return ok
