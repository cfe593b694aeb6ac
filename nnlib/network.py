"""A network: layers in a row, a loss, an optimizer and the training loop
(chapter 6, MNIST, trains one; chapter 9, the network class, explains it).
"""
import math

import numpy as np

from . import saving
from .layer import Layer, inference
from .losses import Loss
from .optimizers import SGD, Optimizer
from .progress import Progress
from .validate import finite_matrix, positive_int


class TrainingDiverged(FloatingPointError):
    """The loss or the weights became NaN or infinite during ``fit``, or the
    loss would have before its clipping (``Loss.unbounded``)."""


def accuracy(y_pred, y_true):
    """Fraction of rows classified right: arg-max agreement for one-hot
    targets, a 0.5 threshold for a single sigmoid output."""
    if y_true.shape[1] == 1:
        return float(np.mean((y_pred >= 0.5) == (y_true >= 0.5)))
    predicted, true = np.argmax(y_pred, axis=1), np.argmax(y_true, axis=1)
    return float(np.mean(predicted == true))


def batches(x, y, batch_size, rng=None):
    """The mini-batches of one epoch: ``(x_batch, y_batch)`` pairs of
    ``batch_size`` rows (the last holds whatever is left), in the order of
    a random permutation when an ``rng`` is given, else in order."""
    order = np.arange(len(x)) if rng is None else rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        yield x[rows], y[rows]  # new arrays: a layer may keep them


class Network:
    """A chain of layers, a loss and an optimizer, for example
    ``Network([Dense(2, 3), Tanh(), Dense(3, 1), Sigmoid()],
    BinaryCrossEntropy())``.

    ``forward`` runs the layers in order; ``backward`` runs them in reverse,
    starting from the loss gradient, and leaves dL/dθ in every layer's
    ``grads``; the optimizer then turns those into an update.

    ``fuse`` is True when the last layer is of the very class the loss
    fuses with (``loss.fuses_with``: softmax before categorical
    cross-entropy, sigmoid before binary cross-entropy): backward then
    starts from their joint gradient and never calls that layer's own
    backward. A subclass keeps its own backward; ``fuse=False`` runs the
    two apart.
    """

    def __init__(self, layers, loss, optimizer=None, *, fuse=True):
        layers = list(layers)
        if not layers:
            raise ValueError(
                "a Network needs at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"layer {i} must be an nnlib Layer, "
                                f"got {type(layer).__name__}")
        if not isinstance(loss, Loss):
            raise TypeError("loss must be an nnlib Loss such as "
                            "CategoricalCrossEntropy(), "
                            f"got {type(loss).__name__}")
        self.layers = layers
        self.loss = loss
        self.optimizer = SGD() if optimizer is None else optimizer
        if not isinstance(self.optimizer, Optimizer):
            raise TypeError("optimizer must be an nnlib Optimizer such as "
                            f"SGD(), got {type(self.optimizer).__name__}")
        last = type(layers[-1])
        self.fuse = bool(fuse) and last is loss.fuses_with
        widths_in = [layer.n_in for layer in layers]
        widths_out = [layer.n_out for layer in reversed(layers)]
        self.n_in = next((n for n in widths_in if n is not None), None)
        self.n_out = next((n for n in widths_out if n is not None), None)
        params = [p for layer in layers for p in layer.params.values()]
        self.dtype = params[0].dtype if params else np.dtype(np.float64)

    # -- the two passes and a step -------------------------------------
    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, y_pred, y_true):
        """Fill every layer's ``grads`` with dL/dθ for the batch just run.

        With ``fuse``, the gradient starts from the joint form of the last
        layer and the loss, (ŷ − y)/N, which is also exact where the
        separate ones would divide by a probability rounded to zero. The
        first layer fills its ``grads`` only: no layer before it needs
        dL/dx.
        """
        layers = self.layers
        if self.fuse:
            grad = self.loss.fused_gradient(y_pred, y_true)
            layers = layers[:-1]
        else:
            grad = self.loss.gradient(y_pred, y_true)
        first, *later = layers
        for layer in reversed(later):
            grad = layer.backward(grad)
        first.parameter_gradients(grad)

    def train_step(self, x, y):
        """One step of gradient descent on the batch (x, y); returns the
        batch's loss and the predictions it was computed from."""
        y_pred = self.forward(x)
        loss = self.loss(y_pred, y)
        self.backward(y_pred, y)
        self.optimizer.step(self.layers)
        return loss, y_pred

    # -- public entry points, which check what they are given -----------
    def predict(self, x):
        """The last layer's output for every row of x, shape (N, n_out),
        with the layers in inference mode (Dropout lets all through)."""
        x = self._inputs(x)
        with inference(self.layers):
            return self.forward(x)

    def evaluate(self, x, y):
        """``{"loss": ..., "accuracy": ...}`` on the whole of (x, y), with
        the layers in inference mode, as in ``predict``."""
        x, y = self._inputs(x), self._targets(y, len(np.asarray(x)))
        with inference(self.layers):
            y_pred = self.forward(x)
        return {"loss": self.loss(y_pred, y),
                "accuracy": accuracy(y_pred, y)}

    # NumPy's overflow warnings are silenced for the whole of fit: a
    # divergence is reported once, as a TrainingDiverged.
    @np.errstate(over="ignore", invalid="ignore")
    def fit(self, x, y, *, epochs, batch_size, learning_rate=None,
            shuffle=True, seed=None, validation_data=None, verbose=1):
        """Mini-batch training; returns the history, a dict of per-epoch
        lists.

        Each epoch visits every sample once, in batches of ``batch_size``,
        in a new order drawn from ``seed`` (in order, and ``seed`` unused,
        when ``shuffle`` is False). ``learning_rate`` sets the optimizer's
        rate for good. ``history["loss"]`` and ``history["accuracy"]`` are
        the epoch's means over its samples, as Keras reports them, scored
        while training (with Dropout on); ``val_loss`` and ``val_accuracy``
        score ``validation_data`` after each epoch.
        """
        x, y, validation = self._fit_data(x, y, validation_data)
        epochs = positive_int(epochs, "epochs")
        batch_size = positive_int(batch_size, "batch_size")
        if learning_rate is not None:
            self.optimizer.learning_rate = learning_rate
        progress = self._progress(verbose, epochs, len(x), batch_size)
        rng = np.random.default_rng(seed) if shuffle else None
        history = {}
        for epoch in range(1, epochs + 1):
            scores = self._train_epoch(
                epoch, batches(x, y, batch_size, rng), progress)
            if validation:
                val = self.evaluate(*validation)
                scores.update(val_loss=val["loss"],
                              val_accuracy=val["accuracy"])
            for key, value in scores.items():
                history.setdefault(key, []).append(value)
            if progress:
                progress.epoch_end(epoch, scores)
        return history

    def _train_epoch(self, epoch, epoch_batches, progress):
        """``train_step`` on every batch of one epoch; returns the epoch's
        ``loss`` and ``accuracy``, means over its samples.

        Both are scored on the predictions each step made before its
        update: no second forward pass. Each batch is weighted by its
        number of rows, so that every sample counts once, those of a short
        last batch too. When the loss or a weight stops being finite (or
        the loss would have, but for its clipping), ``_diverged`` stops
        training.
        """
        start = [{k: p.copy() for k, p in layer.params.items()}
                 for layer in self.layers]
        seen = loss_sum = correct = 0
        for b, (xb, yb) in enumerate(epoch_batches, 1):
            loss, y_pred = self.train_step(xb, yb)
            if not np.isfinite(loss):
                self._diverged(epoch, start, f"the loss became {loss}")
            unbounded = self.loss.unbounded(y_pred, yb)
            if unbounded:
                self._diverged(epoch, start, unbounded)
            seen += len(xb)
            loss_sum += loss * len(xb)
            correct += accuracy(y_pred, yb) * len(xb)
            if progress:
                progress.batch(epoch, b, loss_sum / seen)
        if not all(np.isfinite(p).all() for layer in self.layers
                   for p in layer.params.values()):
            self._diverged(epoch, start,
                           "the weights became NaN or infinite")
        return {"loss": loss_sum / seen, "accuracy": correct / seen}

    @staticmethod
    def _progress(verbose, epochs, n, batch_size):
        """The progress report that ``verbose`` asks for, or None; an
        epoch of n samples has ⌈n / batch_size⌉ batches."""
        if verbose not in (0, 1):
            raise ValueError("verbose must be 0 (silent) or 1 (progress), "
                             f"got {verbose!r}")
        per_epoch = math.ceil(n / batch_size)
        return Progress(epochs, per_epoch) if verbose else None

    def _fit_data(self, x, y, validation_data):
        x = self._inputs(x)
        y = self._targets(y, len(x))
        if validation_data is None:
            return x, y, None
        if (not isinstance(validation_data, (tuple, list))
                or len(validation_data) != 2):
            raise TypeError("validation_data must be a pair (x_val, y_val)")
        x_val = self._inputs(validation_data[0], "x_val")
        y_val = self._targets(validation_data[1], len(x_val), "y_val")
        return x, y, (x_val, y_val)

    def _diverged(self, epoch, start, what):
        """Put back the weights the epoch started from and clear the
        optimizer's state, built by the steps that diverged, so that the
        network can train again at a smaller rate; then stop with a
        ``TrainingDiverged`` that says what went wrong."""
        for layer, params in zip(self.layers, start):
            for k, p in params.items():
                layer.params[k][...] = p
        self.optimizer.reset()
        raise TrainingDiverged(
            f"training diverged in epoch {epoch}: {what} (learning rate "
            f"{self.optimizer.learning_rate}). Try a smaller learning rate. "
            "The weights were restored to their values at the start of "
            "that epoch."
        )

    def _inputs(self, x, name="x"):
        return finite_matrix(x, name, columns=self.n_in, dtype=self.dtype)

    def _targets(self, y, n, name="y"):
        arr, k = np.asarray(y), self.n_out
        labels = arr.ndim == 1 and np.issubdtype(arr.dtype, np.integer)
        if labels and k not in (None, 1):
            raise ValueError(
                f"{name} holds class labels of shape {arr.shape}, but the "
                f"network needs one-hot rows of shape ({n}, {k}): use "
                f"nnlib.data.one_hot({name}, {k})")
        if arr.ndim == 1:
            arr = arr.reshape(-1, 1)
        y = finite_matrix(arr, name, columns=k, dtype=self.dtype)
        if len(y) != n:
            raise ValueError(f"x and {name} must have the same number of "
                             f"rows, got {n} and {len(y)}")
        self.loss.check_targets(y, name)
        return y

    # -- description ------------------------------------------------------
    def count_params(self):
        return sum(p.size for layer in self.layers
                   for p in layer.params.values())

    def summary(self):
        """A table of the layers, output widths and parameter counts."""
        names = [repr(layer) for layer in self.layers]
        left = max(map(len, names)) + 2  # the first column fits every name
        rows, width = [], self.n_in
        for name, layer in zip(names, self.layers):
            width = width if layer.n_out is None else layer.n_out
            count = sum(p.size for p in layer.params.values())
            shape = str((None, width))
            rows.append(f"{name:<{left}}{shape:>14}{count:>12,}")
        head = f"{'layer':<{left}}{'output shape':>14}{'parameters':>12}"
        rule = "-" * len(head)
        total = f"{'total':<{left + 14}}{self.count_params():>12,}"
        return "\n".join([head, rule, *rows, rule, total])

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return (f"Network([\n    {inner}],\n  loss={self.loss!r},\n"
                f"  optimizer={self.optimizer!r})")

    # -- saving: see nnlib.saving -----------------------------------------
    def save(self, path):
        """Write the network, its optimizer's state included, to one
        ``.npz`` file (arrays and JSON, never pickle), atomically."""
        saving.save(self, path)

    @classmethod
    def load(cls, path):
        """Rebuild a network written by :meth:`save`; it can go on
        training where the saved one stopped."""
        return saving.load(path, cls)
