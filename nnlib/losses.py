"""Loss functions: one number that says how wrong a batch of predictions is
(chapter 5, losses).

``loss(y_pred, y_true)`` returns that number as a float and
``loss.gradient(y_pred, y_true)`` its gradient with respect to ``y_pred``,
the first dL/dy that the backward pass sends through the network.
"""
import numpy as np

from .validate import same_shape
from .activations import Sigmoid, Softmax

EPSILON = 1e-7
"""Predictions are clipped to [ε, 1 − ε] before a log: no log(0) ever."""


class Loss:
    """The contract of a loss: a subclass defines ``value(y_pred, y_true)``,
    the mean loss of a batch, and ``grad(y_pred, y_true)``, its gradient
    dL/dŷ (both arrays of shape (batch, n_out)).

    ``fuses_with`` names an output layer (Softmax, Sigmoid) whose backward,
    chained with ``grad``, collapses to the simpler ``fused_gradient``:
    a Network ending in that layer then starts its backward pass there and
    skips the layer's own backward (see ``Network.fuse``).

    ``check_targets(y, name)`` refuses targets the loss cannot take, and
    ``unbounded(y_pred, y_true)`` says when a loss that clips its value
    hides an infinite one.
    """

    fuses_with = None

    def __call__(self, y_pred, y_true):
        same_shape(y_pred, y_true, "y_pred", "y_true")
        return float(self.value(np.asarray(y_pred), np.asarray(y_true)))

    def gradient(self, y_pred, y_true):
        same_shape(y_pred, y_true, "y_pred", "y_true")
        return self.grad(np.asarray(y_pred), np.asarray(y_true))

    def value(self, y_pred, y_true):
        name = type(self).__name__
        raise NotImplementedError(
            f"{name} must define value(y_pred, y_true)")

    def grad(self, y_pred, y_true):
        name = type(self).__name__
        raise NotImplementedError(
            f"{name} must define grad(y_pred, y_true)")

    def fused_gradient(self, y_pred, y_true):
        name = type(self).__name__
        raise NotImplementedError(f"{name} has no fused gradient")

    def check_targets(self, y, name):
        """Any finite target will do, unless a subclass says otherwise."""

    def unbounded(self, y_pred, y_true):
        """Why the true loss is infinite where the value reported is not,
        or "" (a loss that never clips is never hiding one)."""
        return ""

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """Mean squared error over all n elements: L = mean((ŷ − y)²), with
    dL/dŷ = 2(ŷ − y) / n."""

    def value(self, y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2)

    def grad(self, y_pred, y_true):
        return 2.0 * (y_pred - y_true) / y_pred.size


class LogLoss(Loss):
    """What the two log-losses share: they clip probabilities at EPSILON, so
    the loss reported stays below −log ε ≈ 16.1 and a diverging classifier's
    loss and weights stay finite. A target given probability exactly 0
    (−log 0 = ∞) is the sign; one rounded to exactly 1 (a float32 sigmoid
    from z ≈ 17) is not."""

    def unbounded(self, y_pred, y_true):
        if np.any((y_pred == 0) & (y_true > 0)):
            return ("a target was given probability 0, so the loss is inf "
                    f"(the loss reported clips it to {EPSILON:g})")
        return ""


class BinaryCrossEntropy(LogLoss):
    """L = −mean(y log ŷ + (1 − y) log(1 − ŷ)) for outputs ŷ in (0, 1).

    After a sigmoid, the chained gradient collapses to (ŷ − y) / n.
    """

    fuses_with = Sigmoid

    def check_targets(self, y, name):
        probabilities(y, name, self)

    def value(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))

    def grad(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return (p - y_true) / (p * (1 - p)) / y_pred.size

    def fused_gradient(self, y_pred, y_true):
        return (y_pred - y_true) / y_pred.size


class CategoricalCrossEntropy(LogLoss):
    """L = −(1/N) Σ_n Σ_k y_nk log p_nk for one-hot targets y and rows of
    probabilities p.

    After a softmax, the chained gradient collapses to (p − y) / N.
    """

    fuses_with = Softmax

    def check_targets(self, y, name):
        probabilities(y, name, self)
        sums = y.sum(axis=1)
        if not np.allclose(sums, 1, atol=1e-3):
            row = int(np.argmax(np.abs(sums - 1)))
            raise ValueError(
                f"{name} must be one-hot (each row sums to 1) for "
                f"{self!r}, but row {row} sums to {sums[row]:g}: use "
                f"nnlib.data.one_hot(labels, {y.shape[1]})")

    def value(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1.0)
        return -np.sum(y_true * np.log(p)) / len(y_pred)

    def grad(self, y_pred, y_true):
        p = np.clip(y_pred, EPSILON, 1.0)
        return -y_true / p / len(y_pred)

    def fused_gradient(self, y_pred, y_true):
        return (y_pred - y_true) / len(y_pred)


def probabilities(y, name, loss):
    """Insist that targets lie in [0, 1], as a log-loss needs."""
    if ((y < 0) | (y > 1)).any():
        raise ValueError(f"{name} must lie in [0, 1] for {loss!r}, got "
                         f"values from {y.min()} to {y.max()}")
