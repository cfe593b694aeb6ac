"""Checkers for the exercises of chapter 1, the plan."""

import numpy as np

from .verdict import CaseFailed, call, describe, expect_array, verdict

__all__ = [
    "check_count_params",
    "check_shapes",
    "check_composite_derivative",
]


def _count(sizes):
    return sum(
        (n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])
    )


def check_count_params(count_params):
    """``count_params(sizes)``: the number of weights and biases of a chain
    of
    Dense layers whose widths are ``sizes`` (input width first)."""

    def case(sizes):
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
            if got != _count(sizes):
                raise CaseFailed(
                    f"count_params({sizes}): expected {_count(sizes)}, got "
                    f"{got}"
                )

        return (f"sizes {sizes}", run)

    sizes = [
        [2, 1],
        [2, 4, 1],
        [784, 40, 10],
        [3, 5, 5, 2],
        [784, 128, 64, 10],
        [7],
    ]
    return verdict("count_params", [case(s) for s in sizes])


def _shapes(batch, sizes):
    return [
        ((batch, n_in), (n_in, n_out), (n_out,), (batch, n_out))
        for n_in, n_out in zip(sizes[:-1], sizes[1:])
    ]


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

    def case(batch, sizes):
        what = f"shapes({batch}, {sizes})"

        def run():
            got = call(shapes, batch, list(sizes), what=what)
            expected = _shapes(batch, sizes)
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

    cases = [
        (4, [2, 4, 1]),
        (32, [784, 40, 10]),
        (1, [3, 3]),
        (128, [784, 128, 64, 10]),
        (5, [6]),
    ]
    return verdict("shapes", [case(b, s) for b, s in cases])


def _composite_prime(x):
    v = np.tanh(2 * x - 1)
    return 2 * v * (1 - v**2) * 2


def check_composite_derivative(f_prime):
    """``f_prime(x)``: the derivative of f(x) = tanh(2x − 1)²,
    element-wise."""

    def case(name, x):
        def run():
            got = call(f_prime, x.copy(), what=f"f_prime({describe(x)})")
            expect_array(
                got,
                _composite_prime(x),
                "f_prime",
                given=x,
                rtol=1e-6,
                atol=1e-9,
            )

        return (name, run)

    cases = [
        ("x = 0.5, where 2x − 1 = 0", np.array([0.5])),
        ("x = 0", np.array([0.0])),
        ("x = 1", np.array([1.0])),
        ("a few values", np.array([-2.0, -0.3, 0.2, 0.9, 1.7])),
        ("x = 20, where tanh saturates", np.array([20.0])),
        ("a (3, 2) batch", np.linspace(-1.5, 2.0, 6).reshape(3, 2)),
    ]
    return verdict("f_prime", [case(n, x) for n, x in cases])
