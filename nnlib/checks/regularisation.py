"""Checkers for the exercises of chapter 12, regularisation and diagnosis.

* ``check_dropout(cls)``: an inverted-dropout layer, ``cls(rate, seed=)``.
* ``check_add_l2(add_l2)``: adds the gradient of the penalty (λ/2) Σ ‖W‖²
  to the weight gradients of a list of layers and returns the penalty.
* ``check_early_stop(early_stop)``: the epoch where early stopping stops
  and the epoch whose weights it keeps, from a list of validation losses.
* ``check_shift(shift)``: one image moved by whole pixels, zeros moving in.
"""

import types

import numpy as np

from ..augment import move, shift_images
from ..dense import Dense
from ..dropout import Dropout
from ..training import EarlyStopping
from .expected import named_cases
from .verdict import CaseFailed, call, describe, expect_array, make_layer, \
    verdict

__all__ = ["check_dropout", "check_add_l2", "check_early_stop",
           "check_shift"]


# ---------------------------------------------------------------------------
# Exercise: inverted dropout
# ---------------------------------------------------------------------------
def _mask_of(layer, what, x):
    """The mask a training forward used, read off y / x (x has no 0)."""
    y = call(layer.forward, x, what=f"{what}.forward")
    if not isinstance(y, np.ndarray) or y.shape != x.shape:
        raise CaseFailed(f"{what}.forward(x) should return an array of "
                         f"shape {x.shape}, got {describe(y)}")
    return y / x


def check_dropout(dropout_class):
    """``dropout_class(rate, seed=None)``: a Layer whose forward, while
    ``training`` is True, keeps each entry with probability 1 − rate and
    scales it by 1/(1 − rate), with a new mask per call; backward
    multiplies by that mask; with ``training`` False both are the
    identity."""
    rng = np.random.default_rng(12)
    x = rng.uniform(0.5, 1.5, size=(200, 100)) * rng.choice([-1, 1],
                                                             (200, 100))

    def build(rate, seed=0, training=True):
        layer, what = make_layer(dropout_class, rate, seed=seed)
        layer.training = training
        return layer, what

    def statistics():
        layer, what = build(0.25)
        mask = _mask_of(layer, what, x)
        kept = mask != 0
        values = np.unique(np.round(mask[kept], 6))
        if np.allclose(values, 1.0):
            raise CaseFailed(
                f"{what}: kept entries are passed on unscaled; inverted "
                "dropout multiplies them by 1/(1 - rate) = 1.333, so the "
                "expected output stays x")
        if np.allclose(values, 0.75):
            raise CaseFailed(
                f"{what}: kept entries are multiplied by 1 - rate = 0.75, "
                "the test-time factor of the original dropout; inverted "
                "dropout divides by 1 - rate while training")
        if not np.allclose(values, 1 / 0.75):
            raise CaseFailed(
                f"{what}: output / input should be 0 or 1/(1 - rate) = "
                f"1.333, got the values {describe(values)}")
        fraction = kept.mean()
        if abs(fraction - 0.75) > 0.01:
            hint = (" (is rate the probability of keeping? it is the "
                    "probability of dropping)"
                    if abs(fraction - 0.25) < 0.01 else "")
            raise CaseFailed(
                f"{what}: keeps {fraction:.1%} of 20,000 entries, should "
                f"keep 1 - rate = 75 %{hint}")

    def new_mask_each_call():
        layer, what = build(0.5)
        if np.array_equal(_mask_of(layer, what, x),
                          _mask_of(layer, what, x)):
            raise CaseFailed(f"{what}: two forward passes used the same "
                             "mask; draw a new one for every batch")

    def backward_uses_the_mask():
        layer, what = build(0.5)
        _mask_of(layer, what, x)              # an earlier batch
        mask = _mask_of(layer, what, x)
        g = rng.standard_normal(x.shape)
        got = call(layer.backward, g, what=f"{what}.backward")
        if isinstance(got, np.ndarray) and np.allclose(got, g):
            raise CaseFailed(f"{what}.backward returns its input unchanged; "
                             "a dropped unit must pass no gradient back")
        nnlib_dropout = Dropout(0.5)
        nnlib_dropout.mask = mask
        expect_array(got, nnlib_dropout.backward(g),
                     f"{what}.backward(grad) after forward "
                     "(it must multiply by the mask of that forward)")

    def seeded():
        a, what = build(0.5, seed=3)
        b, _ = build(0.5, seed=3)
        if not np.array_equal(_mask_of(a, what, x), _mask_of(b, what, x)):
            raise CaseFailed(f"two layers {what} drew different masks; "
                             "draw them from np.random.default_rng(seed)")

    def identity_when_predicting():
        layer, what = build(0.5, training=False)
        y = call(layer.forward, x, what=f"{what}.forward")
        expect_array(y, x, f"{what}.forward with training = False (it "
                     "must let everything through, unscaled)")
        g = rng.standard_normal(x.shape)
        got = call(layer.backward, g, what=f"{what}.backward")
        expect_array(got, g, f"{what}.backward with training = False")

    def rate_zero():
        layer, what = build(0.0)
        expect_array(call(layer.forward, x, what=f"{what}.forward"), x,
                     f"{what}.forward (rate 0 drops nothing)")

    return verdict("dropout", [
        ("the mask's values and the fraction kept, rate 0.25", statistics),
        ("two forward passes in a row", new_mask_each_call),
        ("backward after forward", backward_uses_the_mask),
        ("two layers with the same seed", seeded),
        ("prediction (training = False)", identity_when_predicting),
        ("rate 0", rate_zero),
    ])


# ---------------------------------------------------------------------------
# Exercise: L2 on the gradients
# ---------------------------------------------------------------------------
def _layers(data):
    """Two Dense layers with the stored parameters and gradients."""
    layers = []
    for i in range(2):
        layer = Dense(*data[f"W{i}"].shape)
        for name in ("W", "b"):
            layer.params[name][...] = data[f"{name}{i}"]
            layer.grads[name][...] = data[f"g{name}{i}"]
        layers.append(layer)
    return layers


def check_add_l2(add_l2):
    """``add_l2(layers, lam)`` adds the gradient of the penalty
    (λ/2) Σ ‖W‖² to ``grads["W"]`` of every layer, in place, leaves the
    biases' gradients alone, and returns the penalty."""

    def case(data):
        lam = float(data["lam"])

        def run():
            layers, before = _layers(data), _layers(data)
            what = f"add_l2(layers, lam={lam})"
            arrays = [dict(layer.grads) for layer in layers]
            penalty = call(add_l2, layers, lam, what=what)
            for i, (layer, old) in enumerate(zip(layers, before)):
                if layer.grads["W"] is not arrays[i]["W"]:
                    raise CaseFailed(f"{what}: add to grads['W'] in place "
                                     "(+=), do not replace the array")
                gw, want = old.grads["W"], data[f"expected_gW{i}"]
                got = layer.grads["W"]
                if np.allclose(got, want - gw) and lam:
                    raise CaseFailed(f"{what}: grads['W'] of layer {i} is "
                                     "λW alone; the loss's own gradient "
                                     "must stay: add λW to it")
                if np.allclose(got, 2 * want - gw) and lam:
                    raise CaseFailed(f"{what}: layer {i} got 2λW, the "
                                     "gradient of λ‖W‖²; the penalty is "
                                     "(λ/2)‖W‖², whose gradient is λW")
                expect_array(got, want, f"{what}: grads['W'] of layer {i}")
                if not np.allclose(layer.grads["b"], old.grads["b"]):
                    raise CaseFailed(f"{what}: the bias gradient of layer "
                                     f"{i} changed; biases are not "
                                     "decayed")
            if not isinstance(penalty, (float, int, np.floating)):
                raise CaseFailed(f"{what} should return the penalty, one "
                                 f"number, got {describe(penalty)}")
            expected = float(data["penalty"])
            if lam and np.isclose(penalty, 2 * expected):
                raise CaseFailed(f"{what} returned λ Σ‖W‖²; the penalty "
                                 "is (λ/2) Σ‖W‖², whose gradient is λW")
            # The penalty and the added gradient must agree.
            expect_array(layers[0].grads["W"] - before[0].grads["W"],
                         data["penalty_gradient_W0"],
                         f"{what}: the added gradient against "
                         "finite differences of the penalty", atol=1e-6)
            expect_array(np.asarray(float(penalty)), expected,
                         f"{what}: the returned penalty")
        return run

    names = [
        "λ = 0.1 on two Dense layers",
        "λ = 0.003, other weights",
        "λ = 0 (nothing changes)",
    ]
    return verdict("add_l2", named_cases("add_l2", names, case))


# ---------------------------------------------------------------------------
# Exercise: early stopping
# ---------------------------------------------------------------------------
def _nnlib_early_stop(losses, patience):
    """(stop epoch, best epoch) of nnlib's own EarlyStopping watching
    these losses, one epoch at a time."""
    stopping = EarlyStopping(patience, monitor="loss")
    no_weights = types.SimpleNamespace(layers=[])
    history = {"loss": []}
    for loss in losses:
        history["loss"].append(loss)
        if stopping.update(no_weights, history):
            break
    return len(history["loss"]), stopping.best_epoch


def check_early_stop(early_stop):
    """``early_stop(val_losses, patience)`` returns ``(stop_epoch,
    best_epoch)``, epochs counted from 1: training stops after the
    ``patience``-th epoch in a row without a new lowest loss (or after
    the last epoch), and keeps the weights of the lowest one."""

    def case(losses, patience, hint=""):
        def run():
            expected = _nnlib_early_stop(losses, patience)
            what = f"early_stop({losses}, patience={patience})"
            got = call(early_stop, list(losses), patience, what=what)
            if not isinstance(got, (tuple, list)) or len(got) != 2:
                raise CaseFailed(f"{what} should return the pair "
                                 f"(stop_epoch, best_epoch), got {got!r}")
            if tuple(int(g) for g in got) == (expected[0] - 1,
                                              expected[1] - 1):
                raise CaseFailed(f"{what}: expected {expected}, got "
                                 f"{tuple(got)}: count epochs from 1")
            if tuple(got) != expected:
                raise CaseFailed(f"{what}: expected {expected}, got "
                                 f"{tuple(got)}{hint}")
        return run

    return verdict("early_stop", [
        ("a minimum at epoch 3, patience 2",
         case([0.9, 0.5, 0.4, 0.45, 0.5, 0.3], 2)),
        ("patience 1", case([0.9, 0.5, 0.6, 0.4], 1)),
        ("a tie is no improvement",
         case([0.5, 0.4, 0.4, 0.4, 0.3], 2,
              " (a loss equal to the best is not an improvement)")),
        ("a late improvement resets the count",
         case([1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.71], 3)),
        ("still improving at the end",
         case([0.9, 0.8, 0.7], 2,
              " (with no reason to stop, training ends after the last "
              "epoch and keeps the best one)")),
    ])


# ---------------------------------------------------------------------------
# Exercise: move a digit
# ---------------------------------------------------------------------------
def check_shift(shift):
    """``shift(image, down, right)`` returns a new array: the 2-D
    ``image`` moved ``down`` pixels down and ``right`` pixels right (up or
    left when negative), zeros where nothing moved in; the image passed in
    is left as it was."""

    def case(shape, down, right, dtype=np.float64):
        def run():
            image = np.random.default_rng(sum(shape)).random(shape) + 0.5
            image = image.astype(dtype)
            kept = image.copy()
            what = f"shift(image of shape {shape}, {down}, {right})"
            got = call(shift, image, down, right, what=what,
                       own=(move, shift_images))
            if not np.array_equal(image, kept):
                raise CaseFailed(f"{what} changed the image passed in: "
                                 "write the moved pixels into a new array")
            if isinstance(got, np.ndarray) and np.shares_memory(got, image):
                raise CaseFailed(f"{what} returned the image itself or a "
                                 "view of it: return a new array")
            expected = move(image, down, right)
            if (isinstance(got, np.ndarray) and got.shape == shape
                    and not np.array_equal(got, expected)):
                rolled = np.roll(image, (down, right), axis=(0, 1))
                if np.array_equal(got, rolled):
                    raise CaseFailed(
                        f"{what} wrapped pixels around, as np.roll does: "
                        "the pixels that leave at one edge must be lost, "
                        "and zeros move in at the other")
                if np.array_equal(got, move(image, -down, -right)):
                    raise CaseFailed(
                        f"{what} moved the image the other way: a positive "
                        "down moves it down, a positive right to the right")
            expect_array(got, expected, what)
            if got.dtype != image.dtype:
                raise CaseFailed(f"{what} returned {got.dtype} for a "
                                 f"{image.dtype} image: keep the dtype")
        return run

    return verdict("shift", [
        ("no move: a copy", case((5, 5), 0, 0)),
        ("one pixel right", case((4, 4), 0, 1)),
        ("one pixel up", case((4, 4), -1, 0)),
        ("two down and one left", case((6, 6), 2, -1)),
        ("a digit-sized float32 image", case((28, 28), 1, 1, np.float32)),
        ("a wide image", case((3, 7), -1, 3)),
    ])
