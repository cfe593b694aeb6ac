"""The chapter "Training better": each checker accepts the reference solution
and rejects typical wrong answers, naming the failing case."""
import numpy as np

from nnlib import Optimizer
from nnlib.checks import check_adam, check_learning_rate, check_momentum


class MomentumSGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = momentum

    def update(self, param, grad, key):
        (velocity,) = self.slots(key, param, 1)
        velocity *= self.momentum
        velocity -= self.learning_rate * grad
        param += velocity


def test_momentum_accepts_reference(capsys):
    assert check_momentum(MomentumSGD) is True
    assert "✓" in capsys.readouterr().out


def test_momentum_rejects_wrong_velocity_sign(capsys):
    class Uphill(MomentumSGD):
        def update(self, param, grad, key):
            (velocity,) = self.slots(key, param, 1)
            velocity *= self.momentum
            velocity += self.learning_rate * grad
            param += velocity
    assert check_momentum(Uphill) is False
    out = capsys.readouterr().out
    assert "✗" in out and "one step" in out


def test_momentum_rejects_forgotten_state(capsys):
    class Forgetful(MomentumSGD):
        def update(self, param, grad, key):
            velocity = np.zeros_like(param)          # a fresh velocity every step
            velocity = self.momentum * velocity - self.learning_rate * grad
            param += velocity
    assert check_momentum(Forgetful) is False
    assert "two steps" in capsys.readouterr().out


def test_momentum_rejects_shared_velocity_and_copies(capsys):
    class Shared(MomentumSGD):
        def update(self, param, grad, key):
            (velocity,) = self.slots("one for all", param, 1)
            velocity *= self.momentum
            velocity -= self.learning_rate * grad
            param += velocity
    assert check_momentum(Shared) is False
    assert "✗" in capsys.readouterr().out

    class Copying(MomentumSGD):
        def step(self, layers):
            for layer in layers:
                for name in layer.params:
                    layer.params[name] = layer.params[name] - self.learning_rate * layer.grads[name]
    assert check_momentum(Copying) is False
    assert "in place" in capsys.readouterr().out


def adam_update(param, grad, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_adam_accepts_reference(capsys):
    assert check_adam(adam_update) is True
    assert "✓" in capsys.readouterr().out


def test_adam_rejects_missing_bias_correction(capsys):
    def uncorrected(param, grad, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return param - learning_rate * m / (np.sqrt(v) + eps), m, v
    assert check_adam(uncorrected) is False
    out = capsys.readouterr().out
    assert "the first step" in out and "param" in out


def test_adam_rejects_eps_inside_the_root(capsys):
    def eps_inside(param, grad, m, v, t, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return param - learning_rate * m_hat / np.sqrt(v_hat + eps), m, v
    assert check_adam(eps_inside) is False
    assert "tiny gradients" in capsys.readouterr().out


def test_adam_rejects_wrong_return(capsys):
    assert check_adam(lambda p, g, m, v, t, *rest: p - 0.001 * g) is False
    assert "(param, m, v)" in capsys.readouterr().out


def test_learning_rate_accepts_a_good_rate(capsys):
    assert check_learning_rate(0.1) is True
    assert capsys.readouterr().out == "✓ learning rate: its one case passed.\n"


def test_learning_rate_rejects_too_small_and_too_large(capsys):
    assert check_learning_rate(0.01) is False
    assert "too slowly" in capsys.readouterr().out
    assert check_learning_rate(0.5) is False
    assert "too large" in capsys.readouterr().out
    assert check_learning_rate(-1) is False
    assert "positive" in capsys.readouterr().out
