"""Optimizers: the update rule, kept out of the layers so it can change
(chapter 10, training better).

``optimizer.step(layers)`` moves every parameter of every layer against its
gradient, in place: the arrays the layers compute with are the ones updated.
"""
import math

import numpy as np

from .validate import fraction, positive_float


class Optimizer:
    """The contract of an optimizer: a subclass defines
    ``update(param, grad, key)``, which changes one parameter array in place
    from its gradient, and ``config()``, the constructor arguments that
    rebuild it.

    ``step(layers)`` counts the step in ``t`` and calls ``update`` for every
    parameter, with a ``key`` such as ``"layer0.W"`` that names it. What an
    optimizer remembers between steps (a velocity, running means) lives in
    ``state``, arrays made by ``slots(key, param, count)``: a saved network
    keeps them, so training resumes where it stopped.
    """

    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.state = {}
        self.t = 0

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = positive_float(value, "learning_rate")

    def reset(self):
        """Forget the step count and the state (after a divergence)."""
        self.state.clear()
        self.t = 0

    def step(self, layers):
        self.t += 1
        for i, layer in enumerate(layers):
            for name, param in layer.params.items():
                self.update(param, layer.grads[name], f"layer{i}.{name}")

    def update(self, param, grad, key):
        name = type(self).__name__
        raise NotImplementedError(
            f"{name} must define update(param, grad, key)")

    def slots(self, key, param, count):
        """``count`` zero arrays shaped like ``param``, made on first use."""
        if key not in self.state:
            self.state[key] = [np.zeros_like(param) for _ in range(count)]
        return self.state[key]

    def config(self):
        """The constructor arguments that rebuild this optimizer."""
        return {"learning_rate": self.learning_rate}

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        except Exception:  # an optimizer that cannot be saved is shown
            args = "..."
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Gradient descent, θ ← θ − η ∇θ; with momentum μ > 0 a velocity keeps
    going where the gradients have been pointing: v ← μ v − η ∇θ,
    θ ← θ + v."""

    def __init__(self, learning_rate=0.01, momentum=0.0):
        super().__init__(learning_rate)
        self.momentum = fraction(momentum, "momentum")

    def update(self, param, grad, key):
        if self.momentum == 0.0:
            param -= self.learning_rate * grad
            return
        (v,) = self.slots(key, param, 1)
        v *= self.momentum
        v -= self.learning_rate * grad
        param += v

    def config(self):
        return {"learning_rate": self.learning_rate,
                "momentum": self.momentum}


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): a step per parameter scaled by running means
    of the gradient (m) and of its square (v), both corrected for their start
    at zero:

        m ← β1 m + (1 − β1) g         m̂ = m / (1 − β1ᵗ)
        v ← β2 v + (1 − β2) g²        v̂ = v / (1 − β2ᵗ)
        θ ← θ − η m̂ / (√v̂ + ε)
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 eps=1e-8):
        super().__init__(learning_rate)
        self.beta1 = fraction(beta1, "beta1")
        self.beta2 = fraction(beta2, "beta2")
        self.eps = positive_float(eps, "eps")
        self.scratch = {}  # working space per parameter, not state

    def update(self, param, grad, key):
        # Each line below overwrites one of three arrays kept per parameter
        # (m, v and a scratch array): the rule written with NumPy's
        # temporaries, m / (1 − β1ᵗ) and so on, would make a new array per
        # operation, which costs a third more time on MNIST's weights.
        m, v = self.slots(key, param, 2)
        if key not in self.scratch:
            self.scratch[key] = np.empty_like(param)
        scratch = self.scratch[key]
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1                                     # m ← β1 m
        m += np.multiply(grad, 1 - b1, out=scratch)  # ... + (1 − β1) g
        v *= b2                                     # v ← β2 v
        np.multiply(grad, grad, out=scratch)
        v += np.multiply(scratch, 1 - b2, out=scratch)  # ... + (1 − β2) g²
        # m̂ / (√v̂ + ε) = m / (√v + ε c) · c / (1 − β1ᵗ), c = √(1 − β2ᵗ):
        # the two corrections become scalars. Python floats, as NumPy
        # float64 scalars would turn every float32 operation into float64.
        c = math.sqrt(1 - b2**t)
        np.sqrt(v, out=scratch)
        scratch += self.eps * c                      # √v + ε c
        np.divide(m, scratch, out=scratch)
        param -= np.multiply(scratch, self.learning_rate * c / (1 - b1**t),
                             out=scratch)

    def config(self):
        return {"learning_rate": self.learning_rate, "beta1": self.beta1,
                "beta2": self.beta2, "eps": self.eps}


def decay_rate(value):
    """``weight_decay`` as a float >= 0."""
    return 0.0 if value == 0 else positive_float(value, "weight_decay")


class DecoupledWeightDecay:
    """Mixed into an optimizer: before its step, every weight matrix
    shrinks, W ← (1 − ηλ) W, with λ = ``self.weight_decay``. Biases and
    other vectors (``ndim == 1``) are not decayed."""

    def step(self, layers):
        shrink = 1.0 - self.learning_rate * self.weight_decay
        if shrink != 1.0:
            for layer in layers:
                for param in layer.params.values():
                    if param.ndim > 1:
                        param *= shrink
        super().step(layers)


class SGDW(DecoupledWeightDecay, SGD):
    """SGD (with optional momentum) and decoupled weight decay, the
    "SGDW" of Loshchilov & Hutter (2019): before each update,
    W ← (1 − ηλ) W for every weight matrix W.

    Without momentum this is exactly gradient descent on the loss plus
    the L2 penalty (λ/2) Σ ‖W‖² (Krogh & Hertz, 1992), whose gradient is
    λW. With momentum it is not: an L2 gradient would also build up in
    the velocity and decay about 1/(1 − μ) times more.
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, weight_decay=0.0):
        super().__init__(learning_rate, momentum)
        self.weight_decay = decay_rate(weight_decay)

    def config(self):
        return {**super().config(), "weight_decay": self.weight_decay}


class AdamW(DecoupledWeightDecay, Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019):
    W ← (1 − ηλ) W before Adam's step. An L2 gradient λW added to g
    would instead be divided by √v̂ like the rest of g, so weights with
    large gradients would hardly be decayed; decoupled, every weight
    shrinks by the same factor."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 eps=1e-8, weight_decay=0.0):
        super().__init__(learning_rate, beta1, beta2, eps)
        self.weight_decay = decay_rate(weight_decay)

    def config(self):
        return {**super().config(), "weight_decay": self.weight_decay}
