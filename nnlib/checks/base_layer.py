"""Checkers for the exercises of chapter 2, the base layer."""

import numpy as np

from .expected import cases as expected_cases, named_cases
from .verdict import (
    CaseFailed,
    call,
    describe,
    expect_array,
    expect_gradients,
    make_layer,
    verdict,
)

__all__ = ["check_scale_layer", "check_square_layer", "check_affine_layer"]


def _batch(shape, seed=0):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def _no_params(cls, *args):
    def run():
        layer, what = make_layer(cls, *args)
        if layer.params or layer.grads:
            raise CaseFailed(
                f"{what} has no parameters to learn, so params and grads "
                "should stay empty, "
                f"got params {sorted(layer.params)} and grads "
                f"{sorted(layer.grads)}"
            )

    return run


def _forward_backward(cls, args, x, y, g, dx):
    """forward(x) must give y; backward(g) must give dx."""

    def run():
        layer, what = make_layer(cls, *args)
        got = call(layer.forward, x.copy(), what=f"{what}.forward")
        expect_array(got, y, f"{what}.forward", given=x)
        got = call(layer.backward, g.copy(), what=f"{what}.backward")
        expect_array(
            got,
            dx,
            f"{what}.backward(g) after forward(x), with x {describe(x)} and "
            f"g {describe(g)}",
        )

    return run


def _gradcheck(cls, args, x):
    def run():
        layer, what = make_layer(cls, *args)
        expect_gradients(layer, x, what)

    return run


def check_scale_layer(Scale):
    """``Scale(c)``: y = c·x, no parameters; backward returns dL/dx."""
    cases = [("no parameters", _no_params(Scale, 2.0))]
    for d in expected_cases("scale"):
        c, shape = float(d["c"]), d["x"].shape
        name = (f"Scale({c}) on a (3, 4) batch" if shape == (3, 4)
                else f"Scale({c}) on one number, shape {shape}")
        cases.append(
            (name, _forward_backward(Scale, (c,), d["x"], d["y"], d["g"],
                                     d["dx"]))
        )
    cases.append(
        (
            "gradient check of Scale(1.5)",
            _gradcheck(Scale, (1.5,), _batch((5, 3), seed=4)),
        )
    )
    return verdict("Scale", cases)


def check_square_layer(Square):
    """``Square()``: y = x², no parameters; backward returns dL/dx."""
    cases = [("no parameters", _no_params(Square))]
    names = [
        "a hand-checkable row",
        "a (4, 3) batch with a random grad_output",
    ]
    cases += named_cases("square", names, lambda d: _forward_backward(
        Square, (), d["x"], d["y"], d["g"], d["dx"]))
    cases.append(
        (
            "gradient check on a (6, 2) batch",
            _gradcheck(Square, (), _batch((6, 2), seed=7)),
        )
    )
    return verdict("Square", cases)


def check_affine_layer(Affine):
    """``Affine(n)``: y = x·a + c per feature, a = ones(n), c = zeros(n) to
    start; backward fills grads["a"] and grads["c"] and returns dL/dx."""
    n = 3

    def structure():
        layer, what = make_layer(Affine, n)
        if not layer.params and not layer.grads:
            # An untouched stub: let its NotImplementedError say so before
            # the missing keys do.
            call(layer.forward, np.zeros((1, n)), what=f"{what}.forward")
        for d, name in ((layer.params, "params"), (layer.grads, "grads")):
            if sorted(d) != ["a", "c"]:
                raise CaseFailed(
                    f"{what}.{name} should have the keys 'a' and 'c', got "
                    f"{sorted(d)}"
                )
            for k in ("a", "c"):
                if np.shape(d[k]) != (n,):
                    raise CaseFailed(
                        f"{what}.{name}['{k}'] should have shape ({n},), "
                        f"got {np.shape(d[k])}"
                    )
        expect_array(
            layer.params["a"], np.ones(n), f"{what}.params['a'] at the start"
        )
        expect_array(
            layer.params["c"],
            np.zeros(n),
            f"{what}.params['c'] at the start",
        )

    def start_values():
        layer, what = make_layer(Affine, n)
        x = _batch((2, n), seed=8)
        expect_array(
            call(layer.forward, x.copy(), what=f"{what}.forward"),
            x,
            f"{what}.forward with a = 1, c = 0",
            given=x,
        )

    def uses_params(d):
        # An optimizer changes params in place; forward and backward must
        # see the change.
        def run():
            layer, what = make_layer(Affine, n)
            a, c, x, g = d["a"], d["c"], d["x"], d["g"]
            layer.params["a"][...] = a
            layer.params["c"][...] = c
            got = call(layer.forward, x.copy(), what=f"{what}.forward")
            expect_array(
                got,
                d["y"],
                f"{what}.forward with params a = {a.tolist()}, c = "
                f"{c.tolist()} (set in place)",
                given=x,
            )
            got = call(layer.backward, g.copy(), what=f"{what}.backward")
            expect_array(
                got, d["dx"], f"{what}.backward (the input gradient)",
                given=g
            )
            expect_array(
                layer.grads.get("a"),
                d["grad_a"],
                f"{what}.grads['a'] after backward on a batch of {len(x)}",
            )
            expect_array(
                layer.grads.get("c"),
                d["grad_c"],
                f"{what}.grads['c'] after backward on a batch of {len(x)}",
            )

        return run

    def gradcheck():
        layer, what = make_layer(Affine, n)
        layer.params["a"][...] = [1.5, -0.7, 0.3]
        layer.params["c"][...] = [0.2, 1.0, -0.4]
        expect_gradients(
            layer,
            _batch((5, n), seed=11),
            f"{what} with a = [1.5, -0.7, 0.3]",
        )

    one, four = expected_cases("affine")
    cases = [
        ("params and grads", structure),
        ("the starting parameters", start_values),
        ("one sample with parameters set in place", uses_params(one)),
        ("a batch of 4 with parameters set in place", uses_params(four)),
        ("gradient check", gradcheck),
    ]
    return verdict("Affine", cases)
