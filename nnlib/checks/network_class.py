"""Checkers for the exercises of chapter 9, a network class."""

import numpy as np

from ..activations import relu, sigmoid, softmax
from ..layer import Layer
from .verdict import CaseFailed, call, expect_array, verdict

__all__ = [
    "check_activation_layer",
    "check_predict_one_hot",
    "check_batches",
]

_ACTIVATIONS = {
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "relu": relu,
    "softmax": softmax,
}


def check_activation_layer(activation_layer):
    """``activation_layer(name)``: a new nnlib layer for "sigmoid", "tanh",
    "relu" or "softmax", None for None, and a ValueError for any other
    name."""
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0], [1.0, 2.0, -1.0, 0.25, -4.0]])

    def named(name):
        def run():
            what = f"activation_layer({name!r})"
            layer = call(activation_layer, name, what=what)
            if isinstance(layer, type):
                raise CaseFailed(
                    f"{what} should return a layer object such as Tanh(), "
                    f"got the class {layer.__name__} itself"
                )
            if not isinstance(layer, Layer):
                raise CaseFailed(
                    f"{what} should return an nnlib Layer, got "
                    f"{type(layer).__name__}"
                )
            got = call(layer.forward, x.copy(), what=f"{what}.forward")
            expect_array(
                got, _ACTIVATIONS[name](x), f"{what}.forward", given=x
            )
            again = call(activation_layer, name, what=what)
            if again is layer:
                raise CaseFailed(
                    f"two calls of {what} returned the same object: each "
                    "layer remembers its own input "
                    "for the backward pass, so every call must build a new "
                    "one"
                )

        return (f"name {name!r}", run)

    def none():
        got = call(activation_layer, None, what="activation_layer(None)")
        if got is not None:
            raise CaseFailed(
                "activation_layer(None) should return None (no "
                f"activation), got {got!r}"
            )

    def unknown():
        try:
            got = activation_layer("swish")
        except ValueError:
            return
        except NotImplementedError:
            raise
        except Exception as e:
            raise CaseFailed(
                "activation_layer('swish') should raise ValueError, raised "
                f"{type(e).__name__}: {e}"
            ) from None
        raise CaseFailed(
            "activation_layer('swish') should raise ValueError naming the "
            f"known names, returned {got!r}"
        )

    cases = [named(n) for n in _ACTIVATIONS] + [
        ("name None", none),
        ("unknown name 'swish'", unknown),
    ]
    return verdict("activation_layer", cases)


def _one_hot_rows(p):
    out = np.zeros_like(p, dtype=np.float64)
    out[np.arange(len(p)), np.argmax(p, axis=1)] = 1.0
    return out


def check_predict_one_hot(predict_one_hot):
    """``predict_one_hot(probabilities)``: for (N, K) rows of scores, an (N,
    K)
    array with a single 1 in each row, at that row's largest entry (the first
    one on a tie, as ``np.argmax`` does)."""
    rng = np.random.default_rng(9)
    inputs = {
        "three rows": np.array(
            [
                [0.1, 0.6, 0.2, 0.1],
                [0.5, 0.3, 0.1, 0.1],
                [0.05, 0.15, 0.7, 0.1],
            ]
        ),
        "one row": np.array([[0.2, 0.1, 0.6, 0.1]]),
        "a confident row next to unsure ones": np.array(
            [[0.97, 0.01, 0.02], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6]]
        ),
        "a tie (the first largest wins)": np.array(
            [[0.4, 0.4, 0.2], [0.1, 0.45, 0.45]]
        ),
        "20 rows of 10 classes": softmax(rng.standard_normal((20, 10))),
    }

    def case(name, p):
        def run():
            got = call(predict_one_hot, p.copy(), what="predict_one_hot")
            expect_array(got, _one_hot_rows(p), "predict_one_hot", given=p)

        return (name, run)

    return verdict(
        "predict_one_hot", [case(n, p) for n, p in inputs.items()]
    )


def _ranges(n, b):
    return [(start, min(start + b, n)) for start in range(0, n, b)]


def check_batches(batches):
    """``batches(n, batch_size)``: the (start, stop) index ranges of the
    mini-batches
    of n samples, in order, every one of ``batch_size`` samples except a
    smaller
    last one holding whatever is left."""

    def case(n, b):
        what = f"batches({n}, {b})"

        def run():
            got = call(batches, n, b, what=what)
            try:
                pairs = [tuple(r) for r in got]
                if any(len(r) != 2 for r in pairs):
                    raise TypeError
                got = [(int(start), int(stop)) for start, stop in pairs]
            except (TypeError, ValueError):
                raise CaseFailed(
                    f"{what} should return a list of (start, stop) pairs, "
                    f"got {got!r}"
                ) from None
            expected = _ranges(n, b)
            covered = sum(stop - start for start, stop in got)
            if covered < n and len(got) < len(expected):
                raise CaseFailed(
                    f"{what} covers {covered} of the {n} samples in "
                    f"{len(got)} batches: the last "
                    f"{n - covered} are dropped (expected {len(expected)} "
                    f"batches, the last one {expected[-1]})"
                )
            for i, (g, e) in enumerate(zip(got, expected)):
                if g != e:
                    raise CaseFailed(
                        f"{what}: batch {i} should be {e}, got {g} (batches "
                        "must not overlap or skip samples)"
                    )
            if len(got) != len(expected):
                raise CaseFailed(
                    f"{what} should give {len(expected)} batches, got "
                    f"{len(got)}: {got[:6]!r}"
                )

        return (f"n={n}, batch_size={b}", run)

    cases = [
        (10, 3),
        (9, 3),
        (2, 5),
        (1, 1),
        (7, 7),
        (1000, 128),
        (60000, 128),
    ]
    return verdict("batches", [case(n, b) for n, b in cases])
