"""Loss functions: one number that says how wrong a batch of predictions is.

``loss(y_pred, y_true)`` returns that number as a float and
``loss.gradient(y_pred, y_true)`` its gradient with respect to ``y_pred``,
the first dL/dy that the backward pass sends through the network.
"""
import numpy as np

from ._checks import same_shape
from .activations import Sigmoid, Softmax

EPSILON = 1e-7
"""Predictions are clipped to [ε, 1 − ε] before a log: no log(0) ever."""


class Loss:
    """Base class. ``fuses_with`` names the output layer whose gradient,
    chained with this loss's, collapses to the simple ``fused_gradient``."""

    fuses_with = None

    def __call__(self, y_pred, y_true):
        same_shape(y_pred, y_true, "y_pred", "y_true")
        return float(self.value(np.asarray(y_pred), np.asarray(y_true)))

    def gradient(self, y_pred, y_true):
        same_shape(y_pred, y_true, "y_pred", "y_true")
        return self.grad(np.asarray(y_pred), np.asarray(y_true))

    def fused_gradient(self, y_pred, y_true):
        name = type(self).__name__
        raise NotImplementedError(f"{name} has no fused gradient")

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error over all n elements: L = mean((ŷ − y)²), with
    dL/dŷ = 2(ŷ − y) / n."""

    def value(self, y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2)

    def grad(self, y_pred, y_true):
        return 2.0 * (y_pred - y_true) / y_pred.size


class BinaryCrossEntropy(Loss):
    """L = −mean(y log ŷ + (1 − y) log(1 − ŷ)) for outputs ŷ in (0, 1).

    After a sigmoid, the chained gradient collapses to (ŷ − y) / n.
    """

    fuses_with = Sigmoid

    def value(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))

    def grad(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return (p - y_true) / (p * (1 - p)) / y_pred.size

    def fused_gradient(self, y_pred, y_true):
        return (y_pred - y_true) / y_pred.size


class CategoricalCrossEntropy(Loss):
    """L = −(1/N) Σ_n Σ_k y_nk log p_nk for one-hot targets y and rows of
    probabilities p.

    After a softmax, the chained gradient collapses to (p − y) / N.
    """

    fuses_with = Softmax

    def value(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1.0)
        return -np.sum(y_true * np.log(p)) / len(y_pred)

    def grad(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1.0)
        return -y_true / p / len(y_pred)

    def fused_gradient(self, y_pred, y_true):
        return (y_pred - y_true) / len(y_pred)
