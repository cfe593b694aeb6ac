"""Checkers for the exercises of chapter 7, XOR.

* ``check_log_loss_prime(log_loss_prime)``: the article's dL/da of the
  log-loss of one example.
* ``check_xor_weights(W1, b1, W2, b2)``: hand-picked weights of a 2-2-1
  sigmoid
  network that computes XOR.
* ``check_train_xor(train_xor)``: a hand-written training loop (forward,
  cost,
  backward, update) that returns the cost of every epoch.
"""

import numpy as np

from ..activations import Sigmoid, Tanh, sigmoid
from ..data import xor
from ..dense import Dense
from ..losses import BinaryCrossEntropy
from ..network import Network
from ..optimizers import SGD
from .verdict import CaseFailed, call, describe, expect_array, verdict

__all__ = ["check_log_loss_prime", "check_xor_weights", "check_train_xor"]

XOR_X, XOR_Y = xor()


# ---------------------------------------------------------------------------
# Exercise: the derivative of the log-loss
# ---------------------------------------------------------------------------
def _log_loss(a, y):
    return -(y * np.log(a) + (1 - y) * np.log(1 - a))


def check_log_loss_prime(log_loss_prime):
    """Check ``log_loss_prime(a, y)``: dL/da element-wise, no averaging.

    The value is compared with nnlib's gradient of the log-loss, with a
    finite difference of the log-loss itself, and, multiplied by
    σ'(z) = a(1 − a), with the gradient with respect to z.
    """

    def case(a, y, with_fd=False):
        def run():
            a_arr, y_arr = np.array(a, dtype=float), np.array(y, dtype=float)
            got = call(
                log_loss_prime,
                a_arr.copy(),
                y_arr.copy(),
                what="log_loss_prime(a, y)",
            )
            # nnlib's gradient of the mean log-loss, times the number of
            # elements: the derivative of each example's own loss
            expected = (BinaryCrossEntropy().gradient(a_arr, y_arr)
                        * a_arr.size)
            context = (f"log_loss_prime(a, y) for a = {describe(a_arr)} and "
                       f"y = {describe(y_arr)}")
            if (
                isinstance(got, np.ndarray)
                and got.shape == expected.shape
                and np.allclose(got, -expected)
            ):
                raise CaseFailed(
                    f"{context}: got {describe(got)}, the expected values "
                    "with the wrong sign "
                    "(the log-loss has a minus sign in front)"
                )
            if (
                isinstance(got, np.ndarray)
                and got.shape == expected.shape
                and np.allclose(got, a_arr - y_arr)
                and not np.allclose(expected, a_arr - y_arr)
            ):
                raise CaseFailed(
                    f"{context}: got {describe(got)}, which is a − y: that "
                    "is the gradient with "
                    "respect to z after the sigmoid, not with respect to a"
                )
            if (
                isinstance(got, np.ndarray)
                and got.shape == expected.shape
                and a_arr.size > 1
                and np.allclose(got, expected / a_arr.size)
            ):
                raise CaseFailed(
                    f"{context}: got {describe(got)}, the expected values "
                    "divided by the number "
                    "of elements: the derivative of one example's loss has "
                    "no 1/m"
                )
            expect_array(got, expected, context)
            if with_fd:
                eps = 1e-6
                numeric = (
                    _log_loss(a_arr + eps, y_arr)
                    - _log_loss(a_arr - eps, y_arr)
                ) / (2 * eps)
                expect_array(
                    got,
                    numeric,
                    f"{context}, compared with finite differences of the "
                    "log-loss",
                    rtol=1e-5,
                )
            expect_array(
                np.asarray(got) * a_arr * (1 - a_arr),
                a_arr - y_arr,
                f"{context} times σ'(z) = a(1 − a)",
            )

        return run

    return verdict(
        "log_loss_prime",
        [
            (
                "one prediction a = 0.8 with target y = 1",
                case([[0.8]], [[1.0]]),
            ),
            (
                "one prediction a = 0.8 with target y = 0",
                case([[0.8]], [[0.0]]),
            ),
            (
                "four XOR predictions, shape (4, 1)",
                case(
                    [[0.1], [0.7], [0.6], [0.2]],
                    [[0.0], [1.0], [1.0], [0.0]],
                    True,
                ),
            ),
            (
                "a batch of shape (2, 3)",
                case(
                    [[0.3, 0.5, 0.9], [0.05, 0.6, 0.4]],
                    [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]],
                    True,
                ),
            ),
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: XOR by hand
# ---------------------------------------------------------------------------
def _as_array(value, name, shape):
    if not isinstance(value, (np.ndarray, list, tuple)):
        raise CaseFailed(
            f"{name} should be a NumPy array of shape {shape}, got "
            f"{type(value).__name__}"
        )
    arr = np.asarray(value, dtype=float)
    if arr.shape != shape:
        hint = (
            " (is it transposed? nnlib's W has shape (n_in, n_out))"
            if arr.shape == shape[::-1]
            else ""
        )
        raise CaseFailed(
            f"{name} should have shape {shape}, got shape {arr.shape}{hint}"
        )
    if not np.isfinite(arr).all():
        raise CaseFailed(f"{name} should be finite, got {describe(arr)}")
    return arr


def check_xor_weights(W1, b1, W2, b2):
    """Check hand-picked weights of ``x → σ(x W1 + b1) → σ(h W2 + b2)``.

    Shapes: W1 (2, 2), b1 (2,), W2 (2, 1), b2 (1,). On each of the four XOR
    inputs the output must be above 0.9 for target 1 and below 0.1 for target
    0.
    """
    arrays = {}

    def shapes():
        arrays["W1"] = _as_array(W1, "W1", (2, 2))
        arrays["b1"] = _as_array(b1, "b1", (2,))
        arrays["W2"] = _as_array(W2, "W2", (2, 1))
        arrays["b2"] = _as_array(b2, "b2", (1,))

    def point(i):
        def run():
            x, target = XOR_X[i : i + 1], XOR_Y[i, 0]
            h = sigmoid(x @ arrays["W1"] + arrays["b1"])
            out = float(sigmoid(h @ arrays["W2"] + arrays["b2"])[0, 0])
            ok = out > 0.9 if target == 1 else out < 0.1
            if not ok:
                want = "above 0.9" if target == 1 else "below 0.1"
                raise CaseFailed(
                    f"for x = {XOR_X[i].tolist()} the network outputs "
                    f"{out:.4f} (hidden units "
                    f"{np.round(h[0], 4).tolist()}); XOR is {int(target)}, "
                    f"so the output should be {want}"
                )

        return run

    cases = [("the shapes of W1, b1, W2, b2", shapes)]
    cases += [
        (f"the input x = {XOR_X[i].astype(int).tolist()}", point(i))
        for i in range(4)
    ]
    return verdict("xor weights", cases)


# ---------------------------------------------------------------------------
# Exercise: the training loop
# ---------------------------------------------------------------------------
def _xor_net(seed, learning_rate):
    rng = np.random.default_rng(seed)
    layers = [
        Dense(2, 3, init="unit", rng=rng),
        Tanh(),
        Dense(3, 1, init="unit", rng=rng),
        Sigmoid(),
    ]
    return Network(layers, BinaryCrossEntropy(), SGD(learning_rate))


def check_train_xor(train_xor, *, seed=0, epochs=600, learning_rate=0.5):
    """Check ``train_xor(net, x, y, epochs)`` -> the list of the cost of
    every epoch.

    Each epoch: forward the four examples, record the cost of that forward
    pass, backward, one optimizer step. The checker trains a fresh network
    with the learner's loop and with nnlib's ``Network.train_step``, from
    the same weights, and compares the two cost histories; the trained
    network must then get all four cases right.
    """
    state = {}

    def run_loop():
        net = _xor_net(seed, learning_rate)
        x, y = XOR_X.copy(), XOR_Y.copy()
        state["first"] = net.loss(net.forward(x), y)
        state["net"] = net
        state["costs"] = call(
            train_xor,
            net,
            x,
            y,
            epochs,
            what=f"train_xor(net, x, y, epochs={epochs})",
        )
        reference = _xor_net(seed, learning_rate)
        state["reference"] = [
            reference.train_step(XOR_X, XOR_Y)[0] for _ in range(epochs)
        ]

    def history_shape():
        costs = state["costs"]
        if not isinstance(costs, (list, tuple, np.ndarray)):
            raise CaseFailed(
                "train_xor should return the list of costs, one per epoch, "
                f"got {type(costs).__name__}"
            )
        costs = np.asarray(costs, dtype=float).ravel()
        if costs.size != epochs:
            raise CaseFailed(
                f"train_xor(..., epochs={epochs}) should return {epochs} "
                f"costs, one per epoch, got {costs.size}"
            )
        if not np.isfinite(costs).all():
            raise CaseFailed(
                f"the costs should be finite, got {describe(costs)}"
            )
        state["costs"] = costs

    def first_cost():
        got, want = state["costs"][0], state["first"]
        if not np.isclose(got, want, rtol=1e-6):
            raise CaseFailed(
                "the first cost should be the cost of the untrained "
                f"network, {want:.4f}, got {got:.4f} "
                "(record the cost of each forward pass before the update)"
            )

    def decreases():
        costs = state["costs"]
        if not costs[-1] < 0.5 * costs[0]:
            raise CaseFailed(
                "the cost should fall during training, but it went from "
                f"{costs[0]:.4f} to {costs[-1]:.4f} "
                "(does the loop call backward and then optimizer.step?)"
            )

    def matches_reference():
        costs, ref = state["costs"], np.asarray(state["reference"])
        bad = np.flatnonzero(~np.isclose(costs, ref, rtol=1e-6, atol=1e-9))
        if bad.size:
            i = int(bad[0])
            raise CaseFailed(
                f"epoch {i + 1}: expected cost {ref[i]:.6f}, got "
                f"{costs[i]:.6f} "
                "(one forward, one backward and one optimizer step per "
                "epoch, on all four examples)"
            )

    def all_right():
        out = state["net"].predict(XOR_X)
        wrong = np.flatnonzero((out >= 0.5) != (XOR_Y >= 0.5))
        if wrong.size:
            raise CaseFailed(
                "after training the network outputs "
                f"{np.round(out.ravel(), 4).tolist()} for the four "
                f"XOR inputs: it gets {4 - wrong.size} of 4 right"
            )

    return verdict(
        "train_xor",
        [
            (f"training a 2-3-1 network for {epochs} epochs", run_loop),
            ("the returned history", history_shape),
            ("the first recorded cost", first_cost),
            ("the cost going down", decreases),
            ("the cost of every epoch", matches_reference),
            ("the trained network's answers", all_right),
        ],
    )
