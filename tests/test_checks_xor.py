"""The XOR-chapter checkers accept the reference solutions and reject typical mistakes."""
import numpy as np

from nnlib.checks import check_log_loss_prime, check_train_xor, check_xor_weights


# -- exercise 7.1: the derivative of the log-loss ----------------------------
def log_loss_prime(a, y):
    return (a - y) / (a * (1 - a))


def test_log_loss_prime_accepts_the_solution(capsys):
    assert check_log_loss_prime(log_loss_prime) is True
    assert "✓" in capsys.readouterr().out


def test_log_loss_prime_rejects_a_missing_minus_sign(capsys):
    assert check_log_loss_prime(lambda a, y: (y - a) / (a * (1 - a))) is False
    out = capsys.readouterr().out
    assert "✗" in out and "a = 0.8 with target y = 1" in out and "wrong sign" in out


def test_log_loss_prime_rejects_the_fused_gradient(capsys):
    assert check_log_loss_prime(lambda a, y: a - y) is False
    out = capsys.readouterr().out
    assert "a = 0.8 with target y = 1" in out and "a − y" in out


def test_log_loss_prime_rejects_an_average(capsys):
    assert check_log_loss_prime(lambda a, y: (a - y) / (a * (1 - a)) / a.size) is False
    out = capsys.readouterr().out
    assert "four XOR predictions" in out and "no 1/m" in out


def test_log_loss_prime_reports_a_stub(capsys):
    def stub(a, y):
        raise NotImplementedError("Exercise 7.1")

    assert check_log_loss_prime(stub) is False
    assert "not written yet" in capsys.readouterr().out


# -- exercise 7.2: XOR by hand ----------------------------------------------
W1 = np.array([[20.0, -20.0], [20.0, -20.0]])
b1 = np.array([-10.0, 30.0])
W2 = np.array([[20.0], [20.0]])
b2 = np.array([-30.0])


def test_xor_weights_accepts_or_nand_and(capsys):
    assert check_xor_weights(W1, b1, W2, b2) is True
    assert "all 5 cases passed" in capsys.readouterr().out


def test_xor_weights_rejects_an_or_network(capsys):
    # the output unit computes OR of (OR, NAND), which is 1 on (1, 1) too
    assert check_xor_weights(W1, b1, W2, np.array([-10.0])) is False
    out = capsys.readouterr().out
    assert "x = [0, 0]" in out or "x = [1, 1]" in out


def test_xor_weights_rejects_a_transposed_output_weight(capsys):
    assert check_xor_weights(W1, b1, W2.T, b2) is False
    out = capsys.readouterr().out
    assert "W2 should have shape (2, 1)" in out and "transposed" in out


def test_xor_weights_rejects_weights_too_small_to_be_sure(capsys):
    assert check_xor_weights(W1 / 10, b1 / 10, W2 / 10, b2 / 10) is False
    out = capsys.readouterr().out
    assert "x = [0, 0]" in out and "should be below 0.1" in out


# -- exercise 7.3: the training loop ----------------------------------------
def train_xor(net, x, y, epochs):
    costs = []
    for _ in range(epochs):
        a = net.forward(x)
        costs.append(net.loss(a, y))
        net.backward(a, y)
        net.optimizer.step(net.layers)
    return costs


def test_train_xor_accepts_the_solution(capsys):
    assert check_train_xor(train_xor) is True
    assert "all 6 cases passed" in capsys.readouterr().out


def test_train_xor_rejects_a_loop_without_an_update(capsys):
    def no_step(net, x, y, epochs):
        costs = []
        for _ in range(epochs):
            a = net.forward(x)
            costs.append(net.loss(a, y))
            net.backward(a, y)
        return costs

    assert check_train_xor(no_step) is False
    assert "the cost going down" in capsys.readouterr().out


def test_train_xor_rejects_the_cost_recorded_after_the_update(capsys):
    def late(net, x, y, epochs):
        costs = []
        for _ in range(epochs):
            a = net.forward(x)
            net.backward(a, y)
            net.optimizer.step(net.layers)
            costs.append(net.loss(net.forward(x), y))
        return costs

    assert check_train_xor(late) is False
    assert "the first recorded cost" in capsys.readouterr().out


def test_train_xor_rejects_only_the_final_cost(capsys):
    def final_only(net, x, y, epochs):
        return train_xor(net, x, y, epochs)[-1]

    assert check_train_xor(final_only) is False
    assert "the returned history" in capsys.readouterr().out


def test_train_xor_rejects_one_example_at_a_time(capsys):
    def per_sample(net, x, y, epochs):
        costs = []
        for _ in range(epochs):
            costs.append(net.loss(net.forward(x), y))
            for i in range(len(x)):
                a = net.forward(x[i:i + 1])
                net.backward(a, y[i:i + 1])
                net.optimizer.step(net.layers)
        return costs

    assert check_train_xor(per_sample) is False
    assert "the cost of every epoch" in capsys.readouterr().out
