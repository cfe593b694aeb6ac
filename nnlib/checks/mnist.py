"""Checkers for the exercises of chapter 6, solving MNIST."""

import copy

import numpy as np

from ..activations import Softmax, Tanh
from ..data import one_hot
from ..dense import Dense
from ..losses import CategoricalCrossEntropy
from ..network import Network, accuracy
from ..optimizers import SGD
from .expected import named_cases
from .verdict import CaseFailed, call, describe, verdict

__all__ = [
    "check_accuracy_fn",
    "check_confusion_matrix",
    "check_train_epoch",
    "check_mnist_model",
]


def check_accuracy_fn(accuracy_fn):
    """``accuracy_fn(probabilities, y_one_hot)``: the fraction (0 to 1) of
    rows
    whose largest probability sits where the one-hot row has its 1."""
    rng = np.random.default_rng(60)

    def case(probs, labels):
        y = one_hot(np.asarray(labels), probs.shape[1])
        expected = accuracy(probs, y)

        def run():
            what = (f"accuracy_fn(probabilities of shape {probs.shape}, "
                    f"one-hot labels {[int(v) for v in labels]})")
            got = call(accuracy_fn, probs.copy(), y.copy(), what=what)
            if isinstance(got, np.ndarray) and got.ndim > 0:
                raise CaseFailed(
                    f"{what} should return one number, got {describe(got)}"
                )
            try:
                value = float(got)
            except (TypeError, ValueError):
                raise CaseFailed(
                    f"{what} should return a number, got {got!r}"
                ) from None
            if np.isclose(value, 100 * expected) and not np.isclose(
                value, expected
            ):
                raise CaseFailed(
                    f"{what}: expected the fraction {expected:.4g}, got "
                    f"{value:.4g} (a percentage? return a fraction between "
                    "0 and 1)"
                )
            if np.isclose(value, expected * len(labels)) and not np.isclose(
                value, expected
            ):
                raise CaseFailed(
                    f"{what}: expected the fraction {expected:.4g}, got "
                    f"{value:.4g} (a count? divide by the number of rows)"
                )
            if not np.isclose(value, expected, rtol=1e-9, atol=1e-12):
                raise CaseFailed(
                    f"{what}: expected {expected:.4g}, got {value:.4g}"
                )

        return run

    tiny = np.array(
        [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]]
    )
    many = rng.dirichlet(np.ones(10), size=50)
    many_labels = np.where(
        rng.random(50) < 0.7,
        np.argmax(many, axis=1),
        rng.integers(0, 10, 50),
    )
    cases = [
        (
            "four rows, three classes, three right",
            case(tiny, np.array([0, 2, 2, 0])),
        ),
        ("all right", case(tiny, np.argmax(tiny, axis=1))),
        ("all wrong", case(tiny, np.array([1, 0, 0, 2]))),
        ("a single row", case(tiny[1:2], np.array([2]))),
        ("50 rows of 10 classes", case(many, many_labels)),
    ]
    return verdict("accuracy_fn", cases)


def check_confusion_matrix(confusion_matrix):
    """``confusion_matrix(true_labels, predicted_labels, num_classes)``: an
    integer
    array C of shape (num_classes, num_classes) with C[t, p] the number of
    samples
    of true class t predicted as class p (rows true, columns predicted)."""

    def case(data):
        true, pred, k = data["true"], data["pred"], int(data["k"])
        expected = data["expected"]

        def run():
            what = (f"confusion_matrix(true {describe(true)}, predicted "
                    f"{describe(pred)}, num_classes={k})")
            got = call(
                confusion_matrix, true.copy(), pred.copy(), k, what=what
            )
            if not isinstance(got, np.ndarray):
                raise CaseFailed(
                    f"{what} should return a NumPy array, got "
                    f"{type(got).__name__}"
                )
            if got.shape != (k, k):
                raise CaseFailed(
                    f"{what} should have shape ({k}, {k}), one row and one "
                    f"column per class, got shape {got.shape}"
                )
            if np.array_equal(got, expected):
                return
            if np.array_equal(got, expected.T):
                raise CaseFailed(
                    f"{what} is transposed: rows must be the true class and "
                    "columns the predicted class"
                )
            if got.sum() != len(true):
                raise CaseFailed(
                    f"{what}: the counts should add up to {len(true)} "
                    f"samples, got {got.sum()} (a sample lost or counted "
                    "twice?)"
                )
            bad = tuple(int(i) for i in np.argwhere(got != expected)[0])
            raise CaseFailed(
                f"{what}: entry {bad} (true {bad[0]}, predicted {bad[1]}) "
                f"should be {expected[bad]}, got {got[bad]}"
            )

        return run

    names = [
        "two classes, one 0 taken for a 1",
        "three classes, not symmetric",
        "the last class appears (labels 0 to num_classes - 1)",
        "a class that never occurs still gets its row and column",
        "200 samples of 10 classes",
    ]
    return verdict("confusion_matrix",
                   named_cases("confusion_matrix", names, case))

class _RecordingLoss(CategoricalCrossEntropy):
    """Cross-entropy that keeps the targets of every batch it is given, so
    that a checker can see which labels met which images."""

    def __init__(self):
        self.targets = []  # y of each gradient call, in order
        self.values = []   # y of each loss call, in order

    def __call__(self, y_pred, y_true):
        self.values.append(np.array(y_true, copy=True))
        return super().__call__(y_pred, y_true)

    def gradient(self, y_pred, y_true):
        self.targets.append(np.array(y_true, copy=True))
        return super().gradient(y_pred, y_true)

    def fused_gradient(self, y_pred, y_true):
        self.targets.append(np.array(y_true, copy=True))
        return super().fused_gradient(y_pred, y_true)

    def __repr__(self):
        return "CategoricalCrossEntropy()"


def _train_problem(n, seed):
    """n rows of 6 features in 3 classes, and the layers of a
    6 → 5 → 3 tanh network with a softmax output."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 6))
    y = one_hot(rng.integers(0, 3, n), 3)
    layers = [Dense(6, 5, rng=rng), Tanh(), Dense(5, 3, rng=rng), Softmax()]
    return x, y, layers


def _record_batches(layer, n, batch_size):
    """Make ``layer`` keep a copy of every batch its forward receives
    (a batch run forward twice in a row is kept once)."""
    seen = []
    forward = layer.forward

    def recording(x):
        x = np.asarray(x)
        if len(x) == 0:
            raise ValueError(
                f"an empty batch reached the first layer: {n} rows in "
                f"batches of {batch_size} make {-(-n // batch_size)} "
                "batches, and range(0, len(x), batch_size) makes "
                "exactly those")
        if not (seen and seen[-1].shape == x.shape
                and np.array_equal(seen[-1], x)):
            seen.append(x.copy())
        return forward(x)

    layer.forward = recording
    return seen


class _MeanTwice(CategoricalCrossEntropy):
    """A slip: the gradient divided by the batch size once more."""

    def fused_gradient(self, y_pred, y_true):
        return super().fused_gradient(y_pred, y_true) / len(y_pred)


def _replay(layers, x, y, batches, learning_rate, *, divide=False,
            step_each=True):
    """nnlib's own training steps (``Network.train_step``) over the given
    batches of row indices, from a copy of ``layers``: the parameters it
    ends with and the losses of the batches. ``divide`` and ``step_each``
    reproduce two typical slips."""
    loss = _MeanTwice() if divide else CategoricalCrossEntropy()
    net = Network(copy.deepcopy(layers), loss, SGD(learning_rate))
    losses = []
    for rows in batches:
        if step_each:
            losses.append(net.train_step(x[rows], y[rows])[0])
        else:
            net.backward(net.forward(x[rows]), y[rows])
    if not step_each:
        net.optimizer.step(net.layers)
    params = [p for layer in net.layers for p in layer.params.values()]
    return params, losses


def _params(layers):
    return [p.copy() for layer in layers for p in layer.params.values()]


def _same(a, b):
    return all(p.shape == q.shape and np.allclose(p, q, rtol=1e-6,
                                                  atol=1e-10)
               for p, q in zip(a, b))


def _run_epoch(train_epoch, n, batch_size, seed, rng_seed):
    """Run the learner's epoch once on a fresh problem; return what a
    verdict needs: the batches (row indices) the first layer saw, and
    more."""
    x, y, layers = _train_problem(n, seed)
    x0, y0, start = x.copy(), y.copy(), copy.deepcopy(layers)
    seen = _record_batches(layers[0], n, batch_size)
    loss, optimizer = _RecordingLoss(), SGD(0.5)
    what = (f"train_epoch(layers, loss, optimizer, x {x.shape}, "
            f"y {y.shape}, batch_size={batch_size}, rng)")
    got = call(train_epoch, layers, loss, optimizer, x, y, batch_size,
               np.random.default_rng(rng_seed), what=what)
    if not (np.array_equal(x, x0) and np.array_equal(y, y0)):
        raise CaseFailed(
            f"{what} changed the caller's x or y: shuffling them in place "
            "(rng.shuffle) reorders the data the caller holds, and two "
            "separate shuffles part images from their labels. Draw one "
            "order = rng.permutation(len(x)) and index x[rows], y[rows]")
    if not seen:
        raise CaseFailed(
            f"{what} never ran the first layer's forward: run each batch "
            "forward through every layer, layers[0] first")
    where = {row.tobytes(): i for i, row in enumerate(x0)}
    batches = []
    for b in seen:
        rows = [where.get(row.tobytes(), -1) for row in b]
        if -1 in rows:
            raise CaseFailed(
                f"{what}: the first layer received rows that are not rows "
                "of x (changed values or dtype?); pass x[rows] unchanged")
        batches.append(np.array(rows))
    return dict(what=what, got=got, x=x0, y=y0, start=start,
                layers=layers, loss=loss, batches=batches)


def _check_batches(run, n, batch_size):
    what, batches = run["what"], run["batches"]
    order = np.concatenate(batches)
    sizes = [len(b) for b in batches]
    full, rest = divmod(n, batch_size)
    wanted = [batch_size] * full + ([rest] if rest else [])
    if len(order) != n or len(set(order.tolist())) != n:
        if (rest and sizes == [batch_size] * full
                and len(set(order.tolist())) == len(order)):
            raise CaseFailed(
                f"{what} left out the last, partial batch: {n} rows in "
                f"batches of {batch_size} leave {rest} rows for a batch "
                f"of their own, and {rest} images of each epoch were "
                "never used. Step through range(0, len(x), batch_size)")
        raise CaseFailed(
            f"{what}: each row should be used exactly once per epoch, "
            f"but the first layer saw {len(order)} rows, "
            f"{len(set(order.tolist()))} of them different. Shuffle with "
            "a permutation, not with random picks")
    if sizes != wanted:
        raise CaseFailed(
            f"{what}: the batches should hold {batch_size} rows each and "
            f"the last the rest, {wanted}, got {sizes}")
    if np.array_equal(order, np.arange(n)):
        raise CaseFailed(
            f"{what} did not shuffle: the rows came in their stored order "
            "0, 1, 2, ... Draw a new order each epoch with "
            "rng.permutation(len(x))")
    targets = run["loss"].targets or run["loss"].values
    if len(targets) == len(batches):
        for b, t in zip(batches, targets):
            if t.shape != run["y"][b].shape or not np.array_equal(
                    t, run["y"][b]):
                raise CaseFailed(
                    f"{what}: the labels given to the loss are not those "
                    "of the images in the batch: x and y were shuffled "
                    "separately. Index both with the same rows: "
                    "x[rows], y[rows]")


def _check_update(run):
    what, batches = run["what"], run["batches"]
    x, y, start = run["x"], run["y"], run["start"]
    got = _params(run["layers"])
    expected, losses = _replay(start, x, y, batches, 0.5)
    if not _same(got, expected):
        if _same(got, _params(start)):
            raise CaseFailed(
                f"{what}: the weights did not change. After the backward "
                "pass of each batch, call optimizer.step(layers)")
        if _same(got, _replay(start, x, y, batches, 0.5, divide=True)[0]):
            raise CaseFailed(
                f"{what}: every step is too small by the batch size. "
                "loss.gradient already divides by the number of rows "
                "(the loss is a mean); dividing again averages twice")
        once = _replay(start, x, y, batches, 0.5, step_each=False)[0]
        if _same(got, once):
            raise CaseFailed(
                f"{what} took one step per epoch: call "
                "optimizer.step(layers) after every batch")
        k = next(i for i, (p, q) in enumerate(zip(got, expected))
                 if p.shape != q.shape or not np.allclose(
                     p, q, rtol=1e-6, atol=1e-10))
        layer, name = divmod(k, 2)
        raise CaseFailed(
            f"{what}: after the epoch, {'Wb'[name]} of Dense layer "
            f"{layer + 1} should be {describe(expected[k])}, got "
            f"{describe(got[k])}: is every batch run forward, then "
            "backward through the layers in reverse, then stepped?")
    sizes = np.array([len(b) for b in batches])
    weighted = float(np.dot(losses, sizes) / sizes.sum())
    value = run["got"]
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise CaseFailed(
            f"{what} should return the epoch's loss, one number, got "
            f"{describe(value)}") from None

    def close(a, b):
        return np.isclose(a, b, rtol=1e-6, atol=1e-12)

    if not close(value, weighted):
        if close(value, np.mean(losses)):
            raise CaseFailed(
                f"{what} returned {value:.6g}, the plain mean of the batch "
                f"losses; weight each by its number of rows (the last "
                f"batch holds {sizes[-1]}), which gives {weighted:.6g}")
        if close(value, losses[-1]):
            raise CaseFailed(
                f"{what} returned {value:.6g}, the last batch's loss; "
                f"return the mean over the epoch, {weighted:.6g}")
        raise CaseFailed(
            f"{what} should return the epoch's loss {weighted:.6g} (each "
            f"batch's loss weighted by its rows), got {value:.6g}")


def check_train_epoch(train_epoch):
    """``train_epoch(layers, loss, optimizer, x, y, batch_size, rng)``: one
    epoch of mini-batch training, shuffled by ``rng``; returns the mean
    loss of the epoch, each batch's loss weighted by its number of rows.

    The checker records the batches the first layer receives and the
    labels the loss receives, then replays the same batches with nnlib's
    own ``Network.train_step`` and compares the weights and the loss."""

    def epoch(n, batch_size):
        def run():
            result = _run_epoch(train_epoch, n, batch_size, 60, 7)
            _check_batches(result, n, batch_size)
            _check_update(result)
        return run

    def the_rng():
        n, batch_size = 50, 8
        x, y, layers = _train_problem(n, 61)
        seen = _record_batches(layers[0], n, batch_size)
        rng = np.random.default_rng(11)
        what = "two epochs with one rng"
        for _ in range(2):
            call(train_epoch, layers, _RecordingLoss(), SGD(0.5), x, y,
                 batch_size, rng, what=f"train_epoch(..., rng) in {what}")
        orders = [np.concatenate(seen[:len(seen) // 2]),
                  np.concatenate(seen[len(seen) // 2:])]
        if np.array_equal(*orders):
            raise CaseFailed(
                "the second epoch saw the rows in the same order as the "
                "first: shuffle with the rng passed in (it moves on at "
                "every draw), not with a generator made inside "
                "train_epoch")
        x, y, layers = _train_problem(n, 61)
        again = _record_batches(layers[0], n, batch_size)
        call(train_epoch, layers, _RecordingLoss(), SGD(0.5), x, y,
             batch_size, np.random.default_rng(11),
             what="train_epoch(..., np.random.default_rng(11))")
        if not np.array_equal(np.concatenate(again), orders[0]):
            raise CaseFailed(
                "two runs with generators of the same seed saw different "
                "orders: shuffle with the rng argument (rng.permutation), "
                "not with np.random, so that a seed repeats a run")

    cases = [
        ("50 rows in batches of 8 (the last batch holds 2)", epoch(50, 8)),
        ("48 rows in batches of 8 (no partial batch)", epoch(48, 8)),
        ("a batch larger than the data: 5 rows, batch_size=8",
         epoch(5, 8)),
        ("the shuffle: a new order each epoch, the same for a seed",
         the_rng),
    ]
    return verdict("train_epoch", cases)


def check_mnist_model(net, x_test, y_test, target=0.97):
    """A trained nnlib ``Network`` that maps (N, 784) images to (N, 10) class
    scores and classifies at least ``target`` of (x_test, y_test) right.
    ``y_test`` holds one-hot rows (N, 10) or integer labels (N,).

    Chapter 6 passes its validation images: a learner who tunes against
    this verdict chooses on them, so the test images must stay out."""
    x_test = np.asarray(x_test)
    y_test = np.asarray(y_test)
    labels = (
        np.argmax(y_test, axis=1)
        if y_test.ndim == 2
        else y_test.astype(np.int64)
    )
    result = {}

    def is_network():
        if not isinstance(net, Network):
            raise CaseFailed(
                "the model should be an nnlib Network, got "
                f"{type(net).__name__}"
            )

    def shapes():
        if net.n_in != 784:
            raise CaseFailed(
                "the first Dense layer should take 784 inputs (28 × 28 "
                f"pixels), it takes {net.n_in}"
            )
        if net.n_out != 10:
            raise CaseFailed(
                "the last Dense layer should give 10 outputs (one per "
                f"digit), it gives {net.n_out}"
            )

    def predictions():
        p = call(
            net.predict,
            x_test,
            what=f"net.predict(x_test of shape {x_test.shape})",
        )
        if not isinstance(p, np.ndarray) or p.shape != (len(x_test), 10):
            raise CaseFailed(
                f"net.predict(x_test) should have shape ({len(x_test)}, "
                f"10), got {describe(p)}"
            )
        if not np.isfinite(p).all():
            raise CaseFailed(
                "net.predict(x_test) holds NaN or infinite values: did "
                "training diverge?"
            )
        result["accuracy"] = accuracy(p, one_hot(labels, 10))

    def good_enough():
        acc = result["accuracy"]
        if acc < target:
            raise CaseFailed(
                f"accuracy {acc:.2%} on these {len(x_test):,} images, below "
                f"the target {target:.0%}: "
                "train longer, widen the hidden layer or revisit the "
                "learning rate"
            )

    cases = [
        ("the model type", is_network),
        ("the input and output widths", shapes),
        ("the predictions on x_test", predictions),
        (f"the target of {target:.0%}", good_enough),
    ]
    passed = verdict("mnist model", cases, partial=False)
    if passed:
        print(
            f"  accuracy {result['accuracy']:.2%} on {len(x_test):,} "
            f"images (target {target:.0%})"
        )
    return passed
