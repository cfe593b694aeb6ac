"""Activation layers: the non-linear step between two dense layers
(chapter 4, activations).

Element-wise activations share one class, :class:`Activation`, which applies
``f`` forward and multiplies the incoming gradient by ``f_prime(x)`` on the
way back (the chain rule, one element at a time). Tanh and sigmoid keep
their output instead, since their derivatives are functions of it. Softmax
mixes the elements of a row, so it has its own backward.
"""
import numpy as np

from .layer import Layer


class Activation(Layer):
    """``y = f(x)`` element-wise; backward returns grad_output * f_prime(x).

    ``f_prime`` is the derivative as a function of the layer's *input* x.
    """

    def __init__(self, f, f_prime):
        super().__init__()
        if not callable(f) or not callable(f_prime):
            raise TypeError(
                "Activation needs two functions f and f_prime, got "
                f"{type(f).__name__} and {type(f_prime).__name__}")
        self.f = f
        self.f_prime = f_prime

    def forward(self, x):
        self.x = x
        return self.f(x)

    def backward(self, grad_output):
        return grad_output * self.f_prime(self.x)

    def config(self):
        if type(self) is Activation:
            raise TypeError(
                "an Activation built from your own functions cannot be "
                "saved; subclass it with a name instead")
        return {}


def tanh(x):
    return np.tanh(x)


def tanh_prime(x):
    return 1.0 - np.tanh(x) ** 2


def sigmoid(x):
    """1 / (1 + e^-x), computed as exp(-log(1 + e^-x)): no exp overflows."""
    return np.exp(-np.logaddexp(0.0, -x))


def sigmoid_prime(x):
    """σ(x)(1 − σ(x)) written as σ(x)σ(−x): 1 − σ(x) rounds to 0 for
    x > 37, but σ(−x) keeps every digit out in the tail."""
    return sigmoid(x) * sigmoid(-x)


def relu(x):
    return np.maximum(x, 0.0)


def relu_prime(x):
    return (x > 0).astype(x.dtype)


class Tanh(Layer):
    """y = tanh(x), outputs in (−1, 1). The derivative 1 − tanh²(x) is
    1 − y², so forward keeps its output y and backward needs no second
    tanh (Exercise 4.5); the input is left alone."""

    def forward(self, x):
        self.y = tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1.0 - self.y**2)


class Sigmoid(Layer):
    """y = σ(x) = 1 / (1 + e^−x), values in (0, 1). The derivative
    σ(x)(1 − σ(x)) is y(1 − y), so forward keeps its output y. Where y
    rounds to 1 (x > 37 in float64) this gives 0 for a true σ' < 1e-16."""

    def forward(self, x):
        self.y = sigmoid(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (self.y * (1.0 - self.y))


class ReLU(Activation):
    """max(x, 0), with derivative 1 for x > 0 and 0 otherwise."""

    def __init__(self):
        super().__init__(relu, relu_prime)


def softmax(x):
    """Row-wise softmax; subtracting each row's maximum keeps exp ≤ 1."""
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


class Softmax(Layer):
    r"""Turns each row of scores into probabilities,
    s_i = e^{x_i} / Σ_k e^{x_k}.

    Its Jacobian is ∂s_i/∂x_j = s_i (δ_ij − s_j), so the backward pass needs
    no matrix at all: dL/dx = s ∘ (g − Σ_j g_j s_j) for each row, where
    g = dL/ds.
    """

    def forward(self, x):
        self.s = softmax(x)
        return self.s

    def backward(self, grad_output):
        s = self.s
        g = grad_output
        return s * (g - np.sum(g * s, axis=1, keepdims=True))
