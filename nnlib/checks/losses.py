"""Checkers for the exercises of chapter 5, losses (and its picture of
backpropagation)."""

import numpy as np

from ..activations import Softmax, Tanh, softmax
from ..dense import Dense
from ..losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy
from ..network import Network
from .verdict import CaseFailed, call, describe, expect_array, verdict

__all__ = [
    "check_mse",
    "check_binary_cross_entropy",
    "check_softmax_ce_gradient",
    "check_backprop",
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
            expected = MSE().gradient(y_pred, y_true)
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


# ---------------------------------------------------------------------------
# Exercise 5.4: backpropagation by the four equations
# ---------------------------------------------------------------------------
def _picture():
    """The network and batch of the chapter's picture."""
    x = np.array([[0.5, -1.0], [1.0, 0.5]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    w1 = np.array([[0.4, -0.6], [0.3, 0.8]])
    w2 = np.array([[1.0, -1.0], [0.5, 0.7]])
    return x, y, w1, np.array([0.2, -0.2]), w2, np.array([0.0, 0.1])


def _random_net(seed, n_in, n_hidden, n_out, n, scale=1.0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, n_in))
    y = np.eye(n_out)[rng.integers(0, n_out, n)]
    w1 = rng.standard_normal((n_in, n_hidden)) * scale
    w2 = rng.standard_normal((n_hidden, n_out)) * scale
    b1 = rng.uniform(-0.5, 0.5, n_hidden)
    b2 = rng.uniform(-0.5, 0.5, n_out)
    return x, y, w1, b1, w2, b2


def _picture_layers(w1, b1, w2, b2):
    """nnlib's Dense → Tanh → Dense → Softmax with these parameters."""
    dense1, dense2 = Dense(*w1.shape), Dense(*w2.shape)
    for layer, w, b in ((dense1, w1, b1), (dense2, w2, b2)):
        layer.params["W"][...] = w
        layer.params["b"][...] = b
    return [dense1, Tanh(), dense2, Softmax()]


def tanh_softmax_gradients(x, y, w1, b1, w2, b2):
    """The gradients of Dense -> Tanh -> Dense -> Softmax with cross-entropy
    (chapter 5's picture), as nnlib's layers compute them."""
    layers = _picture_layers(w1, b1, w2, b2)
    net = Network(layers, CategoricalCrossEntropy())
    net.backward(net.forward(x), y)
    dense1, _, dense2, _ = layers
    return {"dW1": dense1.grads["W"], "db1": dense1.grads["b"],
            "dW2": dense2.grads["W"], "db2": dense2.grads["b"]}


def _slips(x, y, w1, b1, w2, b2):
    """Typical wrong versions of each gradient, with what to say about
    them. Checked in this order; the first that matches is reported.

    Each is made by nnlib's layers from a wrong δ, or from the right
    gradients."""
    n = len(x)
    dense1, tanh, dense2, soft = _picture_layers(w1, b1, w2, b2)
    z1 = dense1.forward(x)
    p = soft.forward(dense2.forward(tanh.forward(z1)))
    d2 = CategoricalCrossEntropy().fused_gradient(p, y)
    no_slope = dense2.backward(d2)  # δ₂ W₂ᵀ, before tanh's slope
    right = tanh_softmax_gradients(x, y, w1, b1, w2, b2)

    def first_layer(delta):
        """dL/dW₁ and dL/db₁ for δ₁ = delta."""
        dense1.parameter_gradients(delta)
        return dense1.grads["W"].copy(), dense1.grads["b"].copy()

    unsloped_w, unsloped_b = first_layer(no_slope)
    slips = {
        "dW2": [(-right["dW2"], "the sign is flipped: δ₂ = (P − Y)/N, "
                 "not (Y − P)/N"),
                (right["dW2"] * n, "it is N times too large: δ₂ = "
                 "(P − Y)/N divides by the batch size N"),
                (right["dW2"].T, "it is transposed: dW₂ = A₁ᵀ δ₂, of "
                 "W₂'s shape (n_in, n_out)")],
        "db2": [(right["db2"] / n, "it is N times too small: the 1/N is "
                 "already inside δ₂, so sum over the batch, do not "
                 "average")],
        "dW1": [(unsloped_w, "δ₁ lacks tanh's slope: multiply δ₂W₂ᵀ "
                 "element-wise by f'(Z₁) = 1 − A₁²"),
                (first_layer(no_slope * (1 - z1**2))[0], "tanh's slope "
                 "at Z₁ is 1 − tanh(Z₁)² = 1 − A₁², not 1 − Z₁²"),
                (right["dW1"].T, "it is transposed: "
                 "dW₁ = Xᵀ δ₁, of W₁'s shape (n_in, n_hidden)")],
        "db1": [(right["db1"] / n, "it is N times "
                 "too small: the 1/N is already inside δ₁, so sum over "
                 "the batch, do not average"),
                (unsloped_b, "δ₁ lacks tanh's slope: multiply "
                 "δ₂W₂ᵀ element-wise by f'(Z₁) = 1 − A₁²")],
    }
    if w2.shape[0] == w2.shape[1]:
        untransposed = tanh.backward(d2 @ w2)
        slips["dW1"].append((first_layer(untransposed)[0],
                             "δ₁ = (δ₂ W₂ᵀ) ⊙ f'(Z₁) multiplies by W₂ "
                             "transposed"))
    return slips


def check_backprop(backprop):
    """Exercise 5.4: ``backprop(X, Y, W1, b1, W2, b2)`` returns the
    gradients ``dW1, db1, dW2, db2`` of Dense → Tanh → Dense → Softmax with
    categorical cross-entropy, computed with the four equations.

    The gradients are compared with nnlib's layers, from the output layer
    back; the verdict names the first one that differs and, where it
    recognises the slip, what went wrong.
    """
    order = ("dW1", "db1", "dW2", "db2")

    def make_case(data):
        def case():
            given = [a.copy() for a in data]
            got = call(backprop, *given,
                       what="backprop(X, Y, W1, b1, W2, b2)")
            if not isinstance(got, (tuple, list)) or len(got) != 4:
                raise CaseFailed(
                    "backprop should return four arrays, "
                    "dW1, db1, dW2, db2, got "
                    f"{type(got).__name__}"
                    + (f" of length {len(got)}"
                       if isinstance(got, (tuple, list)) else ""))
            got = dict(zip(order, got))
            expected = tanh_softmax_gradients(*data)
            slips = _slips(*data)
            for name in ("dW2", "db2", "dW1", "db1"):  # the backward order
                _compare(name, got[name], expected[name], slips[name])

        return case

    def _compare(name, got, expected, slips):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise CaseFailed(f"{name} should be a NumPy array, got "
                             f"{type(got).__name__}") from None
        if got.shape != expected.shape:
            hint = ""
            if name.startswith("db") and got.ndim == 2:
                hint = (": sum δ over the batch (axis 0), one entry per "
                        "unit; every sample's copy of b adds its "
                        "gradient (the fork rule)")
            elif got.shape == expected.shape[::-1]:
                hint = (f": it is transposed, {name} = Aᵀ δ has the "
                        "shape of the weights")
            raise CaseFailed(f"{name} should have shape {expected.shape}, "
                             f"the shape of {name[1:]}, got {got.shape}"
                             f"{hint}")
        if np.allclose(got, expected, rtol=1e-6, atol=1e-10):
            return
        for wrong, why in slips:
            if np.allclose(got, wrong, rtol=1e-6, atol=1e-10):
                raise CaseFailed(f"{name} is wrong: {why}")
        raise CaseFailed(f"{name}: expected {describe(expected)}, got "
                         f"{describe(got)}")

    return verdict(
        "backprop",
        [
            ("the picture's network (2-2-2, 2 samples)",
             make_case(_picture())),
            ("a 3-4-2 network on 5 samples",
             make_case(_random_net(1, 3, 4, 2, 5))),
            ("a 4-3-5 network on one sample",
             make_case(_random_net(2, 4, 3, 5, 1))),
            ("a 5-6-3 network on 8 samples, large weights",
             make_case(_random_net(3, 5, 6, 3, 8, scale=3.0))),
        ],
    )
