"""The chapter "Solving MNIST": each checker accepts the reference solution
and rejects typical wrong answers, naming the failing case."""
import numpy as np

from nnlib import SGD, CategoricalCrossEntropy, Dense, Network, ReLU, Softmax
from nnlib.checks import check_accuracy_fn, check_confusion_matrix, check_mnist_model


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
    assert "✓" in out and "test accuracy" in out
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
