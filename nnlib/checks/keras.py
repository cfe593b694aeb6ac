"""Checkers for the exercises of chapter 11, nnlib against Keras.

* ``check_keras_weights(keras_weights)``: an nnlib network's parameters as
  the flat list ``[W1, b1, W2, b2, ...]`` that ``model.set_weights`` expects.
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
from .verdict import CaseFailed, call, describe, verdict

__all__ = ["check_keras_weights", "check_keras_model", "check_adam_epsilon"]

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
# Exercise: nnlib weights in the order Keras expects
# ---------------------------------------------------------------------------
def check_keras_weights(keras_weights):
    """Check ``keras_weights(net)`` -> [W1, b1, W2, b2, ...] for
    ``model.set_weights``."""

    def case(name, seed):
        def run():
            net = _network(name, seed)
            before = [
                p.copy()
                for layer in net.layers
                for p in layer.params.values()
            ]
            got = call(
                keras_weights, net, what=f"keras_weights(net) for {name}"
            )
            after = [
                p for layer in net.layers for p in layer.params.values()
            ]
            if not all(np.array_equal(a, b) for a, b in zip(before, after)):
                raise CaseFailed(
                    "keras_weights changed the network's parameters for "
                    f"{name}; it should only read them"
                )
            dense = [
                layer for layer in net.layers if isinstance(layer, Dense)
            ]
            expected = [
                p
                for layer in dense
                for p in (layer.params["W"], layer.params["b"])
            ]
            if not isinstance(got, (list, tuple)):
                raise CaseFailed(
                    "keras_weights should return a list of arrays for "
                    f"{name}, got {type(got).__name__}"
                )
            if len(got) != len(expected):
                shapes = [
                    np.shape(w) if w is not None else None for w in got
                ]
                raise CaseFailed(
                    f"for {name} Keras expects {len(expected)} arrays (a "
                    "kernel and a bias per Dense layer, "
                    f"activations have none), got {len(got)} with shapes "
                    f"{shapes}"
                )
            for i, (g, e) in enumerate(zip(got, expected)):
                which = (f"array {i} ({'kernel' if i % 2 == 0 else 'bias'} "
                         f"of Dense layer {i // 2 + 1})")
                if g is None or not hasattr(g, "shape"):
                    raise CaseFailed(
                        f"{which} for {name} should be a NumPy array, got "
                        f"{type(g).__name__}"
                    )
                g = np.asarray(g)
                if g.shape != e.shape:
                    hint = (
                        " (transposed? Keras kernels are (n_in, n_out), "
                        "like nnlib's W)"
                        if g.shape == e.shape[::-1]
                        else ""
                    )
                    raise CaseFailed(
                        f"{which} for {name} should have shape {e.shape}, "
                        f"got {g.shape}{hint}"
                    )
                if not np.array_equal(g, e):
                    raise CaseFailed(
                        f"{which} for {name}: expected {describe(e)}, got "
                        f"{describe(g)}"
                    )

        return run

    return verdict(
        "keras_weights",
        [
            (name, case(name, seed))
            for seed, name in enumerate(ARCHITECTURES)
        ],
    )


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

    def case(eps, t, beta2):
        def run():
            got = call(
                keras_epsilon,
                eps,
                t,
                beta2,
                what=f"keras_epsilon({eps:g}, {t}, {beta2:g})",
            )
            expected = eps * np.sqrt(1 - beta2**t)
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

    return verdict(
        "keras_epsilon",
        [
            ("the first step, t = 1", case(1e-8, 1, 0.999)),
            ("step t = 10", case(1e-8, 10, 0.999)),
            ("a large epsilon, t = 3", case(0.1, 3, 0.999)),
            ("beta2 = 0.9, t = 2", case(1e-3, 2, 0.9)),
            ("a long run, t = 100000", case(1e-7, 100_000, 0.999)),
        ],
    )
