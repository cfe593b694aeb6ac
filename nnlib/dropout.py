"""Dropout: a layer that silences a random part of its input while the
network trains and lets everything through when it predicts (chapter 12,
regularisation and diagnosis)."""
import numpy as np

from .layer import Layer
from .validate import fraction, whole_number


def mask_seed(seed):
    """``seed`` as None or a whole number >= 0, which a file can store."""
    if seed is None:
        return None
    seed = whole_number(seed, "Dropout's seed", "None or a whole number")
    if seed < 0:
        raise ValueError(f"Dropout's seed must be >= 0, got {seed}")
    return seed


class Dropout(Layer):
    r"""Inverted dropout (Srivastava et al., 2014): ``y = x ∘ m``.

    While training, each entry of the mask m is 1/(1 − rate) with
    probability 1 − rate and 0 otherwise, drawn afresh for every batch,
    so each unit's expected output equals its input. When the network
    predicts (``training`` False) the layer is the identity: nothing to
    rescale, since the scaling was done during training.

    Backward multiplies by the same mask, dL/dx = dL/dy ∘ m: a dropped
    unit passes no gradient back. Masks come from the layer's own
    generator, ``np.random.default_rng(seed)``, through ``draw_mask``,
    the one place randomness enters (a test may override it to fix m).
    """

    training = True  # Network.predict and evaluate turn it off

    def __init__(self, rate, *, seed=None):
        super().__init__()
        self.rate = fraction(rate, "Dropout's rate")  # the part dropped
        self.seed = mask_seed(seed)
        self.rng = np.random.default_rng(self.seed)
        self.mask = None

    def forward(self, x):
        if not self.training or self.rate == 0.0:
            self.mask = None  # backward is the identity too
            return x
        self.mask = self.draw_mask(np.shape(x), np.asarray(x).dtype)
        return x * self.mask

    def backward(self, grad_output):
        if self.mask is None:
            return grad_output
        return grad_output * self.mask

    def parameter_gradients(self, grad_output):
        """Nothing to fill: Dropout has no parameters."""

    def draw_mask(self, shape, dtype):
        """A (shape) array of 0 and 1/(1 − rate), in float32 for float32
        inputs (half the random bits of float64)."""
        dtype = np.dtype(np.float32 if dtype == np.float32 else np.float64)
        keep = 1.0 - self.rate
        kept = self.rng.random(shape, dtype=dtype) < keep
        return kept * dtype.type(1.0 / keep)

    def config(self):
        return {"rate": self.rate, "seed": self.seed}
