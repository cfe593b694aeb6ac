"""The chapter "A network class": each checker accepts the reference solution
and rejects typical wrong answers, naming the failing case."""
import numpy as np

from nnlib import ReLU, Sigmoid, Softmax, Tanh
from nnlib.checks import check_activation_layer, check_batches, check_predict_one_hot

LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "softmax": Softmax}


def activation_layer(name):
    if name is None:
        return None
    if name not in LAYERS:
        raise ValueError(f"unknown activation {name!r}, expected one of {sorted(LAYERS)} or None")
    return LAYERS[name]()


def test_activation_layer_accepts_reference(capsys):
    assert check_activation_layer(activation_layer) is True
    assert "✓" in capsys.readouterr().out


def test_activation_layer_rejects_swapped_names(capsys):
    swapped = {**LAYERS, "tanh": Sigmoid, "sigmoid": Tanh}
    assert check_activation_layer(lambda name: None if name is None else swapped[name]()) is False
    out = capsys.readouterr().out
    assert "✗" in out and "'sigmoid'" in out


def test_activation_layer_rejects_classes_and_shared_objects(capsys):
    assert check_activation_layer(lambda name: None if name is None else LAYERS[name]) is False
    assert "the class" in capsys.readouterr().out
    shared = {k: v() for k, v in LAYERS.items()}
    assert check_activation_layer(lambda name: None if name is None else shared[name]) is False
    assert "same object" in capsys.readouterr().out


def test_activation_layer_rejects_silent_unknown_names(capsys):
    assert check_activation_layer(lambda name: LAYERS[name]() if name in LAYERS else None) is False
    assert "swish" in capsys.readouterr().out


def test_activation_layer_stub_is_not_written(capsys):
    def stub(name):
        raise NotImplementedError("Exercise 9.1")
    assert check_activation_layer(stub) is False
    assert "not written yet" in capsys.readouterr().out


def predict_one_hot(p):
    out = np.zeros_like(p)
    out[np.arange(len(p)), np.argmax(p, axis=1)] = 1.0
    return out


def test_predict_one_hot_accepts_reference(capsys):
    assert check_predict_one_hot(predict_one_hot) is True
    assert "✓" in capsys.readouterr().out


def test_predict_one_hot_rejects_global_maximum(capsys):
    def global_max(p):  # one maximum for the whole batch instead of one per row
        return (p == p.max()).astype(float)
    assert check_predict_one_hot(global_max) is False
    out = capsys.readouterr().out
    assert "✗" in out and "three rows" in out


def test_predict_one_hot_rejects_indices_and_wrong_axis(capsys):
    assert check_predict_one_hot(lambda p: np.argmax(p, axis=1)) is False
    assert "shape" in capsys.readouterr().out

    def columns(p):
        out = np.zeros_like(p)
        out[np.argmax(p, axis=0), np.arange(p.shape[1])] = 1.0
        return out
    assert check_predict_one_hot(columns) is False
    assert "three rows" in capsys.readouterr().out


def batches(n, batch_size):
    return [(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def test_batches_accepts_reference(capsys):
    assert check_batches(batches) is True
    assert "✓" in capsys.readouterr().out


def test_batches_rejects_dropping_the_last(capsys):
    def dropping(n, b):
        return [(i * b, (i + 1) * b) for i in range(n // b)]
    assert check_batches(dropping) is False
    out = capsys.readouterr().out
    assert "n=10, batch_size=3" in out and "dropped" in out


def test_batches_rejects_overlapping(capsys):
    def full_last(n, b):  # the last batch shifted back so it is full: it overlaps the one before
        return [(min(s, n - b), min(s, n - b) + b) for s in range(0, n, b)]
    assert check_batches(full_last) is False
    out = capsys.readouterr().out
    assert "n=10, batch_size=3" in out and "batch 3 should be (9, 10)" in out

    def overlapping(n, b):
        return [(s, min(s + b + 1, n)) for s in range(0, n, b)]
    assert check_batches(overlapping) is False
    assert "batch 0 should be (0, 3)" in capsys.readouterr().out


def test_batches_rejects_non_pairs(capsys):
    assert check_batches(lambda n, b: list(range(0, n, b))) is False
    assert "(start, stop) pairs" in capsys.readouterr().out
