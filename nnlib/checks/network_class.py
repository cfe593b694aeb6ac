"""Checkers for the exercises of chapter 9, a network class.

* :func:`check_mini_network` — a small ``MiniNetwork`` class: a shuffling
  ``fit``, ``predict``, and ``save``/``load`` of plain arrays that refuse a
  damaged file and lose nothing;
* :func:`check_predict_one_hot` — one-hot predictions for a batch, with a
  hint about the axes when NumPy raises;
* :func:`check_backward_pass` — the back pass of a tanh → softmax network,
  its bug found and fixed, against finite differences.

None of them holds a reference solution: they compare with finite
differences, with values computed ahead of time (``expected.npz``), with
the checker's own forward pass, or with properties any right answer has.
"""

import os
import sys
import tempfile

import numpy as np

from .. import network as _network
from ..activations import Softmax, Tanh, softmax
from ..dense import Dense
from ..gradcheck import numerical_gradient, relative_error
from ..layer import Layer
from ..losses import CategoricalCrossEntropy
from .expected import named_cases
from .verdict import (CaseFailed, NotWritten, call, describe, expect_array,
                      verdict)

__all__ = [
    "check_mini_network",
    "check_predict_one_hot",
    "check_backward_pass",
]


# ------------------------------------------------------------ MiniNetwork
class _Spy(Layer):
    """An identity layer the checker puts first in the learner's network:
    it keeps every batch that comes back through ``backward``, so the
    checker sees which samples each training step used, and in which
    order."""

    def __init__(self):
        super().__init__()
        self.batches = []
        self.through_nnlib = False

    def forward(self, x):
        self.x = x
        here = sys._getframe(1)
        while here is not None and not self.through_nnlib:
            self.through_nnlib = here.f_code.co_filename == _NNLIB_NETWORK
            here = here.f_back
        return x

    def backward(self, grad_output):
        self.batches.append(self.x)
        return grad_output


_NNLIB_NETWORK = _network.__file__

_RUNG = []


def _ring():
    """Called only if a file's pickled content is unpickled."""
    _RUNG.append(True)
    return 0.0


class _Alarm:
    """Unpickling this object calls :func:`_ring`: a file holding it tells
    whether a loader ran code from inside the file."""

    def __reduce__(self):
        return (_ring, ())


def _blobs(n=60, seed=4):
    """Three well-separated clusters in 4-D, one-hot labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 2.0, (3, 4))
    labels = np.arange(n) % 3
    x = centres[labels] + rng.normal(0.0, 0.7, (n, 4))
    return x, np.eye(3)[labels]


def _rows(x_all, batch):
    """The index in ``x_all`` of each row of ``batch``."""
    batch = np.asarray(batch, dtype=np.float64)
    if batch.ndim != 2 or batch.shape[1] != x_all.shape[1]:
        raise CaseFailed(
            f"the first layer received a batch of shape {batch.shape}, "
            f"expected (batch, {x_all.shape[1]}) rows of x")
    distance = np.abs(batch[:, None, :] - x_all[None, :, :]).sum(axis=2)
    index = np.argmin(distance, axis=1)
    if not np.allclose(distance[np.arange(len(batch)), index], 0,
                       atol=1e-6):
        raise CaseFailed(
            "the first layer received rows that are not rows of x: "
            "train on x[rows] as it is")
    return index


def check_mini_network(cls):
    """Check a ``MiniNetwork(layers, loss, learning_rate)`` class: ``fit``
    shuffles, uses every sample once per epoch and lowers the loss;
    ``predict`` keeps one row per sample; ``save`` writes plain arrays that
    ``load`` puts back, and ``load`` refuses a damaged file with a
    ValueError without changing a single weight."""
    title = "MiniNetwork"
    x, y = _blobs()
    epochs, batch_size = 4, 16
    sizes = [batch_size] * (len(x) // batch_size)
    sizes += [len(x) % batch_size] if len(x) % batch_size else []

    def build(seed=1):
        if not isinstance(cls, type):
            raise CaseFailed(
                "pass the class itself (MiniNetwork), not an instance")
        spy = _Spy()
        layers = [spy, Dense(4, 8, rng=seed), Tanh(),
                  Dense(8, 3, rng=seed + 100), Softmax()]
        net = call(lambda: cls(layers, CategoricalCrossEntropy(),
                               learning_rate=0.5),
                   what="MiniNetwork(layers, loss, learning_rate=0.5)")
        return net, spy, layers

    def weights(layers):
        return [p.copy() for layer in layers for p in layer.params.values()]

    def same(a, b):
        return all(np.array_equal(p, q) for p, q in zip(a, b))

    def fit(net, seed=0):
        return call(lambda: net.fit(x, y, epochs=epochs,
                                    batch_size=batch_size, seed=seed),
                    what=f"fit(x, y, epochs={epochs}, "
                         f"batch_size={batch_size}, seed={seed})")

    def orders(spy):
        """The sample indices of each epoch, after checking the batches."""
        if spy.through_nnlib:
            raise CaseFailed(
                "fit hands the training to nnlib's Network: write the "
                "loop (shuffle, batches, forward, backward, step) yourself")
        got = [len(b) for b in spy.batches]
        if got != sizes * epochs:
            seen = sum(got)
            raise CaseFailed(
                f"for {len(x)} samples and batch_size={batch_size}, each "
                f"epoch should run batches of {sizes} samples (the last "
                f"holds the {sizes[-1]} left over), {epochs} epochs in all; "
                f"fit ran backward on batches of {got[:8]}"
                f"{' ...' if len(got) > 8 else ''} ({seen} samples, "
                f"expected {len(x) * epochs})")
        flat = np.concatenate([_rows(x, b) for b in spy.batches])
        epoch_orders = flat.reshape(epochs, len(x))
        for e, order in enumerate(epoch_orders, 1):
            if not np.array_equal(np.sort(order), np.arange(len(x))):
                missed = len(x) - len(set(order.tolist()))
                raise CaseFailed(
                    f"epoch {e} used some samples twice and missed "
                    f"{missed}: each epoch visits every sample once, "
                    "in the order of one permutation")
        return epoch_orders

    def predict_shapes():
        net, _, _ = build()
        for n in (7, 1):
            got = call(net.predict, x[:n].copy(), what="predict")
            if not isinstance(got, np.ndarray) or got.shape != (n, 3):
                shape = getattr(got, "shape", type(got).__name__)
                raise CaseFailed(
                    f"predict on {n} rows of 4 features should return "
                    f"shape ({n}, 3), one row of 3 probabilities per "
                    f"sample, got {shape}")

    def every_sample_once():
        net, spy, _ = build()
        history = fit(net)
        try:
            losses = [float(v) for v in history]
        except (TypeError, ValueError):
            raise CaseFailed(
                "fit should return the list of its epochs' losses, got "
                f"{history!r}") from None
        if len(losses) != epochs or not np.all(np.isfinite(losses)):
            raise CaseFailed(
                f"fit with epochs={epochs} should return {epochs} finite "
                f"epoch losses, got {history!r}")
        orders(spy)

    def shuffled_and_seeded():
        runs = []
        for seed in (0, 0, 1):
            net, spy, layers = build()
            fit(net, seed)
            runs.append((orders(spy), weights(layers)))
        (first, w0), (again, w1), (other, _) = runs
        if np.array_equal(first[0], np.arange(len(x))):
            raise CaseFailed(
                "epoch 1 took the samples in their stored order: shuffle "
                "them at the start of every epoch")
        if all(np.array_equal(first[0], o) for o in first[1:]):
            raise CaseFailed(
                "every epoch took the samples in the same order: draw a "
                "new permutation at the start of each epoch")
        if not np.array_equal(first, again) or not same(w0, w1):
            raise CaseFailed(
                "two runs with seed=0 from the same weights differ: draw "
                "every permutation from np.random.default_rng(seed)")
        if np.array_equal(first, other):
            raise CaseFailed(
                "seed=0 and seed=1 gave the same sample order: the seed "
                "must choose the permutations")

    def loss_falls():
        net, _, _ = build()
        loss = CategoricalCrossEntropy()
        before = loss(call(net.predict, x.copy(), what="predict"), y)
        fit(net)
        after = loss(call(net.predict, x.copy(), what="predict"), y)
        if not after < 0.5 * before:
            raise CaseFailed(
                f"after {epochs} epochs at learning rate 0.5 the "
                f"cross-entropy on the training data went from "
                f"{before:.4f} to {after:.4f}; it should at least halve. "
                "Does each step move every parameter against its "
                "gradient (p -= learning_rate * grad)?")

    def saved_file(net, folder):
        path = os.path.join(folder, "model.npz")
        call(net.save, path, what=f"save({path!r})")
        if not os.path.exists(path):
            raise CaseFailed(
                "save('model.npz') wrote no file of that name (np.savez "
                "adds .npz only to a name without it)")
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except Exception as e:
            raise CaseFailed(
                "save should write an .npz of plain arrays (np.savez), "
                f"which np.load(path, allow_pickle=False) reads; it "
                f"raised {type(e).__name__}: {e}") from None
        return path, arrays

    def round_trip():
        net, _, layers = build(seed=1)
        fit(net)
        trained = weights(layers)
        with tempfile.TemporaryDirectory() as folder:
            path, _ = saved_file(net, folder)
            if not same(trained, weights(layers)):
                raise CaseFailed("save changed the network's weights")
            other, _, _ = build(seed=7)
            call(other.load, path, what="load")
        expected = call(net.predict, x.copy(), what="predict")
        got = call(other.predict, x.copy(), what="predict after load")
        expect_array(got, expected,
                     "predict of a network loaded from the saved file",
                     rtol=0, atol=0)

    def refuses(what, damage):
        def run():
            net, _, _ = build(seed=1)
            with tempfile.TemporaryDirectory() as folder:
                path, arrays = saved_file(net, folder)
                if not arrays:
                    raise CaseFailed("save wrote a file with no arrays")
                # the second Dense layer's weights: a loader that copies
                # as it goes has changed the first layer's by then
                last = next((k for k in arrays
                             if arrays[k].shape == (8, 3)), None)
                if last is None:
                    raise CaseFailed(
                        "save should store each parameter array as it "
                        "is; the file holds no (8, 3) array for the "
                        "second Dense layer's weights")
                damage(path, arrays, last)
                other, _, layers = build(seed=7)
                kept = weights(layers)
                del _RUNG[:]
                try:
                    other.load(path)
                except NotImplementedError as e:
                    raise NotWritten(str(e) or "load") from None
                except ValueError as e:
                    if not str(e):
                        raise CaseFailed(
                            f"load refused {what} with an empty "
                            "ValueError: say what is wrong") from None
                except Exception as e:
                    raise CaseFailed(
                        f"load on {what} raised {type(e).__name__}: {e}. "
                        "Catch what reading a damaged file raises and "
                        "raise a ValueError that says what is wrong"
                    ) from None
                else:
                    if _RUNG:
                        raise CaseFailed(
                            f"load ran code stored in {what} (pickle): "
                            "read with np.load(path, allow_pickle=False)")
                    raise CaseFailed(f"load accepted {what}")
            if _RUNG:
                raise CaseFailed(
                    f"load ran code stored in {what} (pickle) before it "
                    "refused it: read with np.load(path, "
                    "allow_pickle=False)")
            if not same(kept, weights(layers)):
                raise CaseFailed(
                    f"load refused {what} but had already changed some "
                    "weights: check every array before you copy any")
        return (what, run)

    def truncate(path, arrays, last):
        with open(path, "rb") as f:
            content = f.read()
        with open(path, "wb") as f:
            f.write(content[:len(content) // 2])

    def wrong_shape(path, arrays, last):
        np.savez(path, **{**arrays, last: np.ones((3, 8))})

    def missing(path, arrays, last):
        np.savez(path, **{k: v for k, v in arrays.items() if k != last})

    def smuggled(path, arrays, last):
        alarms = np.empty(arrays[last].shape, dtype=object)
        for i in np.ndindex(alarms.shape):
            alarms[i] = _Alarm()
        np.savez(path, **{**arrays, last: alarms})

    cases = [
        ("predict on 7 rows and on 1", predict_shapes),
        ("fit: every sample once per epoch, the last batch smaller",
         every_sample_once),
        ("fit: a new order every epoch, fixed by the seed",
         shuffled_and_seeded),
        ("fit: the training loss falls", loss_falls),
        ("save, then load into a new network", round_trip),
        refuses("a file cut to half its size", truncate),
        refuses("a file whose (8, 3) weights became (3, 8)", wrong_shape),
        refuses("a file with the (8, 3) weights missing", missing),
        refuses("a file whose (8, 3) weights are pickled objects",
                smuggled),
    ]
    return verdict(title, cases)


# -------------------------------------------------------- predict_one_hot
def _axes(p):
    """What each axis of the answer holds, for a verdict."""
    n, k = p.shape
    return (f"For probabilities of shape ({n}, {k}) the answer has shape "
            f"({n}, {k}) too: axis 0 holds the {n} rows (one per image), "
            f"axis 1 the {k} classes, and each row's largest entry is "
            f"looked for along axis 1, which gives {n} positions, one per "
            "row.")


def check_predict_one_hot(predict_one_hot):
    """``predict_one_hot(probabilities)``: for (N, K) rows of scores, an
    (N, K) array with a single 1 in each row, at that row's largest entry
    (the first one on a tie, as ``np.argmax`` does)."""
    names = [
        "three rows",
        "one row",
        "a confident row next to unsure ones",
        "a tie (the first largest wins)",
        "20 rows of 10 classes",
    ]

    def case(data):
        p = data["p"]

        def run():
            try:
                got = call(predict_one_hot, p.copy(), what="predict_one_hot")
            except CaseFailed as failed:
                # call keeps NumPy's own exception as the context
                if isinstance(failed.__context__, (IndexError, ValueError)):
                    said = str(failed).rstrip(" .")
                    raise CaseFailed(f"{said}. {_axes(p)}") from None
                raise
            if np.shape(got) != p.shape:
                raise CaseFailed(
                    f"predict_one_hot for input {describe(p)} returned "
                    f"shape {np.shape(got)}, expected {p.shape}. {_axes(p)}")
            expect_array(got, data["expected"], "predict_one_hot",
                         given=p)

        return run

    return verdict("predict_one_hot",
                   named_cases("predict_one_hot", names, case))


# ---------------------------------------------------------- backward_pass
_PARAMS = ("W2", "b2", "W1", "b1")  # the order the back pass meets them


def _mean_cross_entropy(params, x, t):
    """The loss whose gradient backward_pass returns, from the forward
    pass alone: mean cross-entropy of softmax(tanh(x W1 + b1) W2 + b2)."""
    h = np.tanh(x @ params["W1"] + params["b1"])
    p = softmax(h @ params["W2"] + params["b2"])
    return -np.sum(t * np.log(p)) / len(x)


def check_backward_pass(backward_pass):
    """``backward_pass(params, x, t)``: the gradients of the mean
    cross-entropy of a Dense → tanh → Dense → softmax network with respect
    to W1, b1, W2 and b2, compared with finite differences on networks of
    several sizes, tanh saturated or not."""
    title = "backward_pass"

    def case(n, n_in, n_hidden, k, scale, seed):
        rng = np.random.default_rng(seed)
        params = {
            "W1": rng.normal(0.0, scale, (n_in, n_hidden)),
            "b1": rng.normal(0.0, scale, n_hidden),
            "W2": rng.normal(0.0, scale, (n_hidden, k)),
            "b2": rng.normal(0.0, scale, k),
        }
        x = rng.normal(0.0, 1.0, (n, n_in))
        t = np.eye(k)[rng.integers(0, k, n)]

        def run():
            given = {name: p.copy() for name, p in params.items()}
            got = call(backward_pass, given, x.copy(), t.copy(),
                       what="backward_pass")
            for name, p in params.items():
                if not np.array_equal(given[name], p):
                    raise CaseFailed(
                        f"backward_pass changed params[{name!r}]: it "
                        "computes gradients and leaves the weights alone")
            if not isinstance(got, dict) or set(got) != set(_PARAMS):
                keys = sorted(got) if isinstance(got, dict) else got
                raise CaseFailed(
                    "backward_pass should return a dict with the keys "
                    f"W1, b1, W2 and b2, got {keys!r}")
            for name in _PARAMS:
                grad = np.asarray(got[name], dtype=np.float64)
                if grad.shape != params[name].shape:
                    raise CaseFailed(
                        f"the gradient for {name} should have the shape "
                        f"of {name}, {params[name].shape}, got "
                        f"{grad.shape}")
                numeric = numerical_gradient(
                    lambda: _mean_cross_entropy(params, x, t),
                    params[name])
                error = relative_error(grad, numeric)
                if not error < 1e-6:
                    raise CaseFailed(
                        f"the gradient for {name} disagrees with finite "
                        f"differences (relative error {error:.2g}, should "
                        "be below 1e-06)")

        weights = "saturated tanh" if scale > 1 else "weights near 1"
        samples = "1 sample" if n == 1 else f"{n} samples"
        return (f"{samples}, {n_in}-{n_hidden}-{k}, {weights}", run)

    cases = [
        case(4, 3, 5, 2, 1.0, 0),
        case(1, 2, 3, 3, 1.0, 1),
        case(6, 5, 4, 3, 2.5, 2),
    ]
    return verdict(title, cases)
