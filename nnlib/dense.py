"""The fully connected layer: every input feeds every output (chapter 3,
the dense layer)."""
import numpy as np

from .validate import positive_int
from .layer import Layer

INITS = ("xavier", "he", "unit", "small")


def init_weights(n_in, n_out, init, rng, dtype):
    """Draw a (n_in, n_out) weight matrix.

    ``"xavier"`` (Glorot uniform, Keras' default) keeps the variance of the
    signal steady through tanh and sigmoid layers; ``"he"`` (normal, std
    sqrt(2/n_in)) does the same for ReLU, which zeroes half its inputs.
    ``"unit"`` is the articles' ``randn`` (std 1) and ``"small"`` their
    ``0.01 * randn``: kept so that the chapters can show what goes wrong.
    """
    if init == "xavier":
        limit = np.sqrt(6.0 / (n_in + n_out))
        w = rng.uniform(-limit, limit, size=(n_in, n_out))
    elif init == "he":
        w = rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
    elif init == "unit":
        w = rng.standard_normal((n_in, n_out))
    elif init == "small":
        w = rng.standard_normal((n_in, n_out)) * 0.01
    else:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    return w.astype(dtype)


class Dense(Layer):
    r"""``Y = X @ W + b``: a batch X (batch, n_in) becomes Y (batch, n_out).

    Backward, for dL/dY of shape (batch, n_out):

    * dL/dW = Xᵀ · dL/dY, shape (n_in, n_out): each weight W[i, j] links
      input i to output j, so its gradient sums x_i · δ_j over the batch;
    * dL/db = Σ over the batch of dL/dY, shape (n_out,);
    * dL/dX = dL/dY · Wᵀ, shape (batch, n_in), passed to the layer before.
    """

    def __init__(self, n_in, n_out, *, init="xavier", rng=None,
                 dtype=np.float64):
        super().__init__()
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        self.dtype = np.dtype(dtype)
        if not np.issubdtype(self.dtype, np.floating):
            raise TypeError("dtype must be a floating type such as "
                            f"np.float32, got {self.dtype}")
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        rng = np.random.default_rng(rng)
        self.params["W"] = init_weights(self.n_in, self.n_out, init, rng,
                                        self.dtype)
        self.params["b"] = np.zeros(self.n_out, dtype=self.dtype)
        self.grads["W"] = np.zeros_like(self.params["W"])
        self.grads["b"] = np.zeros_like(self.params["b"])

    def forward(self, x):
        if np.ndim(x) != 2 or np.shape(x)[1] != self.n_in:
            raise ValueError(
                f"Dense({self.n_in}, {self.n_out}) expects input of shape "
                f"(batch, {self.n_in}), got shape {np.shape(x)}")
        self.x = x
        y = x @ self.params["W"]
        y += self.params["b"]  # in place: no second (batch, n_out) array
        return y

    def backward(self, grad_output):
        self.parameter_gradients(grad_output)
        return grad_output @ self.params["W"].T

    def parameter_gradients(self, grad_output):
        """dL/dW and dL/db alone: all the network's first layer needs, since
        nothing comes before it to use dL/dX. Of the layer's three matrix
        products (XW forward; XᵀG and GWᵀ backward), this skips GWᵀ."""
        np.matmul(self.x.T, grad_output, out=self.grads["W"])
        np.sum(grad_output, axis=0, out=self.grads["b"])

    def config(self):
        return {"n_in": self.n_in, "n_out": self.n_out,
                "dtype": self.dtype.name}

    @classmethod
    def param_shapes(cls, n_in, n_out, **config):
        n_out = positive_int(n_out, "n_out")
        return {"W": (positive_int(n_in, "n_in"), n_out), "b": (n_out,)}
