"""Checkers for the exercises of chapter 4, activations.

* :func:`check_sigmoid_prime` — the derivative of the sigmoid, stable for
  large |x|;
* :func:`check_leaky_relu` — a ``LeakyReLU(alpha=0.01)`` layer class;
* :func:`check_softmax` — a row-wise, numerically stable softmax;
* :func:`check_softmax_backward` — softmax's backward pass as a
  Jacobian-vector product;
* :func:`check_cached_tanh` — a ``CachedTanh`` layer class that leaves its
  input alone.
"""

import numpy as np

from ..activations import Sigmoid, Softmax, Tanh, tanh_prime
from ..activations import sigmoid_prime as _reference_sigmoid_prime
from ..activations import softmax as _softmax
from ..layer import Layer
from .expected import cases as expected_cases
from .verdict import (
    CaseFailed,
    call,
    describe,
    expect_array,
    expect_gradients,
    make_layer,
    verdict,
)

__all__ = [
    "check_sigmoid_prime",
    "check_leaky_relu",
    "check_softmax",
    "check_softmax_backward",
    "check_cached_tanh",
]

# nnlib's own answers to the exercises: calling them does not count.
NNLIB_SIGMOID_PRIME = (_reference_sigmoid_prime, Sigmoid.backward)
NNLIB_SOFTMAX = (_softmax, Softmax.forward)
NNLIB_SOFTMAX_BACKWARD = (Softmax.backward,)
NNLIB_TANH = (Tanh.forward, Tanh.backward, tanh_prime)


def _away_from_zero(shape, seed):
    """Random inputs with |x| >= 0.1, so a finite difference never straddles
    a kink at 0."""
    z = np.random.default_rng(seed).standard_normal(shape)
    return np.sign(z) * (0.1 + np.abs(z))


# ------------------------------------------------------------ sigmoid_prime
def check_sigmoid_prime(sigmoid_prime):
    """Check ``sigmoid_prime(x)``: σ(x)(1 − σ(x)) element-wise, finite and
    warning-free for |x| = 1000."""
    title = "sigmoid_prime"

    def at(x):
        x = np.asarray(x, dtype=np.float64)
        got = call(
            sigmoid_prime, x.copy(), own=NNLIB_SIGMOID_PRIME,
            what=f"sigmoid_prime({describe(x)})",
        )
        expect_array(
            got,
            _reference_sigmoid_prime(x),
            "sigmoid_prime",
            given=x,
            rtol=1e-6,
            atol=1e-12,
        )

    cases = [
        ("x = 0, where σ'(0) = 1/4", lambda: at(np.array([0.0]))),
        ("a few values", lambda: at(np.array([-3.0, -1.0, 0.5, 2.0, 4.0]))),
        (
            "a (3, 4) batch, whose shape must be kept",
            lambda: at(np.random.default_rng(4).normal(0, 3, (3, 4))),
        ),
        (
            "extreme inputs ±1000 (no overflow warning, finite result)",
            lambda: at(np.array([[-1000.0, -50.0], [50.0, 1000.0]])),
        ),
    ]
    return verdict(title, cases)


# ---------------------------------------------------------------- LeakyReLU
def check_leaky_relu(cls):
    """Check a ``LeakyReLU`` layer class: forward, backward, the ``alpha``
    argument and shapes."""
    title = "LeakyReLU"
    made = {}

    def construct():
        made["default"], _ = make_layer(cls)
        made["alpha"], _ = make_layer(cls, alpha=0.2)

    by_alpha = {float(d["alpha"]): d for d in expected_cases("leaky_relu")}

    def forward_values(key, alpha):
        d = by_alpha[alpha]
        x = d["x"]
        got = call(
            made[key].forward, x.copy(), what=f"forward (alpha={alpha})"
        )
        expect_array(got, d["y"], f"forward with alpha={alpha}", given=x)

    def backward_values(key, alpha):
        layer = made[key]
        d = by_alpha[alpha]
        x, g = d["x"], d["g"]
        call(layer.forward, x.copy(), what=f"forward (alpha={alpha})")
        got = call(
            layer.backward, g.copy(), what=f"backward (alpha={alpha})"
        )
        expect_array(
            got,
            d["dx"],
            f"backward with alpha={alpha} and grad_output {describe(g)}",
            given=x,
        )

    def shapes():
        layer = made["default"]
        for d in expected_cases("leaky_relu_shapes"):
            x = d["x"]
            shape = x.shape
            y = call(
                layer.forward, x.copy(), what=f"forward on shape {shape}"
            )
            expect_array(y, d["y"], f"forward on shape {shape}", given=x)
            g = np.ones(shape)
            dx = call(layer.backward, g, what=f"backward on shape {shape}")
            if np.shape(dx) != shape:
                raise CaseFailed(
                    f"backward after an input of shape {shape} should "
                    f"return shape {shape}, got shape {np.shape(dx)}"
                )

    cases = [
        ("construction, LeakyReLU() and LeakyReLU(alpha=0.2)", construct),
        (
            "forward with the default alpha = 0.01",
            lambda: forward_values("default", 0.01),
        ),
        (
            "forward with alpha = 0.2 (is alpha respected?)",
            lambda: forward_values("alpha", 0.2),
        ),
        (
            "backward with the default alpha = 0.01",
            lambda: backward_values("default", 0.01),
        ),
        ("backward with alpha = 0.2", lambda: backward_values("alpha", 0.2)),
        ("shapes (5, 3) and (1, 7) kept", shapes),
        (
            "gradient check, alpha = 0.01",
            lambda: expect_gradients(
                made["default"], _away_from_zero((4, 5), 1), "gradient check"
            ),
        ),
        (
            "gradient check, alpha = 0.2",
            lambda: expect_gradients(
                made["alpha"], _away_from_zero((4, 5), 2), "gradient check"
            ),
        ),
    ]
    return verdict(title, cases)


# ---------------------------------------------------------------- softmax
def check_softmax(softmax):
    """Check ``softmax(x)`` for x of shape (batch, n): rows sum to 1, stable,
    matches the reference."""
    title = "softmax"

    def run(x):
        try:
            return call(softmax, x.copy(), own=NNLIB_SOFTMAX,
                        what=f"softmax({describe(x)})")
        except CaseFailed as e:
            if "broadcast" not in str(e):
                raise
            raise CaseFailed(
                f"{e}. A max or a sum over axis 1 of an array of shape "
                f"{x.shape} has shape ({x.shape[0]},); with keepdims=True "
                f"it keeps the shape ({x.shape[0]}, 1), which broadcasts "
                "against the rows"
            ) from None

    def rows_sum_to_one():
        x = np.random.default_rng(7).normal(0, 2, (4, 5))
        got = run(x)
        if np.shape(got) != x.shape:
            raise CaseFailed(
                f"softmax of an input of shape {x.shape} should have shape "
                f"{x.shape}, got shape {np.shape(got)}"
            )
        sums = np.sum(np.asarray(got, dtype=np.float64), axis=1)
        if not np.allclose(sums, 1.0):
            raise CaseFailed(
                f"each row of softmax({describe(x)}) should sum to 1, the "
                f"row sums are {describe(sums)}; "
                "is the sum taken over the right axis (axis=1, with "
                "keepdims=True)?"
            )

    def matches(x):
        expect_array(run(x), _softmax(x), "softmax", given=x)

    def large():
        x = np.array(
            [
                [1000.0, 1000.0, 999.0],
                [-1000.0, -1000.0, -1001.0],
                [0.0, 1000.0, -1000.0],
            ]
        )
        matches(x)

    def input_kept():
        x = np.random.default_rng(8).normal(0, 1, (2, 3))
        before = x.copy()
        call(softmax, x, own=NNLIB_SOFTMAX, what=f"softmax({describe(x)})")
        if not np.array_equal(x, before):
            raise CaseFailed(
                "softmax changed its input in place (it was "
                f"{describe(before)}, afterwards {describe(x)}); "
                f"compute x - max into a new array instead of x -= ..."
            )

    cases = [
        ("each row of a (4, 5) batch sums to 1", rows_sum_to_one),
        (
            "one row [[1, 2, 3]]",
            lambda: matches(np.array([[1.0, 2.0, 3.0]])),
        ),
        (
            "a (3, 4) batch",
            lambda: matches(np.random.default_rng(9).normal(0, 3, (3, 4))),
        ),
        (
            "a batch of a single column, shape (3, 1)",
            lambda: matches(np.array([[2.0], [-1.0], [0.0]])),
        ),
        ("large inputs ±1000 (no overflow warning, finite result)", large),
        ("the input array left unchanged", input_kept),
    ]
    return verdict(title, cases)


# --------------------------------------------------------- softmax backward
def check_softmax_backward(softmax_backward):
    """Check ``softmax_backward(s, grad_output)`` → dL/dx for a batch, s and
    grad_output of shape (batch, n)."""
    title = "softmax_backward"

    def at(x, g):
        nnlib_softmax = Softmax()
        s = nnlib_softmax.forward(x)
        got = call(
            softmax_backward,
            s.copy(),
            g.copy(),
            own=NNLIB_SOFTMAX_BACKWARD,
            what="softmax_backward(s, grad_output) with s of shape "
                 f"{s.shape}",
        )
        expect_array(
            got,
            nnlib_softmax.backward(g),
            f"softmax_backward(s={describe(s)}, grad_output={describe(g)})",
        )

    class _Wrapped(Layer):
        def forward(self, x):
            self.s = _softmax(x)
            return self.s

        def backward(self, grad_output):
            return call(
                softmax_backward,
                self.s.copy(),
                np.array(grad_output),
                own=NNLIB_SOFTMAX_BACKWARD,
                what="softmax_backward",
            )

    rng = np.random.default_rng(11)
    cases = [
        (
            "one row, s = softmax([[0, 0]]), grad_output [[1, 0]]",
            lambda: at(np.array([[0.0, 0.0]]), np.array([[1.0, 0.0]])),
        ),
        (
            "one row of 4",
            lambda: at(rng.normal(0, 1, (1, 4)), rng.normal(0, 1, (1, 4))),
        ),
        (
            "a (5, 3) batch",
            lambda: at(rng.normal(0, 1, (5, 3)), rng.normal(0, 1, (5, 3))),
        ),
        (
            "a (2, 6) batch",
            lambda: at(rng.normal(0, 1, (2, 6)), rng.normal(0, 1, (2, 6))),
        ),
        (
            "gradient check on a (3, 4) batch",
            lambda: expect_gradients(
                _Wrapped(), rng.normal(0, 1, (3, 4)), "gradient check"
            ),
        ),
    ]
    return verdict(title, cases)


# ---------------------------------------------------------------- CachedTanh
def check_cached_tanh(cls):
    """Check a ``CachedTanh`` layer class: tanh forward, a right backward,
    and
    an input array that neither forward changes nor backward depends on."""
    title = "CachedTanh"
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1.5, (3, 4))
    g = rng.normal(0, 1, (3, 4))
    nnlib_tanh = Tanh()
    y = nnlib_tanh.forward(x)
    expected = nnlib_tanh.backward(g)

    def build():
        return make_layer(cls, own=NNLIB_TANH)[0]

    def forward_leaves_input_alone():
        given = x.copy()
        got_y = call(build().forward, given, own=NNLIB_TANH,
                     what="forward")
        expect_array(got_y, y, "forward", given=x)
        if not np.array_equal(given, x):
            raise CaseFailed(
                "forward changed the array it was given: after forward(x), "
                "x holds "
                f"{describe(given)} instead of {describe(x)}. The caller "
                "may still need x, "
                "and anything the layer kept of it has changed too"
            )

    def backward_values():
        layer = build()
        call(layer.forward, x.copy(), own=NNLIB_TANH, what="forward")
        got = call(layer.backward, g.copy(), own=NNLIB_TANH, what="backward")
        expect_array(
            got,
            expected,
            f"backward with grad_output {describe(g)}",
            given=x,
        )

    def backward_after_the_caller_reuses_x():
        layer = build()
        given = x.copy()
        call(layer.forward, given, own=NNLIB_TANH, what="forward")
        given[...] = (
            0.0  # the caller writes its next batch into the same buffer
        )
        got = call(layer.backward, g.copy(), own=NNLIB_TANH, what="backward")
        if np.shape(got) == np.shape(expected) and np.allclose(got, g):
            raise CaseFailed(
                "backward read the caller's array, which the caller had "
                "since overwritten "
                "with zeros: keep what backward needs inside the layer"
            )
        expect_array(
            got,
            expected,
            "backward after the caller overwrote its input array",
            given=x,
        )

    cases = [
        ("forward on a (3, 4) batch", forward_leaves_input_alone),
        ("backward on a (3, 4) batch", backward_values),
        (
            "backward after the caller reuses its input array",
            backward_after_the_caller_reuses_x,
        ),
        (
            "gradient check on a (2, 5) batch",
            lambda: expect_gradients(
                build(), rng.normal(0, 1, (2, 5)), "gradient check"
            ),
        ),
    ]
    return verdict(title, cases)
