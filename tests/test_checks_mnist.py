"""The chapter "Solving MNIST": each checker accepts the reference solution
and rejects typical wrong answers, naming the failing case."""
import numpy as np

from nnlib import SGD, CategoricalCrossEntropy, Dense, Network, ReLU, Softmax
from nnlib.checks import check_accuracy_fn, check_confusion_matrix, check_mnist_model, check_train_epoch
from nnlib.checks.verdict import last_score


# -- accuracy ------------------------------------------------------------------
def accuracy_fn(probabilities, y_one_hot):
    return float(np.mean(np.argmax(probabilities, axis=1) == np.argmax(y_one_hot, axis=1)))


def test_accuracy_accepts_reference(capsys):
    assert check_accuracy_fn(accuracy_fn) is True
    assert "✓" in capsys.readouterr().out


def test_accuracy_rejects_percentage(capsys):
    assert check_accuracy_fn(lambda p, y: 100 * accuracy_fn(p, y)) is False
    out = capsys.readouterr().out
    assert "✗" in out and "three right" in out and "percentage" in out


def test_accuracy_rejects_count(capsys):
    assert check_accuracy_fn(lambda p, y: np.sum(np.argmax(p, axis=1) == np.argmax(y, axis=1))) is False
    out = capsys.readouterr().out
    assert "three right" in out and "count" in out


def test_accuracy_rejects_wrong_axis(capsys):
    assert check_accuracy_fn(lambda p, y: np.mean(np.argmax(p, axis=0) == np.argmax(y, axis=0))) is False
    out = capsys.readouterr().out
    assert "✗" in out and "failed on" in out


def test_accuracy_rejects_array_result(capsys):
    assert check_accuracy_fn(lambda p, y: np.argmax(p, axis=1) == np.argmax(y, axis=1)) is False
    assert "one number" in capsys.readouterr().out


def test_accuracy_reports_stub(capsys):
    def stub(p, y):
        raise NotImplementedError("Exercise 6.1: replace this line")
    assert check_accuracy_fn(stub) is False
    assert "not written yet" in capsys.readouterr().out


# -- confusion matrix --------------------------------------------------------------
def confusion_matrix(true, predicted, num_classes):
    c = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(true, predicted):
        c[t, p] += 1
    return c


def test_confusion_accepts_reference(capsys):
    assert check_confusion_matrix(confusion_matrix) is True
    assert "✓" in capsys.readouterr().out


def test_confusion_rejects_transposed(capsys):
    assert check_confusion_matrix(lambda t, p, k: confusion_matrix(t, p, k).T) is False
    out = capsys.readouterr().out
    assert "✗" in out and "two classes" in out and "transposed" in out


def test_confusion_rejects_off_by_one_size(capsys):
    def too_small(t, p, k):
        c = np.zeros((k - 1, k - 1), dtype=int)   # as if labels ran 1..k-1
        for a, b in zip(t, p):
            if 0 < a < k and 0 < b < k:
                c[a - 1, b - 1] += 1
        return c
    assert check_confusion_matrix(too_small) is False
    out = capsys.readouterr().out
    assert "shape (2, 2)" in out and "got shape (1, 1)" in out


def test_confusion_rejects_size_from_largest_label(capsys):
    def from_data(t, p, k):
        size = max(max(t), max(p))                 # forgets that labels start at 0
        c = np.zeros((size, size), dtype=int)
        for a, b in zip(t, p):
            if a < size and b < size:
                c[a, b] += 1
        return c
    assert check_confusion_matrix(from_data) is False
    assert "✗" in capsys.readouterr().out


def test_confusion_rejects_shifted_labels(capsys):
    def shifted(t, p, k):
        c = np.zeros((k, k), dtype=int)
        for a, b in zip(t, p):
            c[a - 1, b - 1] += 1                    # label 0 wraps round to the last row
        return c
    assert check_confusion_matrix(shifted) is False
    out = capsys.readouterr().out
    assert "two classes" in out and "entry" in out


def test_confusion_rejects_numpy_fancy_assignment(capsys):
    def overwrite(t, p, k):
        c = np.zeros((k, k), dtype=int)
        c[t, p] += 1                                # repeated pairs count once only
        return c
    assert check_confusion_matrix(overwrite) is False
    assert "add up to" in capsys.readouterr().out


# -- the training loop ----------------------------------------------------------------
def train_epoch(layers, loss, optimizer, x, y, batch_size, rng):
    order = rng.permutation(len(x))
    total = 0.0
    for start in range(0, len(x), batch_size):
        rows = order[start:start + batch_size]
        out = x[rows]
        for layer in layers:
            out = layer.forward(out)
        total += loss(out, y[rows]) * len(rows)
        grad = loss.gradient(out, y[rows])
        for layer in reversed(layers):
            grad = layer.backward(grad)
        optimizer.step(layers)
    return total / len(x)


def epoch_with(*, order=None, stop=None, pair=None, scale=None, step=True, result="weighted"):
    """The reference loop with one slip put in, named by the keyword."""
    def run(layers, loss, optimizer, x, y, batch_size, rng):
        rows_all = rng.permutation(len(x)) if order is None else order(rng, len(x))
        labels_all = rows_all if pair is None else pair(rng, len(x))
        losses, sizes = [], []
        end = len(x) if stop is None else stop(len(x), batch_size)
        for start in range(0, end, batch_size):
            rows, label_rows = rows_all[start:start + batch_size], labels_all[start:start + batch_size]
            out = x[rows]
            for layer in layers:
                out = layer.forward(out)
            losses.append(loss(out, y[label_rows]))
            sizes.append(len(rows))
            grad = loss.gradient(out, y[label_rows])
            if callable(scale):
                grad = grad * scale(len(rows))
            for layer in reversed(layers):
                grad = layer.backward(grad)
            if step:
                optimizer.step(layers)
        if result == "mean":
            return float(np.mean(losses))
        if result == "last":
            return losses[-1]
        if result is None:
            return None
        return float(np.dot(losses, sizes) / np.sum(sizes))
    return run


def test_train_epoch_accepts_reference(capsys):
    assert check_train_epoch(train_epoch) is True
    assert "✓ train_epoch: all 4 cases passed." in capsys.readouterr().out


def test_train_epoch_accepts_the_fused_gradient_and_network_pieces(capsys):
    from nnlib import Softmax

    def fused(layers, loss, optimizer, x, y, batch_size, rng):
        order, total = rng.permutation(len(x)), 0.0
        for start in range(0, len(x), batch_size):
            xb, yb = x[order[start:start + batch_size]], y[order[start:start + batch_size]]
            p = xb
            for layer in layers:
                p = layer.forward(p)
            total += loss(p, yb) * len(xb)
            grad = loss.fused_gradient(p, yb)       # softmax and cross-entropy together
            assert isinstance(layers[-1], Softmax)
            for layer in reversed(layers[:-1]):
                grad = layer.backward(grad)
            optimizer.step(layers)
        return total / len(x)
    assert check_train_epoch(fused) is True
    assert "✓" in capsys.readouterr().out


def test_train_epoch_reports_stub(capsys):
    def stub(*args):
        raise NotImplementedError("Exercise 6.3: replace this line with your train_epoch")
    assert check_train_epoch(stub) is False
    assert "not written yet" in capsys.readouterr().out


def test_train_epoch_rejects_no_shuffle(capsys):
    assert check_train_epoch(epoch_with(order=lambda rng, n: np.arange(n))) is False
    out = capsys.readouterr().out
    assert "the last batch holds 2" in out and "did not shuffle" in out


def test_train_epoch_rejects_x_and_y_shuffled_separately(capsys):
    assert check_train_epoch(epoch_with(pair=lambda rng, n: rng.permutation(n))) is False
    out = capsys.readouterr().out
    assert "shuffled separately" in out and "x[rows], y[rows]" in out


def test_train_epoch_rejects_shuffling_the_callers_arrays_in_place(capsys):
    def in_place(layers, loss, optimizer, x, y, batch_size, rng):
        rng.shuffle(x)
        rng.shuffle(y)                                # a second, different order
        return train_epoch(layers, loss, optimizer, x, y, batch_size, np.random.default_rng(0))
    assert check_train_epoch(in_place) is False
    assert "changed the caller's x or y" in capsys.readouterr().out


def test_train_epoch_rejects_forgetting_the_last_partial_batch(capsys):
    assert check_train_epoch(epoch_with(stop=lambda n, b: n - n % b)) is False
    out = capsys.readouterr().out
    assert "left out the last, partial batch" in out and "2 rows" in out


def test_train_epoch_rejects_an_empty_last_batch(capsys):
    # len(x) // batch_size + 1 batches: one too many, and empty, when batch_size divides len(x)
    one_too_many = epoch_with(stop=lambda n, batch_size: (n // batch_size + 1) * batch_size)
    assert check_train_epoch(one_too_many) is False
    out = capsys.readouterr().out
    assert "48 rows" in out and "empty batch" in out


def test_train_epoch_rejects_drawing_with_replacement(capsys):
    assert check_train_epoch(epoch_with(order=lambda rng, n: rng.integers(0, n, n))) is False
    assert "exactly once per epoch" in capsys.readouterr().out


def test_train_epoch_rejects_forgetting_the_optimizer(capsys):
    assert check_train_epoch(epoch_with(step=False)) is False
    out = capsys.readouterr().out
    assert "did not change" in out and "optimizer.step(layers)" in out


def test_train_epoch_rejects_averaging_the_gradient_twice(capsys):
    assert check_train_epoch(epoch_with(scale=lambda rows: 1.0 / rows)) is False
    assert "averages twice" in capsys.readouterr().out


def test_train_epoch_rejects_one_step_per_epoch(capsys):
    def one_step(layers, loss, optimizer, x, y, batch_size, rng):
        epoch_with(step=False)(layers, loss, optimizer, x, y, batch_size, rng)
        optimizer.step(layers)                        # with the last batch's gradients
        return 0.0
    assert check_train_epoch(one_step) is False
    assert "one step per epoch" in capsys.readouterr().out


def test_train_epoch_rejects_a_wrong_update(capsys):
    assert check_train_epoch(epoch_with(scale=lambda rows: -1.0)) is False   # climbs the loss
    out = capsys.readouterr().out
    assert "after the epoch, W of Dense layer 1 should be" in out


def test_train_epoch_rejects_an_unweighted_or_last_loss(capsys):
    assert check_train_epoch(epoch_with(result="mean")) is False
    assert "plain mean of the batch losses" in capsys.readouterr().out
    assert check_train_epoch(epoch_with(result="last")) is False
    assert "the last batch's loss" in capsys.readouterr().out
    assert check_train_epoch(epoch_with(result=None)) is False
    assert "should return the epoch's loss" in capsys.readouterr().out


def test_train_epoch_rejects_a_generator_made_inside(capsys):
    def own_rng(layers, loss, optimizer, x, y, batch_size, rng):
        return train_epoch(layers, loss, optimizer, x, y, batch_size, np.random.default_rng(0))
    assert check_train_epoch(own_rng) is False
    assert "same order as the first" in capsys.readouterr().out


def test_train_epoch_rejects_the_global_generator(capsys):
    def global_rng(layers, loss, optimizer, x, y, batch_size, rng):
        return train_epoch(layers, loss, optimizer, x, y, batch_size, np.random.default_rng())
    assert check_train_epoch(global_rng) is False
    assert "same seed saw different orders" in capsys.readouterr().out


def test_train_epoch_with_a_seed_matches_network_fit():
    """The loop the checker accepts is the loop Network.fit runs."""
    from nnlib.checks.mnist import _train_problem

    x, y, layers = _train_problem(50, 3)
    twin = Network(__import__("copy").deepcopy(layers), CategoricalCrossEntropy(), SGD(0.5))
    loss = train_epoch(layers, CategoricalCrossEntropy(), SGD(0.5), x, y, 8, np.random.default_rng(4))
    history = twin.fit(x, y, epochs=1, batch_size=8, seed=4, verbose=0)
    assert np.isclose(loss, history["loss"][0], rtol=1e-12)
    for a, b in zip(layers, twin.layers):
        for k in a.params:
            np.testing.assert_allclose(a.params[k], b.params[k], rtol=1e-12, atol=1e-14)


# -- the trained model ---------------------------------------------------------------
def toy_digits(n, rng):
    """Ten well-separated clusters in 784 dimensions: easy enough to learn in a blink."""
    labels = rng.integers(0, 10, n)
    centres = np.random.default_rng(1).random((10, 784))
    x = centres[labels] + 0.05 * rng.standard_normal((n, 784))
    y = np.eye(10)[labels]
    return x, y


def small_net(n_in=784, n_out=10, seed=0):
    rng = np.random.default_rng(seed)
    return Network([Dense(n_in, 32, init="he", rng=rng), ReLU(), Dense(32, n_out, init="he", rng=rng), Softmax()],
                   CategoricalCrossEntropy(), SGD(0.1, momentum=0.9))


def test_model_accepts_trained_network(capsys, rng):
    x, y = toy_digits(600, rng)
    net = small_net()
    net.fit(x[:500], y[:500], epochs=5, batch_size=32, seed=0, verbose=0)
    assert check_mnist_model(net, x[500:], y[500:], target=0.97) is True
    out = capsys.readouterr().out
    assert "✓" in out and "accuracy" in out and "on 100 images" in out
    assert check_mnist_model(net, x[500:], np.argmax(y[500:], axis=1)) is True   # integer labels work too


def test_model_rejects_untrained_network(capsys, rng):
    x, y = toy_digits(100, rng)
    assert check_mnist_model(small_net(), x, y, target=0.97) is False
    out = capsys.readouterr().out
    assert "✗" in out and "target of 97%" in out and "below the target" in out


def test_model_rejects_wrong_widths_and_types(capsys, rng):
    x, y = toy_digits(50, rng)
    assert check_mnist_model(small_net(n_out=9), x, y) is False
    assert "10 outputs" in capsys.readouterr().out
    assert check_mnist_model(small_net(n_in=28), x, y) is False
    assert "784 inputs" in capsys.readouterr().out
    assert check_mnist_model(lambda v: v, x, y) is False
    assert "nnlib Network" in capsys.readouterr().out


def test_model_rejects_diverged_network(capsys, rng):
    x, y = toy_digits(50, rng)
    net = small_net()
    net.layers[0].params["W"][...] = np.nan
    assert check_mnist_model(net, x, y) is False
    assert "NaN" in capsys.readouterr().out


def test_an_untrained_model_earns_no_partial_credit(capsys, rng):
    """Three of the four cases only check that the accuracy can be measured,
    which an untrained network passes: the score is all or nothing."""
    x, y = toy_digits(100, rng)
    assert check_mnist_model(small_net(), x, y, target=0.97) is False
    assert last_score().fraction == 0
    x, y = toy_digits(600, rng)
    net = small_net()
    net.fit(x[:500], y[:500], epochs=5, batch_size=32, seed=0, verbose=0)
    assert check_mnist_model(net, x[500:], y[500:], target=0.97) is True
    assert last_score().fraction == 1
