"""The checkers of "The base layer" accept the reference solutions and reject typical mistakes."""
import numpy as np

from nnlib import Layer
from nnlib.checks import check_affine_layer, check_scale_layer, check_square_layer


def verdict_of(checker, cls, capsys):
    ok = checker(cls)
    return ok, capsys.readouterr().out


# -- Scale ----------------------------------------------------------------------
class Scale(Layer):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return self.c * x

    def backward(self, grad_output):
        return self.c * grad_output


class ScaleIdentityBackward(Scale):
    def backward(self, grad_output):
        return grad_output


class ScaleReturnsC(Scale):
    def backward(self, grad_output):
        return np.full(grad_output.shape, self.c)


class ScaleWithParams(Scale):
    def __init__(self, c):
        super().__init__(c)
        self.params["c"] = np.array([c])
        self.grads["c"] = np.zeros(1)


class ScaleNotALayer:
    def __init__(self, c):
        self.c = c


def test_scale_accepts_the_solution(capsys):
    ok, out = verdict_of(check_scale_layer, Scale, capsys)
    assert ok is True and "✓ Scale" in out


def test_scale_rejects_an_identity_backward(capsys):
    ok, out = verdict_of(check_scale_layer, ScaleIdentityBackward, capsys)
    assert ok is False and "Scale(2.0) on a (3, 4) batch" in out and "backward" in out


def test_scale_rejects_a_backward_ignoring_grad_output(capsys):
    ok, out = verdict_of(check_scale_layer, ScaleReturnsC, capsys)
    assert ok is False and "backward" in out


def test_scale_rejects_parameters(capsys):
    ok, out = verdict_of(check_scale_layer, ScaleWithParams, capsys)
    assert ok is False and "no parameters" in out


def test_scale_rejects_a_class_that_is_not_a_layer(capsys):
    ok, out = verdict_of(check_scale_layer, ScaleNotALayer, capsys)
    assert ok is False and "inherit from nnlib.Layer" in out


def test_scale_rejects_an_instance(capsys):
    ok, out = verdict_of(check_scale_layer, Scale(2.0), capsys)
    assert ok is False and "pass the class itself" in out


# -- Square ---------------------------------------------------------------------
class Square(Layer):
    def forward(self, x):
        self.x = x
        return x**2

    def backward(self, grad_output):
        return 2 * self.x * grad_output


class SquareIgnoresGrad(Square):
    def backward(self, grad_output):
        return 2 * self.x


class SquareUsesOutput(Square):
    def backward(self, grad_output):
        return 2 * self.x**2 * grad_output


class SquareStub(Layer):
    def forward(self, x):
        raise NotImplementedError("Exercise 2.2: write forward")

    def backward(self, grad_output):
        raise NotImplementedError("Exercise 2.2: write backward")


def test_square_accepts_the_solution(capsys):
    ok, out = verdict_of(check_square_layer, Square, capsys)
    assert ok is True and "all 4 cases passed" in out


def test_square_rejects_a_backward_ignoring_grad_output(capsys):
    ok, out = verdict_of(check_square_layer, SquareIgnoresGrad, capsys)
    assert ok is False and "random grad_output" in out


def test_square_rejects_the_output_in_place_of_the_input(capsys):
    ok, out = verdict_of(check_square_layer, SquareUsesOutput, capsys)
    assert ok is False and "hand-checkable row" in out and "backward" in out


def test_square_stub_is_not_written(capsys):
    ok, out = verdict_of(check_square_layer, SquareStub, capsys)
    assert ok is False and "not written yet" in out and "Exercise 2.2" in out


# -- Affine ---------------------------------------------------------------------
class Affine(Layer):
    def __init__(self, n):
        super().__init__()
        self.params["a"] = np.ones(n)
        self.params["c"] = np.zeros(n)
        self.grads["a"] = np.zeros(n)
        self.grads["c"] = np.zeros(n)

    def forward(self, x):
        self.x = x
        return x * self.params["a"] + self.params["c"]

    def backward(self, grad_output):
        self.grads["a"][...] = np.sum(grad_output * self.x, axis=0)
        self.grads["c"][...] = np.sum(grad_output, axis=0)
        return grad_output * self.params["a"]


class AffineNoBatchSum(Affine):
    def backward(self, grad_output):
        self.grads["a"] = grad_output * self.x
        self.grads["c"] = grad_output
        return grad_output * self.params["a"]


class AffineMean(Affine):
    def backward(self, grad_output):
        self.grads["a"] = np.mean(grad_output * self.x, axis=0)
        self.grads["c"] = np.mean(grad_output, axis=0)
        return grad_output * self.params["a"]


class AffineCopies(Affine):
    """Keeps its own copies, so an optimizer's in-place update never reaches forward."""
    def __init__(self, n):
        super().__init__(n)
        self.a, self.c = np.ones(n), np.zeros(n)

    def forward(self, x):
        self.x = x
        return x * self.a + self.c


class AffineWrongInputGrad(Affine):
    def backward(self, grad_output):
        super().backward(grad_output)
        return grad_output * self.x


class AffineMissingGrads(Affine):
    def __init__(self, n):
        super().__init__(n)
        self.grads = {}


def test_affine_accepts_the_solution(capsys):
    ok, out = verdict_of(check_affine_layer, Affine, capsys)
    assert ok is True and "all 5 cases passed" in out


def test_affine_rejects_gradients_not_summed_over_the_batch(capsys):
    ok, out = verdict_of(check_affine_layer, AffineNoBatchSum, capsys)
    assert ok is False and "batch of 1" in out and "grads['a']" in out
    assert "should have shape (3,), got shape (1, 3)" in out


def test_affine_rejects_a_mean_over_the_batch(capsys):
    ok, out = verdict_of(check_affine_layer, AffineMean, capsys)
    assert ok is False and "a batch of 4" in out and "grads['a']" in out


def test_affine_rejects_private_copies_of_the_parameters(capsys):
    ok, out = verdict_of(check_affine_layer, AffineCopies, capsys)
    assert ok is False and "set in place" in out and "forward" in out


def test_affine_rejects_a_wrong_input_gradient(capsys):
    ok, out = verdict_of(check_affine_layer, AffineWrongInputGrad, capsys)
    assert ok is False and "input gradient" in out


def test_affine_rejects_missing_grads(capsys):
    ok, out = verdict_of(check_affine_layer, AffineMissingGrads, capsys)
    assert ok is False and "params and grads" in out and "grads should have the keys" in out


class AffineStub(Layer):
    def __init__(self, n):
        super().__init__()

    def forward(self, x):
        raise NotImplementedError("Exercise 2.3: write Affine.forward")

    def backward(self, grad_output):
        raise NotImplementedError("Exercise 2.3: write Affine.backward")


def test_affine_stub_is_not_written(capsys):
    ok, out = verdict_of(check_affine_layer, AffineStub, capsys)
    assert ok is False and "not written yet" in out and "Exercise 2.3" in out
