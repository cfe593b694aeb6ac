"""Checkers for the exercises of chapter 1, the plan."""

import numpy as np

from .expected import cases as expected_cases, named_cases
from .verdict import CaseFailed, call, describe, expect_array, verdict

__all__ = [
    "check_count_params",
    "check_shapes",
    "check_composite_derivative",
]


def check_count_params(count_params):
    """``count_params(sizes)``: the number of weights and biases of a chain
    of
    Dense layers whose widths are ``sizes`` (input width first)."""

    def case(data):
        sizes, expected = data["sizes"].tolist(), int(data["expected"])

        def run():
            got = call(
                count_params, list(sizes), what=f"count_params({sizes})"
            )
            if isinstance(got, (bool, np.bool_)) or not isinstance(
                got, (int, np.integer)
            ):
                raise CaseFailed(
                    f"count_params({sizes}) should return a whole number "
                    f"(int), got {got!r}"
                )
            if got != expected:
                raise CaseFailed(
                    f"count_params({sizes}): expected {expected}, got "
                    f"{got}"
                )

        return (f"sizes {sizes}", run)

    return verdict(
        "count_params", [case(d) for d in expected_cases("count_params")]
    )


def _expected_shapes(data):
    """The stored entries as tuples of ints: (input, W, b, output) shapes
    for each Dense layer."""
    parts = [data[name].tolist() for name in ("input", "W", "b", "output")]
    return [tuple(tuple(shape) for shape in entry) for entry in zip(*parts)]


def _as_shape_list(got):
    """Tuples of ints all the way down, so [(2, 3)] and [[2, 3]] compare
    alike."""

    def norm(item):
        if isinstance(item, (list, tuple)):
            return tuple(norm(i) for i in item)
        if isinstance(item, (int, np.integer)) and not isinstance(
            item, (bool, np.bool_)
        ):
            return int(item)
        raise TypeError

    if not isinstance(got, (list, tuple)):
        raise TypeError
    return [norm(item) for item in got]


def check_shapes(shapes):
    """``shapes(batch, sizes)``: for each Dense layer, the tuple
    (input shape, W shape, b shape, output shape) in nnlib's batch-first
    form."""

    def case(data):
        batch, sizes = int(data["batch"]), data["sizes"].tolist()
        what = f"shapes({batch}, {sizes})"

        def run():
            got = call(shapes, batch, list(sizes), what=what)
            expected = _expected_shapes(data)
            try:
                got = _as_shape_list(got)
            except TypeError:
                raise CaseFailed(
                    f"{what} should return a list of tuples of shapes, got "
                    f"{got!r}"
                ) from None
            if len(got) != len(expected):
                raise CaseFailed(
                    f"{what} should hold one entry per Dense layer "
                    f"({len(expected)}), got {len(got)}: {got!r}"
                )
            names = ("input", "W", "b", "output")
            for layer, (g, e) in enumerate(zip(got, expected), start=1):
                if len(g) != 4:
                    raise CaseFailed(
                        f"{what}: entry {layer} should be (input shape, W "
                        f"shape, b shape, output shape), got {g!r}"
                    )
                for name, gs, es in zip(names, g, e):
                    if gs != es:
                        raise CaseFailed(
                            f"{what}: in Dense layer {layer} the {name} "
                            f"shape should be {es}, got {gs}"
                        )

        return (f"batch {batch}, sizes {sizes}", run)

    return verdict("shapes", [case(d) for d in expected_cases("shapes")])


def check_composite_derivative(f_prime):
    """``f_prime(x)``: the derivative of f(x) = tanh(2x − 1)²,
    element-wise."""

    def case(data):
        x = data["x"]

        def run():
            got = call(f_prime, x.copy(), what=f"f_prime({describe(x)})")
            expect_array(
                got,
                data["expected"],
                "f_prime",
                given=x,
                rtol=1e-6,
                atol=1e-9,
            )

        return run

    names = [
        "x = 0.5, where 2x − 1 = 0",
        "x = 0",
        "x = 1",
        "a few values",
        "x = 20, where tanh saturates",
        "a (3, 2) batch",
    ]
    return verdict("f_prime", named_cases("f_prime", names, case))
