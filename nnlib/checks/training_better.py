"""Checkers for the exercises of chapter 10, training better.

* ``check_momentum(optimizer_class)``: Nesterov momentum written as an
  nnlib ``Optimizer`` (Exercise 10.1).
* ``check_adam(optimizer_class)``: AdamW, Adam with decoupled weight decay,
  written as an nnlib ``Optimizer`` (Exercise 10.2).
* ``check_learning_rate(learning_rate)``: a rate that trains
  ``learning_rate_problem()``'s network (Exercise 10.3).

The two optimizer checkers run the learner's class through
``Optimizer.step`` on stand-in layers, compare every parameter after each
case with where the right update takes it (computed ahead of time, shipped
in ``expected.npz``), and, when it differs, try the typical
mistakes (a missing bias correction, ε inside the root, the decay rates
mixed up, weight decay through the gradient, state shared between
parameters...): the verdict names the one the learner's numbers match.
"""

import numpy as np

from ..dense import Dense
from ..layer import Layer
from ..losses import MSE
from ..network import Network, TrainingDiverged
from ..optimizers import SGD, Adam, Optimizer
from .expected import named_cases
from .verdict import CaseFailed, call, describe, verdict

__all__ = [
    "check_momentum",
    "check_adam",
    "check_learning_rate",
    "learning_rate_problem",
]


class _Params(Layer):
    """A stand-in layer: parameters and gradients, nothing else."""

    def __init__(self, **params):
        super().__init__()
        for name, value in params.items():
            self.params[name] = np.array(value, dtype=np.float64)
            self.grads[name] = np.zeros_like(self.params[name])


def _optimizer(cls, args, kwargs):
    """An instance of the learner's optimizer class, and how it was made."""
    name = getattr(cls, "__name__", repr(cls))
    given = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in
                                       kwargs.items()]
    what = f"{name}({', '.join(given)})"
    if not isinstance(cls, type):
        raise CaseFailed(f"pass the class itself (e.g. {name}), not an "
                         "instance or a function")
    opt = call(lambda: cls(*args, **kwargs), what=what)
    if not isinstance(opt, Optimizer):
        raise CaseFailed(f"{what} should be an nnlib Optimizer (class "
                         f"{name}(Optimizer): ...), got "
                         f"{type(opt).__name__}")
    if not isinstance(getattr(opt, "state", None), dict):
        raise CaseFailed(f"{what} has no state dict: did its __init__ "
                         "call super().__init__(learning_rate)?")
    return opt, what


def _run(opt, what, start, grads):
    """Step ``opt`` through ``grads`` (a list of {name: gradient}) from
    ``start``; return the parameters, insisting on updates in place."""
    layer = _Params(**start)
    arrays = dict(layer.params)
    for t, step in enumerate(grads, start=1):
        for k, g in step.items():
            layer.grads[k][...] = g
        call(opt.step, [layer], what=f"{what}.step (step {t})")
    for k, arr in arrays.items():
        if layer.params[k] is not arr:
            raise CaseFailed(
                f"{what}: the parameter {k} must be updated in place "
                "(param -= ..., or param[...] = ...), not replaced by a "
                "new array: the layer computes with the array it holds")
    return layer.params


def _compare(got, start, expected, mistakes, what, steps):
    """Insist that every parameter moved as the right update moves it; if
    not, name the first typical mistake (hint, {name: array}) whose numbers
    match.
    The change is compared, not the parameter: an Adam step is a thousand
    times smaller than the parameter it moves."""
    plural = "s" * (steps > 1)

    def close(a, b):
        return np.allclose(a, b, rtol=1e-4, atol=1e-12)

    for k, want in expected.items():
        moved, want = np.asarray(got[k]) - start[k], want - start[k]
        if np.isfinite(moved).all() and close(moved, want):
            continue
        hint = next((h for h, alt in mistakes
                     if close(moved, alt[k] - start[k])), None)
        raise CaseFailed(
            f"{what}: the change of parameter {k} after {steps} "
            f"step{plural}: expected {describe(want)}, got "
            f"{describe(moved)}" + (f". {hint}" if hint else ""))


def _optimizer_case(data, make, mistakes):
    """A stored case, as a verdict's case: the optimizer that ``make()``
    builds (with how it was made) steps each parameter from its stored
    start through its stored gradients, and must end where the right
    update does; else the first of ``mistakes``, (outcome, hint) pairs,
    whose stored outcome matches is named."""
    names = [f[len("start_"):] for f in data if f.startswith("start_")]
    start = {k: data[f"start_{k}"] for k in names}
    steps = len(data[f"grads_{names[0]}"])
    grads = [{k: data[f"grads_{k}"][t] for k in names}
             for t in range(steps)]

    def after(outcome):
        return {k: data[f"{outcome}_{k}"] for k in names}

    def run():
        opt, what = make()
        got = _run(opt, what, start, grads)
        _compare(got, start, after("expected"),
                 [(hint, after(outcome)) for outcome, hint in mistakes],
                 what, steps)

    return run


# ---------------------------------------------------------------------------
# Exercise 10.1: Nesterov momentum
# ---------------------------------------------------------------------------
NESTEROV_MISTAKES = [
    ("classical",
     "Your steps match classical momentum, θ ← θ + v (or a step that "
     "uses the velocity from before the update): Nesterov's step is "
     "θ ← θ + μ v − η g with the v just updated"),
    ("old_velocity",
     "Your steps match θ ← θ + μ v − η g with the velocity from before "
     "the update: update v first, then use the new one"),
    ("no_gradient",
     "Your steps match θ ← θ + μ v without the − η g term"),
    ("uphill",
     "Your steps go uphill: the gradient must be subtracted "
     "(v ← μ v − η g)"),
    ("fresh",
     "Your steps match a velocity that starts from zero at every step: "
     "keep it between steps, in self.slots(key, param, 1)"),
    ("shared",
     "Your steps match one velocity shared by all the parameters: each "
     "needs its own, self.slots(key, param, 1) with the key step() "
     "passes"),
]


def check_momentum(optimizer_class):
    """``optimizer_class(learning_rate, momentum)``: Nesterov momentum as
    an nnlib Optimizer, whose ``update(param, grad, key)`` does
    v ← μ v − η g, then θ ← θ + μ v − η g with the new v, both in place,
    with one velocity per parameter kept from step to step."""

    def case(data):
        args = (float(data["lr"]), float(data["mu"]))
        return _optimizer_case(
            data, lambda: _optimizer(optimizer_class, args, {}),
            NESTEROV_MISTAKES)

    names = [
        "one step, learning rate 0.1, momentum 0.9",
        "two steps (the velocity must carry over)",
        "two parameters of the same shape, three steps",
        "W and b, five steps, learning rate 0.05, momentum 0.5",
        "momentum 0 (plain gradient descent)",
    ]
    return verdict("Nesterov momentum",
                   named_cases("momentum", names, case))


# ---------------------------------------------------------------------------
# Exercise 10.2: AdamW
# ---------------------------------------------------------------------------
ADAMW_MISTAKES = [
    ("uncorrected",
     "Your steps match Adam without bias correction: divide m by "
     "1 − β1ᵗ and v by 1 − β2ᵗ (t = self.t) before the step"),
    ("m_uncorrected",
     "Your steps match a corrected v but an uncorrected m: m̂ = m / "
     "(1 − β1ᵗ)"),
    ("v_uncorrected",
     "Your steps match a corrected m but an uncorrected v: v̂ = v / "
     "(1 − β2ᵗ)"),
    ("eps_inside",
     "Your steps match √(v̂ + ε): ε goes outside the root, √v̂ + ε, or "
     "it swamps tiny gradients"),
    ("betas_swapped",
     "Your steps match the two decay rates swapped: m decays with β1, "
     "v with β2"),
    ("t_per_call",
     "Your steps match a step count that grows once per parameter: use "
     "self.t, which step() raises once per step"),
    ("shared",
     "Your steps match one m and one v shared by all the parameters: "
     "each needs its own, self.slots(key, param, 2)"),
    ("l2",
     "Your steps match λθ added to the gradient (Adam with L2): AdamW "
     "subtracts η λ θ from θ itself, outside Adam's division by √v̂"),
    ("decay_without_rate",
     "Your steps match a decay of λθ per step: AdamW's is η λ θ"),
    ("no_decay",
     "Your steps match Adam without weight decay: subtract η λ θ too"),
]


def check_adam(optimizer_class):
    """``optimizer_class(learning_rate=, beta1=, beta2=, eps=,
    weight_decay=)``: AdamW as an nnlib Optimizer whose ``update(param,
    grad, key)`` applies Adam's bias-corrected step to the gradient and
    subtracts η λ θ from the parameter, in place, with m and v kept per
    parameter."""
    not_adam = (": write its rules yourself, starting from "
                "nnlib.Optimizer")

    def case(data):
        kwargs = {arg: float(data[k]) for arg, k in (
            ("learning_rate", "lr"), ("beta1", "b1"), ("beta2", "b2"),
            ("eps", "eps"), ("weight_decay", "wd"))}

        def make():
            if isinstance(optimizer_class, type) and issubclass(
                    optimizer_class, Adam):
                raise CaseFailed(
                    f"{optimizer_class.__name__} inherits nnlib's Adam"
                    f"{not_adam}")
            return _optimizer(optimizer_class, (), kwargs)

        return _optimizer_case(data, make, ADAMW_MISTAKES)

    names = [
        "the first step (t = 1), no weight decay",
        "ten steps, learning rate 0.01, beta1 0.8, beta2 0.99",
        "three steps with tiny gradients (size 1e-6)",
        "weight decay 0.05, gradients from 1e-3 to 1e3, four steps",
        "two parameters of the same shape, three steps",
        "W and b, five steps, learning rate 0.003, weight decay 0.02",
    ]
    return verdict("AdamW", named_cases("adamw", names, case))


# ---------------------------------------------------------------------------
# Exercise 10.3: the learning rate
# ---------------------------------------------------------------------------
def learning_rate_problem():
    """The regression of the learning-rate exercise: ``(x, y,
    make_network)``.

    x is (200, 3) with features of spread 1, 2 and 3; y = x·w + 0.5 exactly;
    ``make_network(learning_rate)`` builds the same linear network each time.
    """
    rng = np.random.default_rng(12)
    x = rng.standard_normal((200, 3)) * np.array([1.0, 2.0, 3.0])
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.5

    def make_network(learning_rate):
        return Network(
            [Dense(3, 1, rng=np.random.default_rng(13))],
            MSE(),
            SGD(learning_rate),
        )

    return x, y, make_network


LR_EPOCHS = 30
LR_TARGET = 1e-4


def check_learning_rate(learning_rate):
    """A learning rate that trains ``learning_rate_problem()``'s network,
    full
    batch, to below 0.01 % of its starting loss within 30 epochs, without
    diverging."""
    x, y, make_network = learning_rate_problem()

    def run():
        if isinstance(learning_rate, bool) or not isinstance(
            learning_rate, (int, float, np.floating, np.integer)
        ):
            raise CaseFailed(
                "the learning rate should be a number, got "
                f"{learning_rate!r}"
            )
        if not learning_rate > 0:
            raise CaseFailed(
                "the learning rate should be positive, got "
                f"{learning_rate!r}"
            )
        net = make_network(float(learning_rate))
        start = net.evaluate(x, y)["loss"]
        try:
            history = net.fit(
                x,
                y,
                epochs=LR_EPOCHS,
                batch_size=len(x),
                shuffle=False,
                verbose=0,
            )
        except TrainingDiverged as e:
            raise CaseFailed(f"learning rate {learning_rate}: {e}") from None
        final = history["loss"][-1]
        if not np.isfinite(final) or final > LR_TARGET * start:
            ratio = final / start
            growing = history["loss"][-1] > history["loss"][-2]
            hint = (
                "too large: the loss has started to grow, the steps "
                "overshoot"
                if growing
                else "the loss is still going down, too slowly: the steps "
                     "are too short, "
                "or so long that they zig-zag across the valley"
            )
            raise CaseFailed(
                f"learning rate {learning_rate}: after {LR_EPOCHS} epochs "
                f"the loss is {final:.4g}, "
                f"{100 * ratio:.3g} % of its start {start:.4g} (target "
                f"below {100 * LR_TARGET:g} %); {hint}"
            )

    return verdict(
        "learning rate", [(f"learning rate {learning_rate!r}", run)]
    )
