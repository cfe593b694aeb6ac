"""Checkers for the exercises of chapter 11, nnlib against Keras.

* ``check_value_ops(Value, tanh, power)``: two operations for the
  chapter's scalar autodiff ``Value``, their values and the gradients
  ``backward()`` leaves, up to chapter 5's network compared with nnlib's.
* ``check_keras_model(keras_model)``: the Keras model equivalent to an nnlib
  network, weights included, predicting what the network predicts.
* ``check_adam_epsilon(keras_epsilon)``: the Keras Adam ``epsilon`` that
  makes Keras' step equal nnlib's at step t.

Keras is imported inside ``check_keras_model`` only, so the other checkers
(and ``import nnlib.checks``) work without it.
"""

import os

import numpy as np

from ..activations import ReLU, Sigmoid, Softmax, Tanh
from ..dense import Dense
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy, MSE
from ..network import Network
from .expected import cases as expected_cases
from .losses import tanh_softmax_gradients
from .verdict import CaseFailed, call, describe, verdict

__all__ = ["check_value_ops", "check_keras_model", "check_adam_epsilon"]

# The architectures the checkers try, from a single layer to a deeper stack.
ARCHITECTURES = {
    "Dense(3, 2) alone": lambda rng: Network([Dense(3, 2, rng=rng)], MSE()),
    "Dense(4, 5) → Tanh → Dense(5, 3) → Softmax": lambda rng: Network(
        [Dense(4, 5, rng=rng), Tanh(), Dense(5, 3, rng=rng), Softmax()],
        CategoricalCrossEntropy(),
    ),
    "Dense(2, 3) → Tanh → Dense(3, 1) → Sigmoid": lambda rng: Network(
        [Dense(2, 3, rng=rng), Tanh(), Dense(3, 1, rng=rng), Sigmoid()],
        BinaryCrossEntropy(),
    ),
    "Dense(6, 4) → ReLU → Dense(4, 4) → ReLU → Dense(4, 2) → "
    "Softmax": lambda rng: (
        Network(
            [
                Dense(6, 4, rng=rng),
                ReLU(),
                Dense(4, 4, rng=rng),
                ReLU(),
                Dense(4, 2, rng=rng),
                Softmax(),
            ],
            CategoricalCrossEntropy(),
        )
    ),
}


def _network(name, seed):
    """An nnlib network of the named architecture with non-zero biases, so a
    forgotten bias shows."""
    rng = np.random.default_rng(seed)
    net = ARCHITECTURES[name](rng)
    for layer in net.layers:
        if isinstance(layer, Dense):
            layer.params["b"][...] = np.round(
                rng.uniform(-0.5, 0.5, size=layer.n_out), 2
            )
    return net


# ---------------------------------------------------------------------------
# Exercise: two more operations for the scalar autodiff Value
# ---------------------------------------------------------------------------
def _value_network(Value, tanh, data):
    """Dense → Tanh → Dense → Softmax with cross-entropy, one Value at a
    time, built from +, *, exp, log and the learner's tanh only; returns
    the loss and the parameters as nested lists of Values."""
    x, labels, arrays = data
    params = [[[Value(float(v)) for v in row] for row in np.atleast_2d(a)]
              for a in arrays]
    w1, b1, w2, b2 = params

    def dense(rows, w, b):
        out = []
        for row in rows:
            out.append([])
            for j in range(len(b[0])):
                total = b[0][j]
                for i, xi in enumerate(row):
                    total = total + xi * w[i][j]
                out[-1].append(total)
        return out

    inputs = [[Value(float(v)) for v in row] for row in x]
    hidden = [[tanh(z) for z in row] for row in dense(inputs, w1, b1)]
    loss = Value(0.0)
    for row, c in zip(dense(hidden, w2, b2), labels):
        sum_exp = row[0].exp()
        for z in row[1:]:
            sum_exp = sum_exp + z.exp()
        loss = loss + sum_exp.log() + row[c] * Value(-1.0)
    return loss * Value(1.0 / len(x)), params


def _nnlib_network(data):
    """nnlib's gradients for the network of chapter 5's picture."""
    x, labels, arrays = data
    grads = tanh_softmax_gradients(x, np.eye(arrays[2].shape[1])[labels],
                                   *arrays)
    return [grads[name] for name in ("dW1", "db1", "dW2", "db2")]


def _network_data(seed, n_in, n_hidden, n_out, n):
    if seed is None:                          # chapter 5's picture
        x = np.array([[0.5, -1.0], [1.0, 0.5]])
        return x, np.array([0, 1]), [
            np.array([[0.4, -0.6], [0.3, 0.8]]), np.array([0.2, -0.2]),
            np.array([[1.0, -1.0], [0.5, 0.7]]), np.array([0.0, 0.1])]
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((n, n_in)), rng.integers(0, n_out, n),
            [rng.standard_normal((n_in, n_hidden)),
             rng.uniform(-0.5, 0.5, n_hidden),
             rng.standard_normal((n_hidden, n_out)),
             rng.uniform(-0.5, 0.5, n_out)])


def check_value_ops(Value, tanh, power):
    """Check the learner's ``tanh(x)`` and ``power(x, k)`` for the chapter's
    scalar autodiff ``Value``: the value each returns, and the gradients
    that ``backward()`` then leaves in ``.grad``, on single operations,
    chains, forks and two small networks compared with nnlib's."""
    if not isinstance(Value, type):
        return verdict("tanh and power", [("the arguments", _raise(
            "pass the class Value itself first, then your functions: "
            "check_value_ops(Value, tanh, power)"))])

    def run(build, name):
        """Build an expression with the learner's code and backpropagate
        through it; returns the output and the input Values."""
        out, inputs = call(build, what=name)
        if not isinstance(out, Value):
            raise CaseFailed(f"{name} should return a new Value, got "
                             f"{type(out).__name__}")
        call(out.backward, what=f"backward() through {name}")
        return out, inputs

    def expect_value(name, out, expected):
        if not np.isclose(out.data, expected, rtol=1e-9, atol=1e-12):
            raise CaseFailed(f"{name} should hold {expected:.6g}, got "
                             f"{out.data:.6g}")

    def expect_grad(name, which, v, expected, slips):
        if np.isclose(v.grad, expected, rtol=1e-6, atol=1e-9):
            return
        for wrong, why in slips:
            if np.isclose(v.grad, wrong, rtol=1e-6, atol=1e-9):
                raise CaseFailed(f"after {name}, {which}.grad is "
                                 f"{v.grad:.6g} instead of {expected:.6g}: "
                                 f"{why}")
        raise CaseFailed(f"after {name}, {which}.grad should be "
                         f"{expected:.6g}, got {v.grad:.6g}")

    no_input = ("backward() never reached x: give the new Value x as its "
                "input, Value(result, (x,)), and set its _propagate")
    overwrite = ("x is used twice, a fork, so its gradient is the sum of "
                 "both branches'; add to x.grad with +=, do not assign it")
    no_chain = ("multiply the local derivative by out.grad (the chain "
                "rule): the gradient arriving from above")

    def tanh_case(x0, data):
        def case():
            name = f"tanh(x) at x = {x0}"
            out, (x,) = run(lambda: ((lambda x: (tanh(x), (x,)))(
                Value(x0))), name)
            expect_value(name, out, float(data["value"]))
            expect_grad(name, "x", x, float(data["grad"]), [
                (0.0, no_input),
                (float(data["slip"]), "tanh's slope is 1 − tanh(x)², taken "
                 "at the "
                 "output t = tanh(x), not 1 − x²"),
                (1.0, "x.grad is out.grad alone: multiply it by tanh's "
                 "slope 1 − t²")])
        return case

    def chain_case(data):
        x0 = 0.3
        name = "tanh(x * 2) * 3 at x = 0.3"

        def build():
            x = Value(x0)
            return tanh(x * Value(2.0)) * Value(3.0), (x,)

        def case():
            out, (x,) = run(build, name)
            expect_value(name, out, float(data["value"]))
            expect_grad(name, "x", x, float(data["grad"]), [
                (0.0, no_input), (float(data["slip"]), no_chain)])
        return case

    def fork_case(label, build, x0, data):
        def case():
            out, (x,) = run(lambda: build(Value(x0)), label)
            slips = [(float(data["overwritten"]), overwrite)
                     ] if "overwritten" in data else []
            expect_grad(label, "x", x, float(data["grad"]),
                        slips + [(0.0, no_input)])
        return case

    def power_case(x0, k, data):
        def case():
            name = f"power(x, {k}) at x = {x0}"
            out, (x,) = run(lambda: ((lambda x: (power(x, k), (x,)))(
                Value(x0))), name)
            expect_value(name, out, float(data["value"]))
            hints = [
                "the derivative of x^k is k·x^(k−1): the exponent drops "
                "by one",
                "that is x^k itself: the derivative of x^k is k·x^(k−1)",
                "the derivative of x^k is k·x^(k−1), with k in front, not "
                "k − 1"]
            expect_grad(name, "x", x, float(data["grad"]), [
                (0.0, no_input),
                *zip(data["slips"].tolist(), hints, strict=True)])
        return case

    def quotient_case(data):
        a0, b0 = 3.0, 2.0
        name = "a * power(b, -1), a quotient, at a = 3, b = 2"

        def build():
            a, b = Value(a0), Value(b0)
            return a * power(b, -1), (a, b)

        def case():
            out, (a, b) = run(build, name)
            expect_value(name, out, float(data["value"]))
            expect_grad(name, "a", a, float(data["grad_a"]), [])
            expect_grad(name, "b", b, float(data["grad_b"]),
                        [(0.0, no_input)])
        return case

    def network_case(label, data):
        def case():
            loss, params = call(lambda: _value_network(Value, tanh, data),
                                what=f"the Value version of {label}")
            call(loss.backward, what=f"backward() through {label}")
            expected = _nnlib_network(data)
            for pname, values, grad in zip(("W1", "b1", "W2", "b2"),
                                           params, expected):
                got = np.array([[v.grad for v in row] for row in values])
                got = got.reshape(grad.shape)
                if not np.allclose(got, grad, rtol=1e-6, atol=1e-10):
                    raise CaseFailed(
                        f"Value's dL/d{pname} for {label} is "
                        f"{describe(got)}, nnlib's is {describe(grad)}")
        return case

    (small, large, chain, fork_tanh, twice, cube, inverse, root,
     fork_power, quotient) = expected_cases("value_ops")
    return verdict("tanh and power", [
        ("tanh of one number", tanh_case(0.5, small)),
        ("tanh of a large number", tanh_case(3.0, large)),
        ("tanh inside a chain", chain_case(chain)),
        ("a fork through tanh", fork_case(
            "tanh(x) + x at x = -0.8", lambda x: (tanh(x) + x, (x,)),
            -0.8, fork_tanh)),
        ("tanh used twice", fork_case(
            "t * t with t = tanh(x), at x = 0.7",
            lambda x: ((lambda t: t * t)(tanh(x)), (x,)),
            0.7, twice)),
        ("a cube", power_case(2.0, 3, cube)),
        ("a negative power", power_case(4.0, -1, inverse)),
        ("a square root", power_case(9.0, 0.5, root)),
        ("a fork through power", fork_case(
            "power(x, 2) + x * 3 at x = 1.5",
            lambda x: (power(x, 2) + x * Value(3.0), (x,)),
            1.5, fork_power)),
        ("a quotient of two Values", quotient_case(quotient)),
        ("chapter 5's picture, Dense(2, 2) → Tanh → Dense(2, 2) → "
         "Softmax", network_case("chapter 5's picture",
                                 _network_data(None, 2, 2, 2, 2))),
        ("a Dense(3, 4) → Tanh → Dense(4, 3) → Softmax on 5 samples",
         network_case("the 3-4-3 network", _network_data(4, 3, 4, 3, 5))),
    ])


def _raise(message):
    def case():
        raise CaseFailed(message)
    return case


# ---------------------------------------------------------------------------
# Exercise: the equivalent Keras model
# ---------------------------------------------------------------------------
def check_keras_model(keras_model):
    """Check ``keras_model(net)`` -> a Keras model predicting what
    ``net.predict`` does."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    def case(name, seed):
        def run():
            net = _network(name, seed)
            x = np.random.default_rng(100 + seed).uniform(
                -2, 2, size=(5, net.n_in)
            )
            expected = net.predict(x)
            model = call(
                keras_model, net, what=f"keras_model(net) for {name}"
            )
            if not isinstance(model, keras.Model):
                raise CaseFailed(
                    f"keras_model should return a Keras model for {name}, "
                    f"got {type(model).__name__}"
                )
            try:
                got = np.asarray(model(x.astype(np.float32)))
            except Exception as e:
                raise CaseFailed(
                    f"the model for {name} could not predict a batch of "
                    f"shape {x.shape} "
                    f"({type(e).__name__}: {str(e).splitlines()[0]})"
                ) from None
            if got.shape != expected.shape:
                raise CaseFailed(
                    f"for {name}, the model maps a batch of shape {x.shape} "
                    f"to shape {got.shape}, "
                    f"the network to {expected.shape}"
                )
            if not np.allclose(got, expected, atol=1e-5, rtol=1e-4):
                error = float(np.max(np.abs(got - expected)))
                raise CaseFailed(
                    f"for {name}, the model predicts {describe(got)} where "
                    "the network predicts "
                    f"{describe(expected)} (largest difference "
                    f"{error:.2g}): are the activations and "
                    "the copied weights the same?"
                )

        return run

    return verdict(
        "keras_model",
        [
            (name, case(name, seed))
            for seed, name in enumerate(ARCHITECTURES)
        ],
    )


# ---------------------------------------------------------------------------
# Exercise: where Adam puts its epsilon
# ---------------------------------------------------------------------------
def check_adam_epsilon(keras_epsilon):
    """Check ``keras_epsilon(eps, t, beta2)``: the epsilon Keras' Adam needs
    at step t
    to take exactly the step nnlib's ``Adam(eps=eps, beta2=beta2)`` takes."""

    def case(eps, t, beta2, data):
        def run():
            got = call(
                keras_epsilon,
                eps,
                t,
                beta2,
                what=f"keras_epsilon({eps:g}, {t}, {beta2:g})",
            )
            expected = float(data["expected"])
            try:
                value = float(got)
            except (TypeError, ValueError):
                raise CaseFailed(
                    f"keras_epsilon({eps:g}, {t}, {beta2:g}) should return "
                    "a number, "
                    f"got {type(got).__name__}"
                ) from None
            if not np.isclose(value, expected, rtol=1e-6, atol=0):
                raise CaseFailed(
                    f"keras_epsilon(eps={eps:g}, t={t}, beta2={beta2:g}): "
                    f"expected {expected:.6g}, got {value:.6g}"
                )

        return run

    first, tenth, large, low_beta2, long_run = expected_cases(
        "keras_epsilon")
    return verdict(
        "keras_epsilon",
        [
            ("the first step, t = 1", case(1e-8, 1, 0.999, first)),
            ("step t = 10", case(1e-8, 10, 0.999, tenth)),
            ("a large epsilon, t = 3", case(0.1, 3, 0.999, large)),
            ("beta2 = 0.9, t = 2", case(1e-3, 2, 0.9, low_beta2)),
            ("a long run, t = 100000",
             case(1e-7, 100_000, 0.999, long_run)),
        ],
    )
