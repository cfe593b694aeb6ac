"""The expected values of the exercises whose model answer nnlib does not hold.

A checker must not ship the answer it grades: a learner can read the installed
package. For the exercises whose answer is nnlib's own public code, the
checkers call that code; for the others, the reference answers live here, in
the course's classroom folder (not in the wheel, not in the student edition),
and only their values on fixed inputs are shipped, as the arrays of
nnlib/checks/expected.npz, read by nnlib.checks.expected.

    python classroom/expected_values.py     # rewrites nnlib/checks/expected.npz

tests/test_expected_values.py regenerates the values and compares them with
the shipped file, so the two cannot drift apart. Each array is stored under
"exercise.case.field"; the cases of an exercise come in the checker's order.
"""
import pathlib

import numpy as np

from nnlib.activations import softmax
from nnlib.dense import Dense
from nnlib.gradcheck import numerical_gradient
from nnlib.saving import replace_atomically

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "nnlib" / "checks" / "expected.npz"


# ---------------------------------------------------------------- chapter 1
def count_params(sizes):
    return sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


def shapes(batch, sizes):
    return [((batch, n_in), (n_in, n_out), (n_out,), (batch, n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def f_prime(x):
    v = np.tanh(2 * x - 1)
    return 2 * v * (1 - v**2) * 2


def plan():
    sizes = [[2, 1], [2, 4, 1], [784, 40, 10], [3, 5, 5, 2], [784, 128, 64, 10], [7]]
    yield "count_params", [dict(sizes=np.array(s), expected=np.array(count_params(s))) for s in sizes]
    layered = []
    for batch, s in [(4, [2, 4, 1]), (32, [784, 40, 10]), (1, [3, 3]), (128, [784, 128, 64, 10]), (5, [6])]:
        entries = shapes(batch, s)
        case = dict(batch=np.array(batch), sizes=np.array(s))
        for j, name in enumerate(("input", "W", "b", "output")):
            width = 1 if name == "b" else 2
            case[name] = np.array([e[j] for e in entries], dtype=np.int64).reshape(len(entries), width)
        layered.append(case)
    yield "shapes", layered
    xs = [np.array([0.5]), np.array([0.0]), np.array([1.0]), np.array([-2.0, -0.3, 0.2, 0.9, 1.7]),
          np.array([20.0]), np.linspace(-1.5, 2.0, 6).reshape(3, 2)]
    yield "f_prime", [dict(x=x, expected=f_prime(x)) for x in xs]


# ---------------------------------------------------------------- chapter 2
def batch(shape, seed):
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def scale(c, x, g):
    """Scale's forward and backward: y and dL/dx."""
    return c * x, c * g


def square(x, g):
    return x**2, 2 * x * g


def affine(a, c, x, g):
    """Affine's y, dL/dx, dL/da and dL/dc."""
    return x * a + c, g * a, (g * x).sum(axis=0), g.sum(axis=0)


def base_layer():
    scaled = [(c, batch((3, 4), 1), batch((3, 4), 2)) for c in (2.0, -0.5, 0.0)]
    scaled.append((3.0, batch((1, 1), 3), np.ones((1, 1))))
    yield "scale", [dict(c=np.array(c), x=x, g=g, **dict(zip(("y", "dx"), scale(c, x, g)))) for c, x, g in scaled]
    squared = [(np.array([[-2.0, -1.0, 0.0, 0.5, 3.0]]), np.ones((1, 5))), (batch((4, 3), 5), batch((4, 3), 6))]
    yield "square", [dict(x=x, g=g, **dict(zip(("y", "dx"), square(x, g)))) for x, g in squared]
    a, c = np.array([2.0, -1.0, 0.5]), np.array([0.1, 0.0, -3.0])
    cases = []
    for n in (1, 4):
        x, g = batch((n, 3), 9), batch((n, 3), 10)
        cases.append(dict(a=a, c=c, x=x, g=g, **dict(zip(("y", "dx", "grad_a", "grad_c"), affine(a, c, x, g)))))
    yield "affine", cases


# ---------------------------------------------------------------- chapter 4
def leaky_relu(x, alpha):
    return np.where(x > 0, x, alpha * x)


def leaky_relu_backward(x, g, alpha):
    return g * np.where(x > 0, 1.0, alpha)


def away_from_zero(shape, seed):
    z = np.random.default_rng(seed).standard_normal(shape)
    return np.sign(z) * (0.1 + np.abs(z))


def activation_layer():
    x = np.array([[-2.0, -0.5, 0.5, 3.0]])
    g = np.array([[1.0, 2.0, 3.0, 4.0]])
    yield "leaky_relu", [dict(alpha=np.array(alpha), x=x, g=g, y=leaky_relu(x, alpha),
                              dx=leaky_relu_backward(x, g, alpha)) for alpha in (0.01, 0.2)]
    inputs = [away_from_zero(shape, sum(shape)) for shape in [(5, 3), (1, 7)]]
    yield "leaky_relu_shapes", [dict(x=x, y=leaky_relu(x, 0.01)) for x in inputs]


# ---------------------------------------------------------------- chapter 6
def confusion_matrix(true, pred, k):
    """C[t, p] counts the samples of true class t predicted as p."""
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def mnist():
    rng = np.random.default_rng(61)
    true = rng.integers(0, 10, 200)
    pred = np.where(rng.random(200) < 0.8, true, rng.integers(0, 10, 200))
    cases = [([0, 0, 1, 1, 1], [0, 1, 1, 1, 1], 2), ([0, 1, 2, 2, 2, 1], [1, 1, 2, 0, 0, 1], 3),
             ([3, 3, 0, 1], [3, 2, 0, 3], 4), ([0, 2, 0], [0, 2, 2], 4), (true, pred, 10)]
    found = []
    for t, p, k in cases:
        t, p = np.asarray(t, dtype=np.int64), np.asarray(p, dtype=np.int64)
        found.append(dict(true=t, pred=p, k=np.array(k), expected=confusion_matrix(t, p, k)))
    yield "confusion_matrix", found


# ---------------------------------------------------------------- chapter 9
def predict_one_hot(p):
    """A 1 at each row's first largest entry, row by row in plain Python
    (the chapter's model answer is one NumPy assignment)."""
    out = np.zeros(p.shape)
    for i, row in enumerate(p.tolist()):
        out[i, row.index(max(row))] = 1.0
    return out


def network_class():
    rng = np.random.default_rng(9)
    inputs = [
        np.array([[0.1, 0.6, 0.2, 0.1], [0.5, 0.3, 0.1, 0.1], [0.05, 0.15, 0.7, 0.1]]),
        np.array([[0.2, 0.1, 0.6, 0.1]]),
        np.array([[0.97, 0.01, 0.02], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6]]),
        np.array([[0.4, 0.4, 0.2], [0.1, 0.45, 0.45]]),
        softmax(rng.standard_normal((20, 10))),
    ]
    yield "predict_one_hot", [dict(p=p, expected=predict_one_hot(p)) for p in inputs]


# --------------------------------------------------------------- chapter 10
def nesterov(start, grads, lr, mu, mistake=None):
    """Nesterov momentum, v ← μ v − η g, θ ← θ + μ v − η g (with the new v);
    or one of its typical mistakes, named as in nnlib.checks.training_better."""
    theta = {k: np.array(v, dtype=np.float64) for k, v in start.items()}
    velocity = {}
    for g in grads:
        for k in theta:
            key = "one" if mistake == "shared" else k
            old = velocity.get(key, np.zeros_like(theta[k]))
            if mistake == "fresh":
                old = np.zeros_like(theta[k])
            sign = 1.0 if mistake == "uphill" else -1.0
            new = mu * old + sign * lr * g[k]
            velocity[key] = new
            if mistake == "classical":
                theta[k] = theta[k] + new
            elif mistake == "old_velocity":
                theta[k] = theta[k] + mu * old - lr * g[k]
            elif mistake == "no_gradient":
                theta[k] = theta[k] + mu * new
            else:
                theta[k] = theta[k] + mu * new + sign * lr * g[k]
    return theta


NESTEROV_MISTAKES = ["classical", "old_velocity", "no_gradient", "uphill", "fresh", "shared"]


def adamw(start, grads, lr, b1, b2, eps, wd, mistake=None):
    """AdamW: Adam's step on the gradient alone and the decay η λ θ
    subtracted from θ directly; or one of its typical mistakes."""
    theta = {k: np.array(v, dtype=np.float64) for k, v in start.items()}
    moments = {}
    calls = 0
    for t, g in enumerate(grads, start=1):
        for k in theta:
            calls += 1
            key = "one" if mistake == "shared" else k
            m, v = moments.get(key, (np.zeros_like(theta[k]),) * 2)
            grad = g[k]
            if mistake == "l2":
                grad = grad + wd * theta[k]
            if mistake == "betas_swapped":
                m = b2 * m + (1 - b2) * grad
                v = b1 * v + (1 - b1) * grad**2
            else:
                m = b1 * m + (1 - b1) * grad
                v = b2 * v + (1 - b2) * grad**2
            moments[key] = (m, v)
            n = calls if mistake == "t_per_call" else t
            m_hat = m if mistake in ("uncorrected", "m_uncorrected") else m / (1 - b1**n)
            v_hat = v if mistake in ("uncorrected", "v_uncorrected") else v / (1 - b2**n)
            if mistake == "eps_inside":
                step = m_hat / np.sqrt(v_hat + eps)
            else:
                step = m_hat / (np.sqrt(v_hat) + eps)
            decay = {"l2": 0.0, "no_decay": 0.0, "decay_without_rate": wd}.get(mistake, lr * wd)
            theta[k] = theta[k] - lr * step - decay * theta[k]
    return theta


ADAMW_MISTAKES = ["uncorrected", "m_uncorrected", "v_uncorrected", "eps_inside", "betas_swapped", "t_per_call",
                  "shared", "l2", "decay_without_rate", "no_decay"]


def gradients(rng, shapes, steps, scale=1.0):
    return [{k: scale * rng.standard_normal(shape) for k, shape in shapes.items()} for _ in range(steps)]


def optimizer_case(start, grads, settings, reference, mistakes):
    """One case's arrays: settings, start_k, grads_k (steps first), expected_k
    and, for each mistake, mistake_k."""
    case = {name: np.array(value) for name, value in settings.items()}
    for k in start:
        case[f"start_{k}"] = start[k]
        case[f"grads_{k}"] = np.stack([g[k] for g in grads])
    args = tuple(settings.values())
    for name in ["expected", *mistakes]:
        theta = reference(start, grads, *args, mistake=None if name == "expected" else name)
        for k in start:
            case[f"{name}_{k}"] = theta[k]
    return case


def training_better():
    rng = np.random.default_rng(10)
    w, wb = {"W": (3, 2)}, {"W": (3, 2), "b": (2,)}
    twins = {"W1": (2, 2), "W2": (2, 2)}
    momentum = []
    for shapes, steps, lr, mu in [(w, 1, 0.1, 0.9), (w, 2, 0.1, 0.9), (twins, 3, 0.1, 0.9), (wb, 5, 0.05, 0.5),
                                  (wb, 3, 0.1, 0.0)]:
        start = {k: rng.standard_normal(s) for k, s in shapes.items()}
        grads = gradients(rng, shapes, steps)
        momentum.append(optimizer_case(start, grads, dict(lr=lr, mu=mu), nesterov, NESTEROV_MISTAKES))
    yield "momentum", momentum

    rng = np.random.default_rng(11)
    w = {"w": (4,)}
    adam = []

    def case(shapes, steps, lr=0.001, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, scale=1.0, spread=False):
        start = {k: rng.standard_normal(s) for k, s in shapes.items()}
        grads = gradients(rng, shapes, steps, scale)
        if spread:  # some weights with tiny gradients, some with large
            for g in grads:
                for k in g:
                    g[k] = g[k] * np.logspace(-3, 3, g[k].size).reshape(g[k].shape)
        settings = dict(lr=lr, b1=b1, b2=b2, eps=eps, wd=wd)
        adam.append(optimizer_case(start, grads, settings, adamw, ADAMW_MISTAKES))

    case(w, 1)
    case(w, 10, lr=0.01, b1=0.8, b2=0.99)
    case(w, 3, scale=1e-6)
    case({"w": (6,)}, 4, wd=0.05, spread=True)
    case(twins, 3, wd=0.01)
    case(wb, 5, lr=0.003, wd=0.02)
    yield "adamw", adam


# --------------------------------------------------------------- chapter 11
def tanh_value(x):
    """The Value tanh's data and the derivative its backward passes on."""
    t = np.tanh(x)
    return t, 1 - t**2


def power_value(x, k):
    """The Value power's data and derivative, and three slips' derivatives:
    the exponent kept, x^k itself, and k − 1 in front."""
    return x**k, k * x ** (k - 1), [k * x**k, x**k, (k - 1) * x ** (k - 1)]


def keras_epsilon(eps, t, beta2):
    return eps * np.sqrt(1 - beta2**t)


def keras():
    """The values and derivatives the chapter's Value must find with tanh
    and power, and the epsilon that makes Keras' Adam step nnlib's."""
    def tanh_case(x):
        """With the slip of tanh's slope taken at the input, 1 − x²."""
        return dict(zip(("value", "grad"), map(np.array, tanh_value(x))), slip=np.array(1 - x**2))

    def power_case(x, k):
        return dict(zip(("value", "grad", "slips"), map(np.array, power_value(x, k))))

    t, slope = tanh_value(2 * 0.3)                      # tanh(x * 2) * 3
    t8, slope8 = tanh_value(-0.8)                       # tanh(x) + x
    t7, slope7 = tanh_value(0.7)                        # t * t
    square, twice, _ = power_value(1.5, 2)              # power(x, 2) + x * 3
    inverse = power_value(2.0, -1)                      # 3 * power(b, -1)
    yield "value_ops", [
        tanh_case(0.5),
        tanh_case(3.0),
        dict(value=np.array(3 * t), grad=np.array(3 * slope * 2), slip=np.array(slope * 2)),
        dict(grad=np.array(slope8 + 1), overwritten=np.array(slope8)),
        dict(grad=np.array(2 * t7 * slope7)),
        power_case(2.0, 3),
        power_case(4.0, -1),
        power_case(9.0, 0.5),
        dict(grad=np.array(twice + 3), overwritten=np.array(twice)),
        dict(value=np.array(3.0 * inverse[0]), grad_a=np.array(inverse[0]), grad_b=np.array(3.0 * inverse[1])),
    ]
    yield "keras_epsilon", [dict(expected=np.array(keras_epsilon(eps, t, beta2)))
                            for eps, t, beta2 in [(1e-8, 1, 0.999), (1e-8, 10, 0.999), (0.1, 3, 0.999),
                                                  (1e-3, 2, 0.9), (1e-7, 100_000, 0.999)]]


# --------------------------------------------------------------- chapter 12
def add_l2(ws, grads, lam):
    """The weight gradients plus λW, and the penalty (λ/2) Σ ‖W‖²."""
    return [g + lam * w for w, g in zip(ws, grads)], lam / 2 * sum(np.sum(w * w) for w in ws)


def regularisation():
    """add_l2's inputs (two Dense layers' parameters and gradients), the
    gradients it must leave, the penalty it must return and that penalty's
    finite-difference gradient."""
    found = []
    for lam, seed in [(0.1, 0), (0.003, 1), (0.0, 2)]:
        rng = np.random.default_rng(seed)
        layers = [Dense(3, 4, rng=rng), Dense(4, 2, rng=rng)]
        case = dict(lam=np.array(lam))
        for i, layer in enumerate(layers):
            layer.params["b"][...] = rng.standard_normal(layer.n_out)
            for name, p in layer.params.items():
                layer.grads[name][...] = rng.standard_normal(p.shape)
            case.update({f"W{i}": layer.params["W"].copy(), f"b{i}": layer.params["b"].copy(),
                         f"gW{i}": layer.grads["W"].copy(), f"gb{i}": layer.grads["b"].copy()})
        ws = [case["W0"].copy(), case["W1"]]
        grads, penalty = add_l2(ws, [case["gW0"], case["gW1"]], lam)
        case.update(expected_gW0=grads[0], expected_gW1=grads[1], penalty=np.array(penalty))
        case["penalty_gradient_W0"] = numerical_gradient(lambda: add_l2(ws, grads, lam)[1], ws[0])
        found.append(case)
    yield "add_l2", found


# The answers the checkers must not hold, by the checker module that grades
# them: tests/test_expected_values.py looks for their formulas there.
ANSWERS = {
    "plan": [count_params, shapes, f_prime],
    "base_layer": [scale, square, affine],
    "activation_layer": [leaky_relu, leaky_relu_backward],
    "mnist": [confusion_matrix],
    "network_class": [predict_one_hot],
    "training_better": [nesterov, adamw],
    "keras": [tanh_value, power_value, keras_epsilon],
    "regularisation": [add_l2],
}

CHAPTERS = [plan, base_layer, activation_layer, mnist, network_class, training_better, keras, regularisation]


def values():
    """Every shipped array, by its key "exercise.case.field"."""
    arrays = {}
    for chapter in CHAPTERS:
        for exercise, cases in chapter():
            for i, case in enumerate(cases):
                for field, value in case.items():
                    arrays[f"{exercise}.{i}.{field}"] = np.asarray(value)
    return arrays


def write(path=SHIPPED):
    arrays = values()
    replace_atomically(str(path), lambda f: np.savez(f, **arrays))
    path.chmod(0o644)  # the temporary file was private; a wheel keeps modes
    return arrays


if __name__ == "__main__":
    print(f"{len(write())} arrays written to {SHIPPED.relative_to(ROOT)}")
