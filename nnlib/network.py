"""A network: layers in a row, a loss, an optimizer and the training loop."""
import json
import os
import sys
import tempfile
import time
import zipfile

import numpy as np

from ._checks import finite_matrix, positive_int
from .activations import ReLU, Sigmoid, Softmax, Tanh
from .dense import Dense
from .layer import Layer
from .losses import BinaryCrossEntropy, CategoricalCrossEntropy, Loss, MSE
from .optimizers import SGD, Adam, Optimizer

LAYER_TYPES = {c.__name__: c for c in (Dense, Tanh, Sigmoid, ReLU, Softmax)}
LOSS_TYPES = {c.__name__: c for c in (MSE, BinaryCrossEntropy,
                                      CategoricalCrossEntropy)}
OPTIMIZER_TYPES = {c.__name__: c for c in (SGD, Adam)}
FILE_FORMAT = "nnlib-network"
FILE_VERSION = 1
ARCHITECTURE_KEY = "architecture.json"


class TrainingDiverged(FloatingPointError):
    """The loss or the weights became NaN or infinite during ``fit``."""


def accuracy(y_pred, y_true):
    """Fraction of rows classified right: arg-max agreement for one-hot
    targets, a 0.5 threshold for a single sigmoid output."""
    if y_true.shape[1] == 1:
        return float(np.mean((y_pred >= 0.5) == (y_true >= 0.5)))
    predicted, true = np.argmax(y_pred, axis=1), np.argmax(y_true, axis=1)
    return float(np.mean(predicted == true))


class Network:
    """A chain of layers, a loss and an optimizer, for example
    ``Network([Dense(2, 3), Tanh(), Dense(3, 1), Sigmoid()],
    BinaryCrossEntropy())``.

    ``forward`` runs the layers in order; ``backward`` runs them in reverse,
    starting from the loss gradient, and leaves dL/dθ in every layer's
    ``grads``; the optimizer then turns those into an update.
    """

    def __init__(self, layers, loss, optimizer=None):
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
        dense = [layer for layer in layers if isinstance(layer, Dense)]
        self.n_in = dense[0].n_in if dense else None
        self.n_out = dense[-1].n_out if dense else None
        self.dtype = dense[0].dtype if dense else np.dtype(np.float64)

    # -- the two passes -------------------------------------------------
    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, y_pred, y_true):
        """Fill every layer's ``grads`` with dL/dθ for the batch just run.

        When the last layer and the loss fuse (softmax with categorical
        cross-entropy, sigmoid with binary cross-entropy) the gradient starts
        from their simple joint form, which is also exact where the separate
        ones would divide by a probability rounded to zero.
        """
        layers = self.layers
        fused = self.loss.fuses_with
        if fused is not None and type(layers[-1]) is fused:
            grad = self.loss.fused_gradient(y_pred, y_true)
            layers = layers[:-1]
        else:
            grad = self.loss.gradient(y_pred, y_true)
        first, *later = layers
        for layer in reversed(later):
            grad = layer.backward(grad)
        if isinstance(first, Dense):
            first.parameter_gradients(grad)
        else:
            first.backward(grad)

    # -- public entry points, which check what they are given -----------
    def predict(self, x):
        """The last layer's output for every row of x, shape (N, n_out)."""
        return self.forward(self._inputs(x))

    def evaluate(self, x, y):
        """``{"loss": ..., "accuracy": ...}`` on the whole of (x, y)."""
        x, y = self._inputs(x), self._targets(y, len(np.asarray(x)))
        y_pred = self.forward(x)
        return {"loss": self.loss(y_pred, y),
                "accuracy": accuracy(y_pred, y)}

    # A divergence is reported once, by _diverged, not by NumPy's warnings.
    @np.errstate(over="ignore", invalid="ignore")
    def fit(self, x, y, *, epochs, batch_size, learning_rate=None,
            shuffle=True, seed=None, validation_data=None, verbose=1):
        """Mini-batch training; returns the history, a dict of per-epoch
        lists.

        Each epoch visits every sample once, in batches of ``batch_size``
        (the last batch holds whatever is left). ``history["loss"]`` is the
        mean of the batch losses seen during the epoch, as Keras reports it.
        """
        x = self._inputs(x)
        y = self._targets(y, len(x))
        epochs = positive_int(epochs, "epochs")
        batch_size = positive_int(batch_size, "batch_size")
        if learning_rate is not None:
            self.optimizer.learning_rate = learning_rate
        if validation_data is not None:
            if (not isinstance(validation_data, (tuple, list))
                    or len(validation_data) != 2):
                raise TypeError(
                    "validation_data must be a pair (x_val, y_val)")
            x_val = self._inputs(validation_data[0], "x_val")
            y_val = self._targets(validation_data[1], len(x_val), "y_val")
        if verbose not in (0, 1):
            raise ValueError("verbose must be 0 (silent) or 1 (progress), "
                             f"got {verbose!r}")
        rng = np.random.default_rng(seed)
        history = {"loss": [], "accuracy": []}
        if validation_data is not None:
            history.update(val_loss=[], val_accuracy=[])
        n = len(x)
        progress = Progress(epochs, -(-n // batch_size)) if verbose else None
        # Each batch is gathered into these two buffers, made once per fit.
        rows = min(batch_size, n)
        x_buffer = np.empty((rows, x.shape[1]), dtype=x.dtype)
        y_buffer = np.empty((rows, y.shape[1]), dtype=y.dtype)
        for epoch in range(1, epochs + 1):
            saved = [{k: p.copy() for k, p in layer.params.items()}
                     for layer in self.layers]
            order = rng.permutation(n) if shuffle else np.arange(n)
            loss_sum = correct = 0.0
            for b, start in enumerate(range(0, n, batch_size)):
                idx = order[start:start + batch_size]
                xb = np.take(x, idx, axis=0, out=x_buffer[:len(idx)],
                             mode="clip")
                yb = np.take(y, idx, axis=0, out=y_buffer[:len(idx)],
                             mode="clip")
                y_pred = self.forward(xb)
                batch_loss = self.loss(y_pred, yb)
                if not np.isfinite(batch_loss):
                    self._diverged(epoch, saved,
                                   f"the loss became {batch_loss}")
                loss_sum += batch_loss * len(xb)
                correct += accuracy(y_pred, yb) * len(xb)
                self.backward(y_pred, yb)
                self.optimizer.step(self.layers)
                if progress:
                    seen = min(start + batch_size, n)
                    progress.batch(epoch, b + 1, loss_sum / seen)
            if not all(np.isfinite(p).all() for layer in self.layers
                       for p in layer.params.values()):
                self._diverged(epoch, saved,
                               "the weights became NaN or infinite")
            history["loss"].append(loss_sum / n)
            history["accuracy"].append(correct / n)
            if validation_data is not None:
                scores = self.evaluate(x_val, y_val)
                history["val_loss"].append(scores["loss"])
                history["val_accuracy"].append(scores["accuracy"])
            if progress:
                latest = {k: v[-1] for k, v in history.items()}
                progress.epoch_end(epoch, latest)
        return history

    def _diverged(self, epoch, saved, what):
        for layer, params in zip(self.layers, saved):
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
        loss = type(self.loss).__name__
        probabilities = (CategoricalCrossEntropy, BinaryCrossEntropy)
        outside = ((y < 0) | (y > 1)).any()
        if isinstance(self.loss, probabilities) and outside:
            raise ValueError(f"{name} must lie in [0, 1] for {loss}, got "
                             f"values from {y.min()} to {y.max()}")
        if isinstance(self.loss, CategoricalCrossEntropy):
            sums = y.sum(axis=1)
            if not np.allclose(sums, 1, atol=1e-3):
                row = int(np.argmax(np.abs(sums - 1)))
                raise ValueError(
                    f"{name} must be one-hot (each row sums to 1) for "
                    f"{loss}, but row {row} sums to {sums[row]:g}: use "
                    f"nnlib.data.one_hot(labels, {k})")
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
            width = getattr(layer, "n_out", width)
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

    # -- saving: .npz arrays + a JSON description, never pickle ----------
    def save(self, path):
        """Write the architecture (JSON) and the weights (arrays) to one
        ``.npz`` file.

        The file is written next to its destination and renamed into place,
        so an interrupted save never leaves a half-written model behind.
        """
        layers = [{"type": type(layer).__name__, **layer.config()}
                  for layer in self.layers]
        optimizer = {"type": type(self.optimizer).__name__,
                     **self.optimizer.config()}
        kinds = [(spec["type"], LAYER_TYPES) for spec in layers]
        for kind, known in kinds + [(optimizer["type"], OPTIMIZER_TYPES)]:
            if kind not in known:
                raise TypeError(f"cannot save a {kind}: nnlib saves only "
                                f"{sorted(known)}")
        architecture = {"format": FILE_FORMAT, "version": FILE_VERSION,
                        "layers": layers, "loss": type(self.loss).__name__,
                        "optimizer": optimizer}
        arrays = named_params(self.layers)
        arrays[ARCHITECTURE_KEY] = np.array(json.dumps(architecture))
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path):
        """Rebuild a network saved by :meth:`save`. Arrays only:
        ``allow_pickle=False``, so loading a file never runs its code."""
        path = os.fspath(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except FileNotFoundError:
            raise
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as e:
            raise ValueError(f"{path!r} is not a readable nnlib model file "
                             f"(.npz): {e}") from None
        if ARCHITECTURE_KEY not in arrays:
            raise ValueError(f"{path!r} is not an nnlib model file: it has "
                             f"no {ARCHITECTURE_KEY} entry")
        try:
            arch = json.loads(str(arrays.pop(ARCHITECTURE_KEY)))
            form, version = arch.get("format"), arch.get("version")
            if (form, version) != (FILE_FORMAT, FILE_VERSION):
                raise ValueError(f"format {form!r} version {version!r}, "
                                 f"expected {FILE_FORMAT!r} version "
                                 f"{FILE_VERSION}")
            layers = []
            for spec in arch["layers"]:
                spec = dict(spec)
                kind = spec.pop("type")
                if kind not in LAYER_TYPES:
                    raise ValueError(f"unknown layer type {kind!r}")
                layers.append(LAYER_TYPES[kind](**spec))
            loss = LOSS_TYPES[arch["loss"]]()
            opt = dict(arch["optimizer"])
            optimizer = OPTIMIZER_TYPES[opt.pop("type")](**opt)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as e:
            raise ValueError(f"{path!r} holds a damaged or foreign "
                             f"architecture description: {e!r}") from None
        expected = named_params(layers)
        if set(expected) != set(arrays):
            raise ValueError(f"{path!r} does not match its architecture: "
                             f"arrays {sorted(arrays)}, "
                             f"expected {sorted(expected)}")
        for key, param in expected.items():
            found = arrays[key]
            if (found.shape, found.dtype) != (param.shape, param.dtype):
                raise ValueError(
                    f"{path!r}: array {key} has shape {found.shape} and "
                    f"dtype {found.dtype}, expected {param.shape} and "
                    f"{param.dtype}")
            param[...] = found
        return cls(layers, loss, optimizer)


def named_params(layers):
    """Every parameter array by the name it has in a saved file, e.g.
    ``layer0.W`` for the weights of the first layer."""
    return {f"layer{i}.{k}": p for i, layer in enumerate(layers)
            for k, p in layer.params.items()}


class Progress:
    """A one-line progress bar on a terminal; one line per epoch elsewhere
    (a notebook, a log file), so stored outputs stay short."""

    def __init__(self, epochs, batches, stream=None):
        self.stream = stream or sys.stdout
        self.epochs, self.batches = epochs, batches
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self.width = len(str(epochs))
        self.started = time.perf_counter()

    def label(self, epoch):
        return f"epoch {epoch:>{self.width}}/{self.epochs}"

    def batch(self, epoch, b, loss):
        if self.interactive:
            filled = 30 * b // self.batches
            bar = "=" * filled + "." * (30 - filled)
            self.stream.write(
                f"\r{self.label(epoch)} [{bar}] loss {loss:.4f}")
            self.stream.flush()

    def epoch_end(self, epoch, scores):
        text = " - ".join(f"{k} {v:.4f}" for k, v in scores.items())
        if self.interactive:
            seconds = time.perf_counter() - self.started
            self.stream.write(
                f"\r{self.label(epoch)} - {text} - {seconds:.1f} s\n")
            self.started = time.perf_counter()
        else:
            self.stream.write(f"{self.label(epoch)} - {text}\n")
        self.stream.flush()
