"""Checkers for the exercises of chapter 10, training better."""

import numpy as np

from ..dense import Dense
from ..layer import Layer
from ..losses import MSE
from ..network import Network, TrainingDiverged
from ..optimizers import SGD, Optimizer
from .verdict import CaseFailed, call, describe, expect_array, verdict

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


def _momentum_reference(theta, grads, lr, mu):
    theta, v = np.array(theta, dtype=np.float64), np.zeros(np.shape(theta))
    for g in grads:
        v = mu * v - lr * g
        theta = theta + v
    return theta


def check_momentum(optimizer_class):
    """``optimizer_class(learning_rate, momentum)``: an nnlib Optimizer whose
    ``update(param, grad, key)`` does v ← μ v − η g, θ ← θ + v in place,
    with one velocity per parameter kept from step to step."""
    rng = np.random.default_rng(10)
    start = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    grads = [
        {k: rng.standard_normal(v.shape) for k, v in start.items()}
        for _ in range(5)
    ]

    def run_steps(lr, mu, steps):
        name = getattr(optimizer_class, "__name__", "optimizer_class")
        what = f"{name}(learning_rate={lr}, momentum={mu})"
        opt = call(optimizer_class, lr, mu, what=what)
        if not isinstance(opt, Optimizer):
            raise CaseFailed(
                f"{what} should be an nnlib Optimizer (subclass "
                f"nnlib.Optimizer), got {type(opt).__name__}"
            )
        layer = _Params(**start)
        arrays = dict(layer.params)
        for t in range(steps):
            for k in layer.grads:
                layer.grads[k][...] = grads[t][k]
            call(opt.step, [layer], what=f"{what}.step (step {t + 1})")
        for k, arr in arrays.items():
            if layer.params[k] is not arr:
                raise CaseFailed(
                    f"{what}: the parameter {k} must be updated in place "
                    "(param += ...), not replaced by a new array"
                )
            expected = _momentum_reference(
                start[k], [g[k] for g in grads[:steps]], lr, mu
            )
            expect_array(
                arr,
                expected,
                f"{what}: parameter {k} after {steps} "
                f"step{'s' * (steps > 1)}",
            )

    cases = [
        (
            "one step, learning rate 0.1, momentum 0.9",
            lambda: run_steps(0.1, 0.9, 1),
        ),
        (
            "two steps (the velocity must carry over)",
            lambda: run_steps(0.1, 0.9, 2),
        ),
        (
            "five steps, learning rate 0.05, momentum 0.5",
            lambda: run_steps(0.05, 0.5, 5),
        ),
        (
            "momentum 0 (plain gradient descent)",
            lambda: run_steps(0.1, 0.0, 3),
        ),
    ]
    return verdict("momentum", cases)


def _adam_reference(theta, grads, lr, b1, b2, eps):
    theta = np.array(theta, dtype=np.float64)
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta, m, v


def check_adam(adam_update):
    """``adam_update(param, grad, m, v, t, learning_rate, beta1, beta2,
    eps)``
    returns the new ``(param, m, v)`` after Adam's step number t (t = 1
    first),
    with bias-corrected moments and ε added to √v̂."""
    rng = np.random.default_rng(11)

    def case(name, scale, steps, lr=0.001, b1=0.9, b2=0.999, eps=1e-8):
        theta0 = rng.standard_normal(4)
        grads = [scale * rng.standard_normal(4) for _ in range(steps)]

        def run():
            theta, m, v = theta0.copy(), np.zeros(4), np.zeros(4)
            for t, g in enumerate(grads, start=1):
                what = (f"adam_update at step t={t} (learning_rate={lr}, "
                        f"beta1={b1}, beta2={b2}, eps={eps})")
                out = call(
                    adam_update,
                    theta.copy(),
                    g.copy(),
                    m.copy(),
                    v.copy(),
                    t,
                    lr,
                    b1,
                    b2,
                    eps,
                    what=what,
                )
                if not isinstance(out, (tuple, list)) or len(out) != 3:
                    raise CaseFailed(
                        f"{what} should return the tuple (param, m, v), got "
                        + (describe(out) if isinstance(out, np.ndarray)
                           else repr(out))
                    )
                before = _adam_reference(
                    theta0, grads[: t - 1], lr, b1, b2, eps
                )[0]
                new_theta, m, v = (
                    np.asarray(a, dtype=np.float64) for a in out
                )
                e_theta, e_m, e_v = _adam_reference(
                    theta0, grads[:t], lr, b1, b2, eps
                )
                expect_array(
                    m, e_m, f"{what}: m", given=g, rtol=1e-6, atol=0
                )
                expect_array(
                    v, e_v, f"{what}: v", given=g, rtol=1e-6, atol=0
                )
                # compare the step itself, which is a thousand times smaller
                # than the parameter
                expect_array(
                    new_theta - theta,
                    e_theta - before,
                    f"{what}: the step (new param - param)",
                    rtol=1e-5,
                    atol=0,
                )
                theta = new_theta

        return (name, run)

    cases = [
        case("the first step (t=1), gradients of size 1", 1.0, 1),
        case("ten steps, gradients of size 1", 1.0, 10),
        case("three steps with tiny gradients (size 1e-6)", 1e-6, 3),
        case(
            "three steps, learning rate 0.01, beta1 0.8, beta2 0.99",
            5.0,
            3,
            lr=0.01,
            b1=0.8,
            b2=0.99,
        ),
    ]
    return verdict("adam_update", cases)


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
