"""The chapter "Training better": each checker accepts the reference solution
and rejects typical wrong answers, naming the failing case and, where the
numbers match a typical mistake, that mistake."""
import numpy as np
import pytest

from nnlib import SGD, Adam, Optimizer
from nnlib.checks import check_adam, check_learning_rate, check_momentum


# -- Exercise 10.1: Nesterov momentum ----------------------------------------
class NesterovSGD(Optimizer):
    def __init__(self, learning_rate=0.01, momentum=0.9):
        super().__init__(learning_rate)
        self.momentum = momentum

    def update(self, param, grad, key):
        (velocity,) = self.slots(key, param, 1)
        velocity *= self.momentum
        velocity -= self.learning_rate * grad
        param += self.momentum * velocity - self.learning_rate * grad


def verdict(checker, answer, capsys):
    result = checker(answer)
    return result, capsys.readouterr().out


def test_nesterov_accepts_reference(capsys):
    result, out = verdict(check_momentum, NesterovSGD, capsys)
    assert result is True
    assert out == "✓ Nesterov momentum: all 5 cases passed.\n"


def test_nesterov_accepts_the_pytorch_form(capsys):
    # PyTorch keeps b = μ b + g and steps θ -= η (g + μ b): the same rule
    # with v = -η b.
    class TorchStyle(NesterovSGD):
        def update(self, param, grad, key):
            (buffer,) = self.slots(key, param, 1)
            buffer *= self.momentum
            buffer += grad
            param -= self.learning_rate * (grad + self.momentum * buffer)
    assert verdict(check_momentum, TorchStyle, capsys)[0] is True


def test_nesterov_rejects_the_stub(capsys):
    class Stub(Optimizer):
        def __init__(self, learning_rate=0.01, momentum=0.9):
            super().__init__(learning_rate)

        def update(self, param, grad, key):
            raise NotImplementedError("Exercise 10.1: replace this line")
    result, out = verdict(check_momentum, Stub, capsys)
    assert result is False and "not written yet (Exercise 10.1" in out


@pytest.mark.parametrize("mistake, case, hint", [
    ("classical", "one step", "classical momentum"),
    ("old velocity", "one step", "from before the update"),
    ("uphill", "one step", "uphill"),
    ("fresh", "two steps", "starts from zero at every step"),
    ("shared", "two parameters of the same shape", "shared by all"),
])
def test_nesterov_names_typical_mistakes(mistake, case, hint, capsys):
    class Wrong(NesterovSGD):
        def update(self, param, grad, key):
            mu, lr = self.momentum, self.learning_rate
            (velocity,) = self.slots("one" if mistake == "shared" else key,
                                     param, 1)
            if mistake == "fresh":
                velocity = np.zeros_like(param)
            old = velocity.copy()
            velocity *= mu
            velocity += lr * grad if mistake == "uphill" else -lr * grad
            if mistake == "classical":
                param += velocity
            elif mistake == "old velocity":
                param += mu * old - lr * grad
            elif mistake == "uphill":
                param += mu * velocity + lr * grad
            else:
                param += mu * velocity - lr * grad
    result, out = verdict(check_momentum, Wrong, capsys)
    assert result is False
    assert out.startswith(f"✗ Nesterov momentum: failed on {case}")
    assert hint in out


def test_nesterov_rejects_copies_and_non_optimizers(capsys):
    class Copying(NesterovSGD):
        def step(self, layers):
            for layer in layers:
                for name in layer.params:
                    layer.params[name] = layer.params[name] - layer.grads[name]
    result, out = verdict(check_momentum, Copying, capsys)
    assert result is False and "in place" in out

    class NotAnOptimizer:
        def __init__(self, learning_rate, momentum):
            pass
    result, out = verdict(check_momentum, NotAnOptimizer, capsys)
    assert result is False and "should be an nnlib Optimizer" in out
    result, out = verdict(check_momentum, NesterovSGD(0.1), capsys)
    assert result is False and "pass the class itself" in out


def test_nesterov_rejects_nnlib_classical_momentum(capsys):
    result, out = verdict(check_momentum, SGD, capsys)
    assert result is False and "classical momentum" in out


# -- Exercise 10.2: AdamW -----------------------------------------------------
class AdamW(Optimizer):
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                 eps=1e-8, weight_decay=0.01):
        super().__init__(learning_rate)
        self.beta1, self.beta2 = beta1, beta2
        self.eps, self.weight_decay = eps, weight_decay

    def update(self, param, grad, key):
        m, v = self.slots(key, param, 2)
        b1, b2, t = self.beta1, self.beta2, self.t
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * grad**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        param -= self.learning_rate * (m_hat / (np.sqrt(v_hat) + self.eps)
                                       + self.weight_decay * param)


def test_adamw_accepts_reference(capsys):
    result, out = verdict(check_adam, AdamW, capsys)
    assert result is True
    assert out == "✓ AdamW: all 6 cases passed.\n"


def test_adamw_accepts_the_decay_applied_first_or_last(capsys):
    # PyTorch and Keras shrink θ by (1 − ηλ) first; shrinking the updated θ
    # instead differs by η²λ times the step, which the checker allows.
    class DecayFirst(AdamW):
        def update(self, param, grad, key):
            param *= 1 - self.learning_rate * self.weight_decay
            wd, self.weight_decay = self.weight_decay, 0.0
            super().update(param, grad, key)
            self.weight_decay = wd

    class DecayLast(AdamW):
        def update(self, param, grad, key):
            wd, self.weight_decay = self.weight_decay, 0.0
            super().update(param, grad, key)
            self.weight_decay = wd
            param *= 1 - self.learning_rate * self.weight_decay
    assert verdict(check_adam, DecayFirst, capsys)[0] is True
    assert verdict(check_adam, DecayLast, capsys)[0] is True


def wrong_adamw(mistake):
    """AdamW with one typical mistake."""
    class Wrong(AdamW):
        def update(self, param, grad, key):
            b1, b2, t, lr = self.beta1, self.beta2, self.t, self.learning_rate
            wd = self.weight_decay
            if mistake == "t per call":
                self.calls = getattr(self, "calls", 0) + 1
                t = self.calls
            if mistake == "l2":
                grad = grad + wd * param
            if mistake == "betas swapped":
                b1, b2 = b2, b1
            m, v = self.slots("one" if mistake == "shared" else key, param, 2)
            m *= b1
            m += (1 - b1) * grad
            v *= b2
            v += (1 - b2) * grad**2
            if mistake == "betas swapped":
                b1, b2 = b2, b1
            m_hat = m if mistake in ("uncorrected", "m uncorrected") else m / (1 - b1**t)
            v_hat = v if mistake in ("uncorrected", "v uncorrected") else v / (1 - b2**t)
            if mistake == "eps inside":
                step = m_hat / np.sqrt(v_hat + self.eps)
            else:
                step = m_hat / (np.sqrt(v_hat) + self.eps)
            decay = {"l2": 0.0, "no decay": 0.0, "decay without rate": wd}.get(mistake, lr * wd)
            param -= lr * step + decay * param
    return Wrong


@pytest.mark.parametrize("mistake, case, hint", [
    ("uncorrected", "the first step", "without bias correction"),
    ("m uncorrected", "the first step", "uncorrected m"),
    ("v uncorrected", "the first step", "uncorrected v"),
    ("eps inside", "three steps with tiny gradients", "outside the root"),
    ("betas swapped", "the first step", "decay rates swapped"),
    ("l2", "weight decay 0.05", "added to the gradient"),
    ("decay without rate", "weight decay 0.05", "a decay of λθ"),
    ("no decay", "weight decay 0.05", "without weight decay"),
    ("shared", "two parameters of the same shape", "shared by all"),
    ("t per call", "two parameters of the same shape", "self.t"),
])
def test_adamw_names_typical_mistakes(mistake, case, hint, capsys):
    result, out = verdict(check_adam, wrong_adamw(mistake), capsys)
    assert result is False
    assert out.startswith(f"✗ AdamW: failed on {case}"), out
    assert hint in out, out


def test_adamw_rejects_inheriting_nnlibs_adam(capsys):
    class Inherited(Adam):
        def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999,
                     eps=1e-8, weight_decay=0.01):
            super().__init__(learning_rate, beta1, beta2, eps)
            self.weight_decay = weight_decay

        def update(self, param, grad, key):
            param -= self.learning_rate * self.weight_decay * param
            super().update(param, grad, key)
    result, out = verdict(check_adam, Inherited, capsys)
    assert result is False and "inherits nnlib's Adam" in out


def test_adamw_rejects_a_copy_and_a_missing_argument(capsys):
    class Copying(AdamW):
        def step(self, layers):
            for layer in layers:
                for name in layer.params:
                    layer.params[name] = layer.params[name] - 0.001 * layer.grads[name]
    result, out = verdict(check_adam, Copying, capsys)
    assert result is False and "in place" in out

    class NoDecay(Optimizer):
        def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
            super().__init__(learning_rate)
    result, out = verdict(check_adam, NoDecay, capsys)
    assert result is False and "weight_decay" in out


# -- Exercise 10.3: the learning rate -------------------------------------------
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
