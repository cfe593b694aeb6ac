"""Layers: gradients against finite differences, parameters shared with forward, stability."""
import warnings

import numpy as np
import pytest

from nnlib import Activation, Dense, Layer, ReLU, Sigmoid, Softmax, Tanh, check_gradients
from nnlib.activations import sigmoid, softmax

LAYERS = [
    lambda: Dense(5, 3, rng=1),
    lambda: Dense(5, 3, init="he", rng=2),
    lambda: Tanh(),
    lambda: Sigmoid(),
    lambda: ReLU(),
    lambda: Softmax(),
]


@pytest.mark.parametrize("make", LAYERS, ids=["dense-xavier", "dense-he", "tanh", "sigmoid", "relu", "softmax"])
def test_gradients_match_finite_differences(make, rng):
    layer = make()
    x = rng.standard_normal((4, 5))
    assert check_gradients(layer, x) < 1e-6


class Broken(Dense):
    """dL/dW without the transpose of x would not even have the right shape, so
    this one scales it instead; the input gradient forgets W entirely."""

    def backward(self, grad_output):
        super().backward(grad_output)
        self.grads["W"] *= 2
        return grad_output.sum(axis=1, keepdims=True) * np.ones_like(self.x)


class ForgetsBiasGradient(Dense):
    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.grads["b"][...] = 0
        return grad_input


@pytest.mark.parametrize("cls", [Broken, ForgetsBiasGradient])
def test_gradient_check_catches_a_wrong_backward(cls, rng):
    assert check_gradients(cls(5, 3, rng=1), rng.standard_normal((4, 5))) > 1e-2


def test_gradient_check_catches_a_wrong_activation_derivative(rng):
    wrong = Activation(np.tanh, lambda x: 1 + np.tanh(x) ** 2)
    assert check_gradients(wrong, rng.standard_normal((3, 4))) > 1e-2


def test_dense_shapes_and_parameters_are_the_arrays_forward_uses(rng):
    layer = Dense(3, 2, rng=0)
    assert layer.params["W"].shape == (3, 2) and layer.params["b"].shape == (2,)
    assert {k: g.shape for k, g in layer.grads.items()} == {k: p.shape for k, p in layer.params.items()}
    x = rng.standard_normal((4, 3))
    before = layer.forward(x).copy()
    layer.params["W"][1, 0] += 1.0
    after = layer.forward(x)
    np.testing.assert_allclose(after[:, 0] - before[:, 0], x[:, 1])
    np.testing.assert_array_equal(after[:, 1], before[:, 1])


def test_dense_backward_formulas_by_hand():
    layer = Dense(2, 2, rng=0)
    layer.params["W"][...] = [[1.0, 2.0], [3.0, 4.0]]
    layer.params["b"][...] = [0.5, -0.5]
    x = np.array([[1.0, 1.0], [2.0, 0.0]])
    np.testing.assert_allclose(layer.forward(x), [[4.5, 5.5], [2.5, 3.5]])
    g = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(layer.backward(g), [[1.0, 3.0], [2.0, 4.0]])
    np.testing.assert_allclose(layer.grads["W"], [[1.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(layer.grads["b"], [1.0, 1.0])


@pytest.mark.parametrize("init", ["xavier", "he", "unit", "small"])
def test_initialisations_have_their_scale(init):
    w = Dense(400, 300, init=init, rng=0).params["W"]
    expected = {"xavier": np.sqrt(2 / 700), "he": np.sqrt(2 / 400), "unit": 1.0, "small": 0.01}[init]
    assert w.std() == pytest.approx(expected, rel=0.02)


def test_same_seed_same_weights_and_float32():
    a, b = Dense(4, 3, rng=7), Dense(4, 3, rng=7)
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    c = Dense(4, 3, rng=7, dtype=np.float32)
    assert c.params["W"].dtype == np.float32 and c.forward(np.ones((2, 4), np.float32)).dtype == np.float32


def test_softmax_rows_are_probabilities_and_jacobian_vector_product_is_exact(rng):
    x = rng.standard_normal((3, 4))
    s = softmax(x)
    np.testing.assert_allclose(s.sum(axis=1), 1.0)
    g = rng.standard_normal((3, 4))
    layer = Softmax()
    layer.forward(x)
    jvp = layer.backward(g)
    for n in range(3):
        jacobian = np.diag(s[n]) - np.outer(s[n], s[n])
        np.testing.assert_allclose(jvp[n], jacobian @ g[n])


def test_extreme_inputs_give_finite_correct_values_without_warnings():
    x = np.array([[-1000.0, 0.0, 1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(sigmoid(x), [[0.0, 0.5, 1.0]])
        np.testing.assert_allclose(softmax(x), [[0.0, 0.0, 1.0]])
        np.testing.assert_allclose(softmax(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])
        for layer in (Sigmoid(), Softmax(), Tanh(), ReLU()):
            y = layer.forward(x)
            assert np.isfinite(y).all() and np.isfinite(layer.backward(np.ones_like(x))).all()


def test_sigmoid_keeps_relative_precision_for_large_negative_inputs():
    assert sigmoid(np.array(-40.0)) == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_base_layer_says_what_is_missing():
    with pytest.raises(NotImplementedError, match="forward"):
        Layer().forward(np.ones((1, 1)))


@pytest.mark.parametrize("args, kwargs, error, message", [
    ((0, 3), {}, ValueError, "n_in"),
    ((3, 2.5), {}, TypeError, "n_out"),
    ((3, 2), {"init": "glorot"}, ValueError, "init must be one of"),
    ((3, 2), {"dtype": np.int32}, TypeError, "floating"),
])
def test_dense_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(*args, **kwargs)


def test_dense_names_the_shape_it_expected():
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, 3\), got shape \(2, 4\)"):
        Dense(3, 2).forward(np.ones((2, 4)))


def test_activation_needs_functions():
    with pytest.raises(TypeError, match="two functions"):
        Activation(np.tanh, 3)


def test_sigmoid_prime_is_accurate_in_the_tails():
    from nnlib.activations import sigmoid_prime
    x = np.array([0.0, 30.0, 40.0, -40.0, 700.0])
    exact = np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2
    np.testing.assert_allclose(sigmoid_prime(x), exact, rtol=1e-12)
    assert sigmoid_prime(np.array(30.0)) == pytest.approx(9.3576e-14, rel=1e-4)
    assert sigmoid_prime(np.array(40.0)) > 0


@pytest.mark.parametrize("cls, f", [(Tanh, np.tanh), (Sigmoid, lambda x: 1 / (1 + np.exp(-x)))])
def test_tanh_and_sigmoid_keep_their_output_and_leave_the_input_alone(cls, f):
    x = np.random.default_rng(0).normal(size=(3, 4))
    given = x.copy()
    layer = cls()
    y = layer.forward(given)
    assert layer.y is y and not hasattr(layer, "x")
    given[...] = 0.0  # a caller that reuses its input array
    g = np.ones_like(x)
    h = 1e-6
    np.testing.assert_allclose(layer.backward(g), (f(x + h) - f(x - h)) / (2 * h), rtol=1e-6)


def test_nnlibs_own_tanh_passes_the_cached_tanh_exercise(capsys, monkeypatch):
    """nnlib keeps its own lesson: its Tanh, handed in as an answer (with the
    rule against calling nnlib's own code lifted), passes Exercise 4.5."""
    from nnlib.checks import activation_layer, check_cached_tanh
    monkeypatch.setattr(activation_layer, "NNLIB_TANH", ())
    assert check_cached_tanh(Tanh)
    assert "✓" in capsys.readouterr().out


def test_repr_never_raises():
    assert repr(Activation(np.tanh, np.cos)) == "Activation(...)"
    assert repr(Dense(2, 3)) == "Dense(n_in=2, n_out=3, dtype='float64')"


def test_dense_declares_its_parameter_shapes_before_it_is_built():
    assert Dense.param_shapes(n_in=3, n_out=2, dtype="float32") == {"W": (3, 2), "b": (2,)}
    assert Tanh.param_shapes() == {}
    with pytest.raises(ValueError, match="n_in must be a positive whole number"):
        Dense.param_shapes(n_in=0, n_out=2)
