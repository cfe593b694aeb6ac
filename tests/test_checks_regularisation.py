"""The chapter "Regularisation and diagnosis": each checker accepts the
reference solution and rejects typical wrong answers, naming the failing
case."""
import numpy as np

from nnlib import Dropout, Layer, move
from nnlib.checks import (check_add_l2, check_dropout, check_early_stop,
                          check_shift)
from nnlib.checks.verdict import last_score


class MyDropout(Layer):
    def __init__(self, rate, seed=None):
        super().__init__()
        self.rate = rate
        self.rng = np.random.default_rng(seed)
        self.training = True
        self.mask = None

    def forward(self, x):
        if not self.training:
            self.mask = None
            return x
        keep = 1 - self.rate
        self.mask = (self.rng.random(x.shape) < keep) / keep
        return x * self.mask

    def backward(self, grad_output):
        return grad_output if self.mask is None else grad_output * self.mask


def test_dropout_accepts_the_reference_and_nnlibs_own(capsys):
    assert check_dropout(MyDropout) is True
    assert check_dropout(Dropout) is True
    assert capsys.readouterr().out.count("✓") == 2


def test_dropout_rejects_the_stub(capsys):
    class Stub(Layer):
        def __init__(self, rate, seed=None):
            super().__init__()

        def forward(self, x):
            raise NotImplementedError("Exercise 12.1: not yet")
    assert check_dropout(Stub) is False
    assert "not written yet" in capsys.readouterr().out


def dropout_with(mask):
    """MyDropout whose training mask is ``mask(layer, shape)``: one slip put in."""
    class Variant(MyDropout):
        def forward(self, x):
            if not self.training:
                return x
            self.mask = mask(self, x.shape)
            return x * self.mask
    return Variant


def test_dropout_rejects_a_missing_or_wrong_scale(capsys):
    unscaled = dropout_with(lambda layer, shape: layer.rng.random(shape) >= layer.rate)
    assert check_dropout(unscaled) is False
    assert "unscaled" in capsys.readouterr().out

    test_time_scale = dropout_with(lambda layer, shape: (layer.rng.random(shape) >= layer.rate) * (1 - layer.rate))
    assert check_dropout(test_time_scale) is False
    assert "test-time" in capsys.readouterr().out


def test_dropout_rejects_keeping_rate_instead_of_dropping_it(capsys):
    inverted = dropout_with(lambda layer, shape: (layer.rng.random(shape) < layer.rate) / (1 - layer.rate))
    assert check_dropout(inverted) is False
    assert "probability of dropping" in capsys.readouterr().out


def test_dropout_rejects_a_fixed_mask_a_fresh_backward_mask_and_no_mode(capsys):
    class OneMask(MyDropout):
        def forward(self, x):
            if self.mask is None:
                super().forward(x)
            return x * self.mask if self.training else x
    assert check_dropout(OneMask) is False
    assert "same mask" in capsys.readouterr().out

    class FreshBackward(MyDropout):
        def backward(self, grad_output):
            keep = 1 - self.rate
            return grad_output * (self.rng.random(grad_output.shape) < keep) / keep
    assert check_dropout(FreshBackward) is False
    assert "mask of that forward" in capsys.readouterr().out

    class AlwaysOn(MyDropout):
        def forward(self, x):
            self.training = True
            return super().forward(x)
    assert check_dropout(AlwaysOn) is False
    assert "training = False" in capsys.readouterr().out

    class PassThroughBackward(MyDropout):
        def backward(self, grad_output):
            return grad_output
    assert check_dropout(PassThroughBackward) is False
    assert "unchanged" in capsys.readouterr().out


def add_l2(layers, lam):
    penalty = 0.0
    for layer in layers:
        W = layer.params["W"]
        layer.grads["W"] += lam * W
        penalty += lam / 2 * np.sum(W * W)
    return penalty


def test_add_l2_accepts_the_reference(capsys):
    assert check_add_l2(add_l2) is True
    assert "✓" in capsys.readouterr().out


def test_add_l2_rejects_typical_mistakes(capsys):
    def biases_too(layers, lam):
        for layer in layers:
            for name, p in layer.params.items():
                layer.grads[name] += lam * p
        return sum(lam / 2 * np.sum(layer.params["W"] ** 2) for layer in layers)
    assert check_add_l2(biases_too) is False
    assert "biases are not decayed" in capsys.readouterr().out

    def twice(layers, lam):
        for layer in layers:
            layer.grads["W"] += 2 * lam * layer.params["W"]
        return sum(lam * np.sum(layer.params["W"] ** 2) for layer in layers)
    assert check_add_l2(twice) is False
    assert "2λW" in capsys.readouterr().out

    def replaced(layers, lam):
        for layer in layers:
            layer.grads["W"][...] = lam * layer.params["W"]
        return sum(lam / 2 * np.sum(layer.params["W"] ** 2) for layer in layers)
    assert check_add_l2(replaced) is False
    assert "λW alone" in capsys.readouterr().out

    def new_array(layers, lam):
        for layer in layers:
            layer.grads["W"] = layer.grads["W"] + lam * layer.params["W"]
        return sum(lam / 2 * np.sum(layer.params["W"] ** 2) for layer in layers)
    assert check_add_l2(new_array) is False
    assert "in place" in capsys.readouterr().out

    def no_penalty(layers, lam):
        for layer in layers:
            layer.grads["W"] += lam * layer.params["W"]
    assert check_add_l2(no_penalty) is False
    assert "penalty" in capsys.readouterr().out


def early_stop(val_losses, patience):
    best, best_epoch, waited = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited == patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def test_early_stop_accepts_the_reference(capsys):
    assert check_early_stop(early_stop) is True
    assert "✓" in capsys.readouterr().out


def test_early_stop_rejects_typical_mistakes(capsys):
    def last_weights(val_losses, patience):
        stop, _ = early_stop(val_losses, patience)
        return stop, stop
    assert check_early_stop(last_weights) is False
    assert "a minimum at epoch 3" in capsys.readouterr().out

    def ties_improve(val_losses, patience):
        best, best_epoch, waited = float("inf"), 0, 0
        for epoch, loss in enumerate(val_losses, start=1):
            if loss <= best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited == patience:
                    return epoch, best_epoch
        return len(val_losses), best_epoch
    assert check_early_stop(ties_improve) is False
    assert "equal to the best" in capsys.readouterr().out

    def from_zero(val_losses, patience):
        stop, best = early_stop(val_losses, patience)
        return stop - 1, best - 1
    assert check_early_stop(from_zero) is False
    assert "count epochs from 1" in capsys.readouterr().out

    def never_resets(val_losses, patience):
        best, best_epoch, waited = float("inf"), 0, 0
        for epoch, loss in enumerate(val_losses, start=1):
            if loss < best:
                best, best_epoch = loss, epoch
            else:
                waited += 1
                if waited == patience:
                    return epoch, best_epoch
        return len(val_losses), best_epoch
    assert check_early_stop(never_resets) is False
    assert "late improvement" in capsys.readouterr().out

    def stub(val_losses, patience):
        raise NotImplementedError("Exercise 12.3: not yet")
    assert check_early_stop(stub) is False
    assert "not written yet" in capsys.readouterr().out


def shift(image, down, right):
    rows, cols = image.shape
    moved = np.zeros_like(image)
    moved[max(down, 0):rows + min(down, 0),
          max(right, 0):cols + min(right, 0)] = \
        image[max(-down, 0):rows + min(-down, 0),
              max(-right, 0):cols + min(-right, 0)]
    return moved


def test_shift_accepts_the_reference(capsys):
    assert check_shift(shift) is True
    assert "✓ shift: all 6 cases passed" in capsys.readouterr().out


def test_shift_rejects_typical_mistakes(capsys):
    mistakes = [
        (lambda image, d, r: np.roll(image, (d, r), (0, 1)), "as np.roll"),
        (lambda image, d, r: shift(image, -d, -r), "the other way"),
        (lambda image, d, r: image, "a view of it"),
        (lambda image, d, r: shift(image, d, r).astype(np.float64),
         "keep the dtype"),
        (lambda image, d, r: move(image, d, r), "nnlib's own move"),
    ]
    for mistake, named in mistakes:
        assert check_shift(mistake) is False
        assert named in capsys.readouterr().out

    def in_place(image, down, right):
        image[...] = shift(image, down, right)
        return image.copy()
    assert check_shift(in_place) is False
    assert "changed the image passed in" in capsys.readouterr().out
    assert last_score().passed == 1  # only the case that does not move

    def square_only(image, down, right):
        side = len(image)
        return shift(image[:, :side], down, right)
    assert check_shift(square_only) is False
    assert "failed on a wide image" in capsys.readouterr().out
