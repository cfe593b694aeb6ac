"""The moons-chapter checkers accept the reference solutions and reject typical mistakes."""
import numpy as np
import pytest

from nnlib import BinaryCrossEntropy, Dense, Network, SGD, Sigmoid, Tanh, data
from nnlib.checks import check_moons_model, check_sigmoid_accuracy, check_split
from nnlib.checks.verdict import last_score


# -- exercise 8.1: accuracy of a sigmoid output -----------------------------
def sigmoid_accuracy(a, y):
    return float(np.mean((a >= 0.5) == (y == 1)))


def test_sigmoid_accuracy_accepts_the_solution(capsys):
    assert check_sigmoid_accuracy(sigmoid_accuracy) is True
    assert "✓" in capsys.readouterr().out


def test_sigmoid_accuracy_rejects_a_strict_threshold(capsys):
    assert check_sigmoid_accuracy(lambda a, y: float(np.mean((a > 0.5) == (y == 1)))) is False
    out = capsys.readouterr().out
    assert "an output of exactly 0.5" in out and ">= 0.5" in out


def test_sigmoid_accuracy_rejects_a_percentage(capsys):
    assert check_sigmoid_accuracy(lambda a, y: 100 * float(np.mean((a >= 0.5) == (y == 1)))) is False
    out = capsys.readouterr().out
    assert "four clear predictions" in out and "percentage" in out


def test_sigmoid_accuracy_rejects_an_argmax(capsys):
    assert check_sigmoid_accuracy(lambda a, y: float(np.mean(np.argmax(a, axis=1) == np.argmax(y, axis=1)))) is False
    assert "four clear predictions" in capsys.readouterr().out


def test_sigmoid_accuracy_rejects_a_count(capsys):
    assert check_sigmoid_accuracy(lambda a, y: int(np.sum((a >= 0.5) == (y == 1)))) is False
    assert "expected 0.75, got 3" in capsys.readouterr().out


# -- exercise 8.2: a train / held-out split ---------------------------------
def split(x, y, n_test, seed):
    order = np.random.default_rng(seed).permutation(len(x))
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def test_split_accepts_the_solution(capsys):
    assert check_split(split) is True
    assert "all 5 cases passed" in capsys.readouterr().out


def test_split_rejects_no_shuffle(capsys):
    def last_rows(x, y, n_test, seed):
        return x[:-n_test], y[:-n_test], x[-n_test:], y[-n_test:]

    assert check_split(last_rows) is False
    out = capsys.readouterr().out
    assert "a shuffled split" in out and "last 10 rows" in out


def test_split_rejects_x_and_y_shuffled_apart(capsys):
    def apart(x, y, n_test, seed):
        rng = np.random.default_rng(seed)
        x, y = x[rng.permutation(len(x))], y[rng.permutation(len(y))]
        return x[n_test:], y[n_test:], x[:n_test], y[:n_test]

    assert check_split(apart) is False
    assert "every x kept with its own y" in capsys.readouterr().out


def test_split_rejects_sampling_with_replacement(capsys):
    def with_replacement(x, y, n_test, seed):
        idx = np.random.default_rng(seed).integers(0, len(x), len(x))
        return x[idx[n_test:]], y[idx[n_test:]], x[idx[:n_test]], y[idx[:n_test]]

    assert check_split(with_replacement) is False
    assert "every example used exactly once" in capsys.readouterr().out


def test_split_rejects_an_unseeded_shuffle(capsys):
    fresh = np.random.default_rng()

    def unseeded(x, y, n_test, seed):
        order = fresh.permutation(len(x))
        return x[order[n_test:]], y[order[n_test:]], x[order[:n_test]], y[order[:n_test]]

    assert check_split(unseeded) is False
    assert "the same split for the same seed" in capsys.readouterr().out


def test_split_rejects_an_in_place_shuffle(capsys):
    def in_place(x, y, n_test, seed):
        order = np.random.default_rng(seed).permutation(len(x))
        x[:], y[:] = x[order], y[order]
        return x[n_test:], y[n_test:], x[:n_test], y[:n_test]

    assert check_split(in_place) is False
    assert "in place" in capsys.readouterr().out


# -- exercise 8.3: a model that generalises ---------------------------------
def moons_net(n_h, seed=0):
    rng = np.random.default_rng(seed)
    return Network([Dense(2, n_h, rng=rng), Tanh(), Dense(n_h, 1, rng=rng), Sigmoid()], BinaryCrossEntropy(), SGD(1.2))


@pytest.mark.usefixtures("sklearn")
def test_moons_model_accepts_a_trained_network(capsys):
    x, y = data.moons(200, noise=0.2, seed=0)
    net = moons_net(5)
    net.fit(x, y, epochs=2000, batch_size=200, shuffle=False, verbose=0)
    assert check_moons_model(net) is True
    out = capsys.readouterr().out
    assert "✓" in out and "held-out accuracy" in out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_rejects_an_untrained_network(capsys):
    assert check_moons_model(moons_net(5)) is False
    assert "accuracy on 1000 fresh points" in capsys.readouterr().out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_rejects_a_linear_model(capsys):
    x, y = data.moons(200, noise=0.2, seed=0)
    rng = np.random.default_rng(0)
    net = Network([Dense(2, 1, rng=rng), Sigmoid()], BinaryCrossEntropy(), SGD(1.0))
    net.fit(x, y, epochs=1000, batch_size=200, shuffle=False, verbose=0)
    assert check_moons_model(net) is False
    out = capsys.readouterr().out
    assert "accuracy on 1000 fresh points" in out and "should be at least 90%" in out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_rejects_a_network_without_sigmoid(capsys):
    rng = np.random.default_rng(0)
    net = Network([Dense(2, 4, rng=rng), Tanh(), Dense(4, 1, rng=rng)], BinaryCrossEntropy(), SGD(1.0))
    net.layers[-1].params["b"][:] = 3.0
    assert check_moons_model(net) is False
    assert "end the network with a Sigmoid" in capsys.readouterr().out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_accepts_a_training_function(capsys):
    def train(x, y):
        net = moons_net(5)
        net.fit(x, y, epochs=2000, batch_size=len(x), shuffle=False, verbose=0)
        return net

    assert check_moons_model(train) is True
    assert "held-out accuracy" in capsys.readouterr().out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_reports_a_stub(capsys):
    def stub(x, y):
        raise NotImplementedError("Exercise 8.3")

    assert check_moons_model(stub) is False
    assert "not written yet" in capsys.readouterr().out


def test_moons_model_rejects_something_else(capsys):
    assert check_moons_model("my network") is False
    assert "needs a trained nnlib Network" in capsys.readouterr().out


@pytest.mark.usefixtures("sklearn")
def test_moons_model_untrained_earns_no_partial_credit(capsys):
    """An untrained network passes the first two cases, which only check
    that it can be measured: the score is all or nothing."""
    assert check_moons_model(moons_net(5)) is False
    assert last_score().fraction == 0
