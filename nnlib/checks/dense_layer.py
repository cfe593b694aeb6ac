"""Checkers for the exercises of chapter 3, the dense layer.

* ``check_dense_forward(dense_forward)``: Y = X W + b for a batch.
* ``check_dense_backward(dense_backward)``: (dL/dX, dL/dW, dL/db) from dL/dY.
* ``check_xavier_uniform(xavier_uniform)``: Glorot-uniform weights of shape
  (n_in, n_out).
* ``check_dense_layer(cls)``: a complete layer class, gradient check
  included.

When an answer matches a typical mistake (a missing bias, a transposed
product, a mean where a sum belongs), the verdict says which one.
"""

import numpy as np

from ..layer import Layer
from ..dense import Dense, init_weights
from .verdict import (
    CaseFailed,
    call,
    describe,
    expect_array,
    expect_gradients,
    verdict,
)

# What exercise 3.4 asks the learner to write: nnlib's own does not count.
NNLIB_DENSE = (Dense.__init__, Dense.forward, Dense.backward,
               Dense.parameter_gradients)

__all__ = [
    "check_dense_forward",
    "check_dense_backward",
    "check_xavier_uniform",
    "check_dense_layer",
]


def _case_arrays(n, n_in, n_out, seed):
    """A batch x (n, n_in), weights W (n_in, n_out), bias b (n_out,) and
    dL/dY (n, n_out)."""
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(-2, 2, size=(n, n_in)), 1)
    W = np.round(rng.uniform(-1, 1, size=(n_in, n_out)), 1)
    b = np.round(rng.uniform(-1, 1, size=n_out), 1)
    g = np.round(rng.uniform(-1, 1, size=(n, n_out)), 1)
    return (
        x + 0.0,
        W + 0.0,
        b + 0.0,
        g + 0.0,
    )  # + 0.0 turns -0.0 into 0.0 for tidy verdicts


def _nnlib_dense(x, W, b, g):
    """What nnlib's own Dense gives for these arrays: Y = X W + b, then,
    for dL/dY = g, dL/dX, dL/dW and dL/db."""
    layer = Dense(*W.shape, rng=0)
    layer.params["W"][...] = W
    layer.params["b"][...] = b
    y = layer.forward(x)
    return y, layer.backward(g), layer.grads["W"], layer.grads["b"]


def _expect(got, expected, what, given, known_mistakes=()):
    """Like ``expect_array``, but first name a known mistake that ``got``
    matches.

    ``known_mistakes`` holds (function returning the mistaken value, hint)
    pairs;
    a mistake that cannot even be computed for these shapes is skipped.
    """
    arr = (
        np.asarray(got)
        if isinstance(got, (np.ndarray, np.generic, float, int))
        else None
    )
    if arr is not None and np.issubdtype(arr.dtype, np.number):
        for mistake, hint in known_mistakes:
            try:
                wrong = np.asarray(mistake())
            except ValueError:
                continue
            differs = wrong.shape != np.shape(expected) or not np.allclose(
                wrong, expected
            )
            if (
                arr.shape == wrong.shape
                and differs
                and np.allclose(arr, wrong)
            ):
                raise CaseFailed(
                    f"{what} for input {describe(given)}: expected "
                    f"{describe(np.asarray(expected))}, "
                    f"got {describe(arr)}, which is {hint}"
                )
    expect_array(got, expected, what, given=given)


# ---------------------------------------------------------------------------
# Exercise: the forward pass
# ---------------------------------------------------------------------------
def check_dense_forward(dense_forward):
    """Check ``dense_forward(x, W, b)`` -> x @ W + b, shape (batch,
    n_out)."""

    def case(n, n_in, n_out, seed):
        def run():
            x, W, b, g = _case_arrays(n, n_in, n_out, seed)
            y = _nnlib_dense(x, W, b, g)[0]
            x_copy, W_copy, b_copy = x.copy(), W.copy(), b.copy()
            got = call(
                dense_forward,
                x,
                W,
                b,
                own=(Dense.forward,),
                what=f"dense_forward(x, W, b) with x {x.shape}, W "
                     f"{W.shape}, b {b.shape}",
            )
            if not (
                np.array_equal(x, x_copy)
                and np.array_equal(W, W_copy)
                and np.array_equal(b, b_copy)
            ):
                raise CaseFailed(
                    "dense_forward changed one of its arguments in place; "
                    "it should only compute a new array"
                )
            mistakes = [(lambda: y - b, "x @ W without the bias b")]
            if n_in == n_out:
                mistakes.append(
                    (
                        lambda: x @ W.T + b,
                        "x @ W.T + b: W should not be transposed",
                    )
                )
            _expect(
                got,
                y,
                f"dense_forward with W of shape {W.shape}",
                x,
                mistakes,
            )

        return run

    return verdict(
        "dense_forward",
        [
            ("one sample, 2 inputs, 2 outputs", case(1, 2, 2, 1)),
            ("a batch of 4 samples, 2 inputs, 2 outputs", case(4, 2, 2, 2)),
            ("a batch of 3 samples, 4 inputs, 2 outputs", case(3, 4, 2, 3)),
            ("one sample, 3 inputs, 5 outputs", case(1, 3, 5, 4)),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: the backward pass
# ---------------------------------------------------------------------------
def check_dense_backward(dense_backward):
    """Check ``dense_backward(x, W, grad_output)`` -> (grad_x, grad_W,
    grad_b)."""

    def case(n, n_in, n_out, seed):
        def run():
            x, W, b, g = _case_arrays(n, n_in, n_out, seed)
            _, want_x, want_W, want_b = _nnlib_dense(x, W, b, g)
            what = (f"dense_backward(x, W, grad_output) with x {x.shape}, W "
                    f"{W.shape}, grad_output {g.shape}")
            out = call(dense_backward, x, W, g, what=what,
                       own=(Dense.backward, Dense.parameter_gradients))
            if not isinstance(out, (tuple, list)):
                raise CaseFailed(
                    f"{what} should return three arrays (grad_x, grad_W, "
                    f"grad_b), got {describe(out)}"
                )
            if len(out) != 3:
                raise CaseFailed(
                    f"{what} should return three arrays (grad_x, grad_W, "
                    f"grad_b), got {len(out)} values"
                )
            grad_x, grad_W, grad_b = out
            _expect(
                grad_x,
                want_x,
                f"grad_x (dL/dX) with grad_output {describe(g)}",
                x,
                [
                    (
                        lambda: g @ W,
                        "grad_output @ W: W should be transposed",
                    ),
                ],
            )
            _expect(
                grad_W,
                want_W,
                f"grad_W (dL/dW) with grad_output {describe(g)}",
                x,
                [
                    (
                        lambda: want_W.T,
                        "grad_output.T @ x, the transpose of dL/dW (the "
                        "column-vector form's dW)",
                    ),
                    (
                        lambda: _nnlib_dense(x[:1], W, b, g[:1])[2],
                        "the gradient of the first sample alone: dL/dW sums "
                        "over the whole batch",
                    ),
                    (
                        lambda: want_W / n,
                        "the batch mean of the per-sample gradients: dL/dW "
                        "is their sum",
                    ),
                ],
            )
            _expect(
                grad_b,
                want_b,
                f"grad_b (dL/db) with grad_output {describe(g)}",
                x,
                [
                    (
                        lambda: want_b.reshape(1, n_out),
                        "a row of shape (1, n_out), which keepdims=True "
                        "gives: dL/db sums grad_output over the batch "
                        "(axis 0) into the shape of b, (n_out,)",
                    ),
                    (
                        lambda: g,
                        "grad_output itself: dL/db sums grad_output over "
                        "the batch (axis 0)",
                    ),
                    (
                        lambda: g.sum(axis=1),
                        "the sum over axis 1 (the outputs): dL/db sums over "
                        "axis 0 (the batch)",
                    ),
                    (
                        lambda: want_b / n,
                        "the batch mean of grad_output: dL/db is its sum "
                        "over the batch",
                    ),
                    (
                        lambda: np.zeros(n_out),
                        "zeros: the bias has a gradient too, one per output",
                    ),
                ],
            )

        return run

    return verdict(
        "dense_backward",
        [
            ("one sample, 3 inputs, 2 outputs", case(1, 3, 2, 11)),
            ("a batch of 4 samples, 3 inputs, 2 outputs", case(4, 3, 2, 12)),
            ("a batch of 5 samples, 2 inputs, 2 outputs", case(5, 2, 2, 13)),
            ("a batch of 2 samples, 1 input, 4 outputs", case(2, 1, 4, 14)),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: Xavier (Glorot) uniform initialisation
# ---------------------------------------------------------------------------
def check_xavier_uniform(xavier_uniform):
    """Check ``xavier_uniform(n_in, n_out, rng)``: U(-l, l) with l = sqrt(6 /
    (n_in + n_out))."""

    def draw(n_in, n_out, seed):
        return call(
            xavier_uniform,
            n_in,
            n_out,
            np.random.default_rng(seed),
            own=(init_weights,),
            what=f"xavier_uniform({n_in}, {n_out}, rng)",
        )

    def shape_case(n_in, n_out):
        def run():
            w = draw(n_in, n_out, 0)
            if not isinstance(w, np.ndarray):
                raise CaseFailed(
                    f"xavier_uniform({n_in}, {n_out}, rng) should return a "
                    f"NumPy array, got {type(w).__name__}"
                )
            if w.shape != (n_in, n_out):
                hint = (
                    " (that is (n_out, n_in): our W is (n_in, n_out))"
                    if w.shape == (n_out, n_in)
                    else ""
                )
                raise CaseFailed(
                    f"xavier_uniform({n_in}, {n_out}, rng) should have "
                    f"shape {(n_in, n_out)}, got {w.shape}{hint}"
                )
            if (
                not np.issubdtype(w.dtype, np.floating)
                or not np.isfinite(w).all()
            ):
                raise CaseFailed(
                    f"xavier_uniform({n_in}, {n_out}, rng) should hold "
                    f"finite floats, got {describe(w)}"
                )

        return run

    def distribution_case(n_in, n_out, draws=1):
        def run():
            w = np.concatenate([
                np.asarray(draw(n_in, n_out, seed), dtype=np.float64).ravel()
                for seed in range(1, draws + 1)
            ])
            limit = np.sqrt(6.0 / (n_in + n_out))
            std = limit / np.sqrt(3.0)
            what = f"xavier_uniform({n_in}, {n_out}, rng)"
            if draws > 1:
                what += f", {w.size:,} weights from {draws} calls,"
            if np.abs(w).max() > limit * (1 + 1e-9):
                raise CaseFailed(
                    f"{what}: every weight should lie within ±sqrt(6 / "
                    f"(n_in + n_out)) = ±{limit:.4f}, "
                    f"found {w.flat[np.abs(w).argmax()]:.4f}"
                )
            # Uniform weights come within 0.2 % of the limit: the chance
            # that thousands of them all stay further in is below 1e-10.
            if np.abs(w).max() < limit * (1 - 2e-3):
                raise CaseFailed(
                    f"{what}: the weights should fill ±sqrt(6 / (n_in + "
                    f"n_out)) = ±{limit:.4f}, but the largest is "
                    f"{np.abs(w).max():.4f}: is the limit's formula right?"
                )
            if abs(w.std() - std) > 0.05 * std:
                raise CaseFailed(
                    f"{what}: the weights' standard deviation should be "
                    "about "
                    f"sqrt(2 / (n_in + n_out)) = {std:.4f}, got "
                    f"{w.std():.4f}"
                )
            if abs(w.mean()) > 5 * std / np.sqrt(w.size):
                raise CaseFailed(
                    f"{what}: the weights should be centred on 0, their "
                    f"mean is {w.mean():.4f}"
                )

        return run

    def rng_case():
        a, b, c = draw(20, 30, 7), draw(20, 30, 7), draw(20, 30, 8)
        if not np.array_equal(a, b):
            raise CaseFailed(
                "two calls with generators seeded alike gave different "
                "weights: draw them from the rng "
                "argument (rng.uniform), not from np.random"
            )
        if np.array_equal(a, c):
            raise CaseFailed(
                "generators with different seeds gave the same weights: "
                "draw them from the rng argument"
            )

    return verdict(
        "xavier_uniform",
        [
            ("the shape for 3 inputs and 2 outputs", shape_case(3, 2)),
            ("the shape for 784 inputs and 40 outputs", shape_case(784, 40)),
            (
                "the range and spread for 100 inputs and 300 outputs",
                distribution_case(100, 300),
            ),
            (
                "the range and spread for 784 inputs and 40 outputs",
                distribution_case(784, 40),
            ),
            (
                "the range and spread for 3 inputs and 2 outputs",
                distribution_case(3, 2, draws=2000),
            ),
            ("drawing from the rng it is given", rng_case),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: a complete dense layer class
# ---------------------------------------------------------------------------
def check_dense_layer(cls):
    """Check a class ``cls(n_in, n_out, rng)``: an nnlib ``Layer`` with
    params/grads "W" and "b"."""

    def build(n_in, n_out, seed=0):
        layer = call(
            cls,
            n_in,
            n_out,
            np.random.default_rng(seed),
            own=NNLIB_DENSE,
            what=f"{getattr(cls, '__name__', 'cls')}({n_in}, {n_out}, rng)",
        )
        if not isinstance(layer, Layer):
            raise CaseFailed(
                f"{type(layer).__name__} should inherit from nnlib.Layer "
                "(class MyDense(Layer): ...)"
            )
        return layer

    def param(layer, name, shape, where="params"):
        store = getattr(layer, where, None)
        if not isinstance(store, dict) or name not in store:
            raise CaseFailed(
                f"layer.{where} should be a dict with a key {name!r}, got "
                f"{describe(store)}"
            )
        value = store[name]
        if not isinstance(value, np.ndarray) or value.shape != shape:
            got = (
                value.shape
                if isinstance(value, np.ndarray)
                else type(value).__name__
            )
            raise CaseFailed(
                f"layer.{where}[{name!r}] should be an array of shape "
                f"{shape}, got {got}"
            )
        return value

    def construction():
        layer = build(3, 2)
        param(layer, "W", (3, 2))
        b = param(layer, "b", (2,))
        if not np.all(b == 0):
            raise CaseFailed(
                f"the biases should start at zero, got {describe(b)}"
            )

    def initial_scale():
        W = param(build(784, 40), "W", (784, 40))
        target = np.sqrt(2.0 / (784 + 40))
        if not 0.5 * target < W.std() < 2 * target:
            raise CaseFailed(
                "with 784 inputs and 40 outputs the weights' standard "
                "deviation should be about "
                f"{target:.4f} (Xavier), got {W.std():.4g}"
            )

    def forward_backward(n, n_in, n_out, seed):
        def run():
            layer = build(n_in, n_out, seed)
            x, _, _, g = _case_arrays(n, n_in, n_out, seed)
            W = param(layer, "W", (n_in, n_out))
            b = param(layer, "b", (n_out,))
            b[...] = np.round(
                np.random.default_rng(seed).uniform(-1, 1, n_out), 1
            )
            W0, b0 = W.copy(), b.copy()
            want_y, want_x, want_W, want_b = _nnlib_dense(x, W0, b0, g)
            y = call(
                layer.forward,
                x,
                own=NNLIB_DENSE,
                what=f"layer.forward(x) with x of shape {x.shape}",
            )
            _expect(
                y,
                want_y,
                "layer.forward(x)",
                x,
                [(lambda: want_y - b0, "x @ W without the bias b")],
            )
            gx = call(
                layer.backward,
                g,
                own=NNLIB_DENSE,
                what="layer.backward(grad_output) with grad_output of "
                     f"shape {g.shape}",
            )
            if not (
                np.array_equal(layer.params["W"], W0)
                and np.array_equal(layer.params["b"], b0)
            ):
                raise CaseFailed(
                    "backward changed the parameters: it should only fill "
                    "layer.grads and "
                    "leave the update to the optimizer"
                )
            _expect(
                gx,
                want_x,
                "layer.backward(grad_output), dL/dX,",
                x,
                [
                    (
                        lambda: g @ W0,
                        "grad_output @ W: W should be transposed",
                    )
                ],
            )
            _expect(
                param(layer, "W", (n_in, n_out), "grads"),
                want_W,
                "layer.grads['W']",
                x,
                [
                    (
                        lambda: _nnlib_dense(x[:1], W0, b0, g[:1])[2],
                        "the gradient of the first sample alone: dL/dW sums "
                        "over the batch",
                    ),
                    (
                        lambda: want_W / n,
                        "the batch mean: dL/dW is the sum over the batch",
                    ),
                ],
            )
            _expect(
                param(layer, "b", (n_out,), "grads"),
                want_b,
                "layer.grads['b']",
                x,
                [
                    (
                        lambda: want_b / n,
                        "the batch mean: dL/db is the sum over the batch",
                    )
                ],
            )

        return run

    def uses_its_params():
        layer = build(2, 3, 5)
        x = np.array([[1.0, -2.0]])
        param(layer, "W", (2, 3))[...] += 1.0
        param(layer, "b", (3,))[...] += 0.5
        y = call(
            layer.forward,
            x,
            own=NNLIB_DENSE,
            what="layer.forward(x) after changing layer.params in place",
        )
        W, b = layer.params["W"], layer.params["b"]
        _expect(
            y,
            _nnlib_dense(x, W, b, np.zeros((1, 3)))[0],
            "layer.forward(x) after an optimizer-style in-place update of "
            "layer.params",
            x,
            [
                (
                    lambda: _nnlib_dense(x, W - 1.0, np.zeros(3),
                                         np.zeros((1, 3)))[0],
                    "computed with the old weights: forward should use the "
                    "arrays in layer.params",
                )
            ],
        )

    def gradient_check():
        layer = build(4, 3, 9)
        param(layer, "b", (3,))[...] = np.array([0.1, -0.2, 0.3])
        x = np.random.default_rng(9).standard_normal((5, 4))
        expect_gradients(
            layer,
            x,
            "the gradient check of a 4-in, 3-out layer on a batch of 5",
        )

    name = getattr(cls, "__name__", "your layer")
    return verdict(
        name,
        [
            (
                "construction: params 'W' (n_in, n_out) and 'b' (n_out,)",
                construction,
            ),
            ("the initial weights' scale", initial_scale),
            ("forward after an in-place update of params", uses_its_params),
            (
                "forward and backward, one sample, 3 inputs, 2 outputs",
                forward_backward(1, 3, 2, 21),
            ),
            (
                "forward and backward, a batch of 4, 3 inputs, 2 outputs",
                forward_backward(4, 3, 2, 22),
            ),
            ("finite differences", gradient_check),
        ],
    )
