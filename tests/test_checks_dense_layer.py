"""The dense-layer checkers accept the reference solutions and reject typical mistakes."""
import numpy as np
import pytest

from nnlib import Layer
from nnlib.checks import check_dense_backward, check_dense_forward, check_dense_layer, check_xavier_uniform


def run(checker, answer, capsys):
    result = checker(answer)
    return result, capsys.readouterr().out


# -- dense_forward -------------------------------------------------------------
def forward_ok(x, W, b):
    return x @ W + b


def forward_no_bias(x, W, b):
    return x @ W


def forward_transposed(x, W, b):
    return x @ W.T + b


def forward_column_form(x, W, b):
    return W @ x + b


def test_forward_accepts_reference(capsys):
    result, out = run(check_dense_forward, forward_ok, capsys)
    assert result is True
    assert "✓" in out and "all 4 cases passed" in out


@pytest.mark.parametrize("wrong, words", [
    (forward_no_bias, ["one sample, 2 inputs, 2 outputs", "without the bias"]),
    (forward_transposed, ["one sample, 2 inputs, 2 outputs", "should not be transposed"]),
    (forward_column_form, ["one sample, 2 inputs, 2 outputs", "raised ValueError"]),
])
def test_forward_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_dense_forward, wrong, capsys)
    assert result is False
    assert out.startswith("✗ dense_forward: failed on")
    for word in words:
        assert word in out


def test_forward_reports_stub(capsys):
    def stub(x, W, b):
        raise NotImplementedError("Exercise 3.1: replace this line")
    result, out = run(check_dense_forward, stub, capsys)
    assert result is False and "not written yet" in out


def test_forward_rejects_in_place_change(capsys):
    def sneaky(x, W, b):
        x += 0
        W *= 2
        return x @ (W / 2) + b
    result, out = run(check_dense_forward, sneaky, capsys)
    assert result is False and "in place" in out


# -- dense_backward ------------------------------------------------------------
def backward_ok(x, W, g):
    return g @ W.T, x.T @ g, g.sum(axis=0)


@pytest.mark.parametrize("wrong, case, words", [
    (lambda x, W, g: (g @ W, x.T @ g, g.sum(axis=0)), "one sample", ["raised ValueError"]),
    (lambda x, W, g: (g @ W.T, g.T @ x, g.sum(axis=0)), "one sample", ["grad_W", "transpose"]),
    (lambda x, W, g: (g @ W.T, x[:1].T @ g[:1], g.sum(axis=0)), "a batch of 4", ["grad_W", "first sample alone"]),
    (lambda x, W, g: (g @ W.T, x.T @ g, g), "one sample", ["grad_b", "sums grad_output over the batch"]),
    (lambda x, W, g: (g @ W.T, x.T @ g, g.mean(axis=0)), "a batch of 4", ["grad_b", "mean"]),
    (lambda x, W, g: (g @ W.T, x.T @ g, np.zeros(W.shape[1])), "one sample", ["grad_b", "zeros"]),
    (lambda x, W, g: (g @ W.T, x.T @ g), "one sample", ["three arrays"]),
])
def test_backward_rejects_mistakes(wrong, case, words, capsys):
    result, out = run(check_dense_backward, wrong, capsys)
    assert result is False
    assert f"failed on {case}" in out
    for word in words:
        assert word in out


def test_backward_names_keepdims_bias_sum(capsys):
    def keepdims(x, W, g):
        return g @ W.T, x.T @ g, g.sum(axis=0, keepdims=True)
    result, out = run(check_dense_backward, keepdims, capsys)
    assert result is False
    assert "which keepdims=True gives" in out and "with grad_output array of shape (1, 2)" in out


def test_backward_names_transposed_grad_x_on_square_layer(capsys):
    # With 2 inputs and 2 outputs the missing transpose keeps the shape, so the hint must name it.
    def wrong(x, W, g):
        if W.shape[0] != W.shape[1]:
            return g @ W.T, x.T @ g, g.sum(axis=0)
        return g @ W, x.T @ g, g.sum(axis=0)
    result, out = run(check_dense_backward, wrong, capsys)
    assert result is False and "a batch of 5 samples" in out and "should be transposed" in out


def test_backward_accepts_reference(capsys):
    result, out = run(check_dense_backward, backward_ok, capsys)
    assert result is True and "all 4 cases passed" in out


# -- xavier_uniform ------------------------------------------------------------
def xavier_ok(n_in, n_out, rng):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def xavier_with_limit(limit, n_in, n_out, rng):
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def test_xavier_accepts_reference(capsys):
    result, out = run(check_xavier_uniform, xavier_ok, capsys)
    assert result is True and "all 6 cases passed" in out


@pytest.mark.parametrize("wrong, words", [
    (lambda n_in, n_out, rng: xavier_with_limit(np.sqrt(6 / (n_in + n_out + 1)), n_in, n_out, rng),
     ["should fill ±", "is the limit's formula right?"]),
    (lambda n_in, n_out, rng: xavier_with_limit(np.sqrt(5.6 / (n_in + n_out)), n_in, n_out, rng),
     ["should fill ±"]),
    (lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)), ["range and spread for 100 inputs", "±"]),
    (lambda n_in, n_out, rng: xavier_ok(n_out, n_in, rng), ["shape for 3 inputs", "(n_out, n_in)"]),
    (lambda n_in, n_out, rng: rng.uniform(-np.sqrt(6 / n_in), np.sqrt(6 / n_in), (n_in, n_out)),
     ["range and spread for 100 inputs"]),
    (lambda n_in, n_out, rng: rng.normal(0, np.sqrt(2 / (n_in + n_out)), (n_in, n_out)), ["within ±"]),
    (lambda n_in, n_out, rng: xavier_ok(n_in, n_out, np.random.default_rng()), ["rng argument"]),
])
def test_xavier_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_xavier_uniform, wrong, capsys)
    assert result is False
    for word in words:
        assert word in out


# -- a complete dense layer ----------------------------------------------------
class GoodDense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params["W"] = xavier_ok(n_in, n_out, rng)
        self.params["b"] = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"] = self.x.T @ grad_output
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T


class UnitInitDense(GoodDense):
    def __init__(self, n_in, n_out, rng):
        super().__init__(n_in, n_out, rng)
        self.params["W"] = rng.standard_normal((n_in, n_out))


class UpdatingDense(GoodDense):
    def backward(self, grad_output):
        grad_x = super().backward(grad_output)
        self.params["W"] -= 0.1 * self.grads["W"]
        self.params["b"] -= 0.1 * self.grads["b"]
        return grad_x


class MeanDense(GoodDense):
    def backward(self, grad_output):
        grad_x = super().backward(grad_output)
        self.grads["W"] = self.grads["W"] / len(grad_output)
        return grad_x


class CopyingDense(GoodDense):
    def __init__(self, n_in, n_out, rng):
        super().__init__(n_in, n_out, rng)
        self.W, self.b = self.params["W"].copy(), self.params["b"].copy()

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b


class NotALayer:
    def __init__(self, n_in, n_out, rng):
        self.params = {"W": np.zeros((n_in, n_out)), "b": np.zeros(n_out)}


class RandomBiasDense(GoodDense):
    def __init__(self, n_in, n_out, rng):
        super().__init__(n_in, n_out, rng)
        self.params["b"] = rng.standard_normal(n_out)


def test_layer_accepts_reference(capsys):
    result, out = run(check_dense_layer, GoodDense, capsys)
    assert result is True and "✓ GoodDense: all 6 cases passed" in out


@pytest.mark.parametrize("wrong, words", [
    (UnitInitDense, ["initial weights' scale", "0.0493"]),
    (UpdatingDense, ["one sample", "changed the parameters"]),
    (MeanDense, ["a batch of 4", "grads['W']", "batch mean"]),
    (CopyingDense, ["in-place update", "layer.params"]),
    (NotALayer, ["construction", "inherit from nnlib.Layer"]),
    (RandomBiasDense, ["construction", "biases should start at zero"]),
])
def test_layer_rejects_mistakes(wrong, words, capsys):
    result, out = run(check_dense_layer, wrong, capsys)
    assert result is False
    assert f"✗ {wrong.__name__}: failed on" in out
    for word in words:
        assert word in out


# -- nnlib's own answer, wrapped, does not pass ----------------------------------
def wrapped_forward(x, W, b):
    from nnlib import Dense
    layer = Dense(*W.shape)
    layer.params["W"][...], layer.params["b"][...] = W, b
    return layer.forward(x)


def wrapped_backward(x, W, g):
    from nnlib import Dense
    layer = Dense(*W.shape)
    layer.params["W"][...] = W
    layer.forward(x)
    return layer.backward(g), layer.grads["W"], layer.grads["b"]


def wrapped_xavier(n_in, n_out, rng):
    from nnlib.dense import init_weights
    return init_weights(n_in, n_out, "xavier", rng, np.float64)


class InheritedDense(__import__("nnlib").Dense):
    def __init__(self, n_in, n_out, rng):
        super().__init__(n_in, n_out, rng=rng)


@pytest.mark.parametrize("checker, wrapped, name", [
    (check_dense_forward, wrapped_forward, "Dense.forward"),
    (check_dense_backward, wrapped_backward, "Dense.backward"),
    (check_xavier_uniform, wrapped_xavier, "init_weights"),
    (check_dense_layer, InheritedDense, "Dense.__init__"),
])
def test_a_wrap_of_nnlibs_own_answer_fails(checker, wrapped, name, capsys):
    result, out = run(checker, wrapped, capsys)
    assert result is False
    assert f"calls nnlib's own {name}" in out and "write it yourself" in out
