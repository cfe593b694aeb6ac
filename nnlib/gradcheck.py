"""Finite differences: the independent witness that a backward pass is right
(chapter 2, the base layer).

For a small ε, (f(θ + ε) − f(θ − ε)) / 2ε differs from f'(θ) by O(ε²), so an
analytic gradient that agrees with it to many digits is almost surely right,
and one that is wrong shows a large relative error.
"""
import numpy as np

from .layer import Layer
from .losses import Loss


def numerical_gradient(f, x, eps=1e-6):
    """Centred finite-difference gradient of the scalar function ``f`` at the
    array ``x``.

    ``x`` is perturbed in place, one element at a time, and restored.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        f_plus = f()
        x[i] = saved - eps
        f_minus = f()
        x[i] = saved
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(analytic, numeric):
    """‖a − n‖ / (‖a‖ + ‖n‖), 0 when both vanish: blind to overall scale."""
    denom = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(analytic - numeric) / denom)


def check_gradients(layer, x, *, eps=1e-6, seed=0):
    """Largest relative error between ``layer``'s analytic gradients and
    finite differences.

    The layer is scored by L = Σ c ∘ layer.forward(x) with c a fixed random
    array, so dL/dy = c and every output element takes part. Both the input
    gradient and every parameter gradient are compared. Use float64 layers:
    in float32 the finite differences themselves are only good to ~1e-3.
    """
    if not isinstance(layer, Layer):
        raise TypeError("check_gradients needs an nnlib Layer, "
                        f"got {type(layer).__name__}")
    x = np.array(x, dtype=np.float64)
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(np.shape(layer.forward(x)))

    def score():
        return float(np.sum(c * layer.forward(x)))

    layer.forward(x)
    analytic = {"input": np.array(layer.backward(c), dtype=np.float64)}
    for name, g in layer.grads.items():
        analytic[name] = np.array(g, dtype=np.float64)
    numeric = {"input": numerical_gradient(score, x, eps)}
    for name, p in layer.params.items():
        numeric[name] = numerical_gradient(score, p, eps)
    errors = [relative_error(analytic[k], numeric[k]) for k in analytic]
    return max(errors)


def check_loss_gradient(loss, y_pred, y_true, *, eps=1e-6):
    """Relative error between ``loss.gradient`` and finite differences of
    ``loss``."""
    if not isinstance(loss, Loss):
        raise TypeError("check_loss_gradient needs an nnlib Loss, "
                        f"got {type(loss).__name__}")
    y_pred = np.array(y_pred, dtype=np.float64)
    y_true = np.asarray(y_true, dtype=np.float64)
    numeric = numerical_gradient(lambda: loss(y_pred, y_true), y_pred, eps)
    return relative_error(loss.gradient(y_pred, y_true), numeric)
