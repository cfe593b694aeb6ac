"""Optimizers: the update rule, kept out of the layers so it can change.

``optimizer.step(layers)`` moves every parameter of every layer against its
gradient, in place: the arrays the layers compute with are the ones updated.
"""
import math

import numpy as np

from ._checks import fraction, positive_float


class Optimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate
        self.state = {}

    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self._learning_rate = positive_float(value, "learning_rate")

    def reset(self):
        """Forget velocities and moment estimates (after a divergence)."""
        self.state.clear()

    def step(self, layers):
        for layer in layers:
            for name, param in layer.params.items():
                self.update(param, layer.grads[name], (id(layer), name))

    def slots(self, key, param, count):
        """``count`` zero arrays shaped like ``param``, made on first use."""
        if key not in self.state:
            self.state[key] = [np.zeros_like(param) for _ in range(count)]
        return self.state[key]


class SGD(Optimizer):
    """Gradient descent, θ ← θ − η ∇θ; with momentum μ > 0 a velocity keeps
    going where the gradients have been pointing: v ← μ v − η ∇θ,
    θ ← θ + v."""

    def __init__(self, learning_rate=0.01, momentum=0.0):
        super().__init__(learning_rate)
        self.momentum = fraction(momentum, "momentum")

    def update(self, param, grad, key):
        velocity, scratch = self.slots(key, param, 2)
        np.multiply(grad, self.learning_rate, out=scratch)
        if self.momentum == 0.0:
            param -= scratch
            return
        velocity *= self.momentum
        velocity -= scratch
        param += velocity

    def config(self):
        return {"learning_rate": self.learning_rate,
                "momentum": self.momentum}

    def __repr__(self):
        return (f"SGD(learning_rate={self.learning_rate}, "
                f"momentum={self.momentum})")


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): a step per parameter scaled by running means
    of the gradient (m) and of its square (v), both corrected for their start
    at zero. Each update works in place, in a scratch array."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 eps=1e-8):
        super().__init__(learning_rate)
        self.beta1 = fraction(beta1, "beta1")
        self.beta2 = fraction(beta2, "beta2")
        self.eps = positive_float(eps, "eps")
        self.t = 0

    def reset(self):
        super().reset()
        self.t = 0

    def step(self, layers):
        self.t += 1
        super().step(layers)

    def update(self, param, grad, key):
        m, v, scratch = self.slots(key, param, 3)
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1
        np.multiply(grad, 1 - b1, out=scratch)
        m += scratch
        v *= b2
        np.multiply(grad, grad, out=scratch)
        scratch *= 1 - b2
        v += scratch
        # η m̂ / (√v̂ + ε) with m̂ = m / (1 − β1ᵗ), v̂ = v / (1 − β2ᵗ),
        # rearranged so that the corrections are two scalars instead of two
        # more arrays. They stay Python floats: a NumPy float64 would make
        # every float32 operation below run in float64 and cast back, seven
        # times slower.
        correction = math.sqrt(1 - b2**t)
        np.sqrt(v, out=scratch)
        scratch += self.eps * correction
        np.divide(m, scratch, out=scratch)
        scratch *= self.learning_rate * correction / (1 - b1**t)
        param -= scratch

    def config(self):
        return {"learning_rate": self.learning_rate, "beta1": self.beta1,
                "beta2": self.beta2, "eps": self.eps}

    def __repr__(self):
        args = ", ".join(f"{k}={v}" for k, v in self.config().items())
        return f"Adam({args})"
