"""The base class every layer inherits from (chapter 2, the base layer).

Training and prediction: a layer that behaves differently in the two
(Dropout, chapter 12) declares a ``training`` attribute, True by default.
``Network.predict`` and ``Network.evaluate`` run inside
``inference(layers)``, which sets it to False on every layer that has it
and puts the old values back afterwards. Training (``fit``,
``train_step``, or a loop of your own calling ``forward`` and
``backward``) leaves it True. Layers without the
attribute behave the same either way and are left alone.
"""
import contextlib


class Layer:
    """A step of the network: ``y = layer.forward(x)`` and its backward pass.

    ``forward(x)`` maps a batch ``x`` of shape (batch, n_in) to ``y`` of
    shape (batch, n_out) and remembers what the backward pass will need.

    ``backward(grad_output)`` receives dL/dy, the gradient of the loss with
    respect to this layer's output, fills ``self.grads`` with dL/dθ for every
    parameter θ, and returns dL/dx so that the layer before can go on.

    ``params`` and ``grads`` are dicts with the same keys and shapes (empty
    for a layer without parameters). ``params`` holds the very arrays that
    ``forward`` uses: an optimizer updates them in place, and a layer never
    updates itself.

    ``n_in`` and ``n_out`` are the widths a layer insists on, or None where
    it takes any width and keeps it (an activation).
    """

    n_in = None
    n_out = None

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x):
        name = type(self).__name__
        raise NotImplementedError(f"{name} must define forward(x)")

    def backward(self, grad_output):
        name = type(self).__name__
        raise NotImplementedError(
            f"{name} must define backward(grad_output)")

    def parameter_gradients(self, grad_output):
        """Fill ``grads`` only. The network's first layer has no one to pass
        dL/dx to, so it calls this; a layer that can skip the work of dL/dx
        overrides it (Dense does)."""
        self.backward(grad_output)

    def __call__(self, x):
        return self.forward(x)

    def config(self):
        """The constructor arguments that rebuild this layer, JSON-ready."""
        return {}

    @classmethod
    def param_shapes(cls, **config):
        """The shape of each parameter of ``cls(**config)``, known before it
        is built: a loader checks a file against them first."""
        return {}

    def __repr__(self):
        try:
            args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        except Exception:  # a layer that cannot be saved can still be shown
            args = "..."
        return f"{type(self).__name__}({args})"


@contextlib.contextmanager
def inference(layers):
    """Within the ``with`` block, every layer that has a ``training`` flag
    has it False (dropout off); afterwards each gets its old value back."""
    switched = [(layer, layer.training) for layer in layers
                if hasattr(layer, "training")]
    for layer, _ in switched:
        layer.training = False
    try:
        yield
    finally:
        for layer, was in switched:
            layer.training = was
