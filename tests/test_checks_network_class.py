"""The chapter "A network class": each checker accepts a right answer and
rejects typical wrong ones, naming the failing case."""
import pickle
import zipfile

import numpy as np

from nnlib import SGD, Network
from nnlib.activations import softmax
from nnlib.checks import check_backward_pass, check_mini_network, check_predict_one_hot


# ------------------------------------------------------------ MiniNetwork
class MiniNetwork:
    def __init__(self, layers, loss, learning_rate=0.1):
        self.layers, self.loss, self.learning_rate = list(layers), loss, learning_rate

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def step(self, xb, yb):
        y_pred = self.predict(xb)
        grad = self.loss.gradient(y_pred, yb)
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        for layer in self.layers:
            for name, p in layer.params.items():
                p -= self.learning_rate * layer.grads[name]
        return self.loss(y_pred, yb) * len(xb)

    def fit(self, x, y, *, epochs, batch_size, seed):
        rng = np.random.default_rng(seed)
        losses = []
        for _ in range(epochs):
            order = rng.permutation(len(x))
            total = sum(self.step(x[order[s:s + batch_size]], y[order[s:s + batch_size]])
                        for s in range(0, len(x), batch_size))
            losses.append(total / len(x))
        return losses

    def arrays(self):
        return {f"layer{i}.{k}": p for i, layer in enumerate(self.layers) for k, p in layer.params.items()}

    def save(self, path):
        np.savez(path, **self.arrays())

    def read(self, path, allow_pickle=False):
        try:
            with np.load(path, allow_pickle=allow_pickle) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
            raise ValueError(f"{path!r} is not a readable weights file: {e}") from None

    def load(self, path):
        stored = self.read(path)
        for key, p in self.arrays().items():
            if key not in stored:
                raise ValueError(f"{path!r} has no array {key}")
            if stored[key].shape != p.shape:
                raise ValueError(f"{path!r}: {key} has shape {stored[key].shape}, expected {p.shape}")
        for key, p in self.arrays().items():
            p[...] = stored[key]


def verdict_of(check, answer, capsys):
    passed = check(answer)
    return passed, capsys.readouterr().out


def test_mini_network_accepts_a_right_answer(capsys):
    passed, out = verdict_of(check_mini_network, MiniNetwork, capsys)
    assert passed is True and "✓ MiniNetwork: all 9 cases passed" in out


def test_mini_network_stub_is_not_written(capsys):
    class Stub(MiniNetwork):
        def predict(self, x):
            raise NotImplementedError("Exercise 9.1: write MiniNetwork.predict")
    passed, out = verdict_of(check_mini_network, Stub, capsys)
    assert passed is False and "not written yet" in out


def test_mini_network_rejects_an_unwritten_load(capsys):
    class NoLoad(MiniNetwork):
        def load(self, path):
            raise NotImplementedError("Exercise 9.1: write MiniNetwork.load")
    passed, out = verdict_of(check_mini_network, NoLoad, capsys)
    assert passed is False and "not written yet" in out


def test_mini_network_rejects_indices_for_probabilities(capsys):
    class Labels(MiniNetwork):
        def predict(self, x):
            return np.argmax(super().predict(x), axis=1)
    passed, out = verdict_of(check_mini_network, Labels, capsys)
    assert passed is False and "predict on 7 rows" in out and "shape (7, 3)" in out


def test_mini_network_rejects_dropping_the_last_batch(capsys):
    class Dropping(MiniNetwork):
        def fit(self, x, y, *, epochs, batch_size, seed):
            n = len(x) // batch_size * batch_size
            return super().fit(x[:n], y[:n], epochs=epochs, batch_size=batch_size, seed=seed)
    passed, out = verdict_of(check_mini_network, Dropping, capsys)
    assert passed is False and "[16, 16, 16, 12]" in out and "(192 samples, expected 240)" in out


def test_mini_network_rejects_a_fit_without_shuffling(capsys):
    class InOrder(MiniNetwork):
        def fit(self, x, y, *, epochs, batch_size, seed):
            return [sum(self.step(x[s:s + batch_size], y[s:s + batch_size])
                        for s in range(0, len(x), batch_size)) / len(x) for _ in range(epochs)]
    passed, out = verdict_of(check_mini_network, InOrder, capsys)
    assert passed is False and "stored order" in out


def test_mini_network_rejects_one_order_for_every_epoch(capsys):
    class OnePermutation(MiniNetwork):
        def fit(self, x, y, *, epochs, batch_size, seed):
            order = np.random.default_rng(seed).permutation(len(x))
            batches = [order[s:s + batch_size] for s in range(0, len(x), batch_size)]
            return [sum(self.step(x[rows], y[rows]) for rows in batches) / len(x) for _ in range(epochs)]
    passed, out = verdict_of(check_mini_network, OnePermutation, capsys)
    assert passed is False and "same order" in out


def test_mini_network_rejects_the_global_random_state(capsys):
    class Unseeded(MiniNetwork):
        def fit(self, x, y, *, epochs, batch_size, seed):
            return super().fit(x, y, epochs=epochs, batch_size=batch_size, seed=None)
    passed, out = verdict_of(check_mini_network, Unseeded, capsys)
    assert passed is False and "np.random.default_rng(seed)" in out


def test_mini_network_rejects_steps_up_the_gradient(capsys):
    class Ascent(MiniNetwork):
        def __init__(self, layers, loss, learning_rate=0.1):
            super().__init__(layers, loss, -learning_rate)
    passed, out = verdict_of(check_mini_network, Ascent, capsys)
    assert passed is False and "the training loss falls" in out and "p -= learning_rate * grad" in out


def test_mini_network_rejects_handing_the_loop_to_nnlib(capsys):
    class Wrapper(MiniNetwork):
        def fit(self, x, y, *, epochs, batch_size, seed):
            net = Network(self.layers, self.loss, SGD(self.learning_rate), fuse=False)
            return net.fit(x, y, epochs=epochs, batch_size=batch_size, seed=seed, verbose=0)["loss"]
    passed, out = verdict_of(check_mini_network, Wrapper, capsys)
    assert passed is False and "nnlib's Network" in out


def test_mini_network_rejects_a_pickle_file(capsys):
    class Pickling(MiniNetwork):
        def save(self, path):
            with open(path, "wb") as f:
                pickle.dump(self.arrays(), f)
    passed, out = verdict_of(check_mini_network, Pickling, capsys)
    assert passed is False and "save should write an .npz of plain arrays" in out


def test_mini_network_rejects_a_raw_error_on_a_truncated_file(capsys):
    class Raw(MiniNetwork):
        def load(self, path):
            with np.load(path, allow_pickle=False) as data:
                for key, p in self.arrays().items():
                    p[...] = data[key]
    passed, out = verdict_of(check_mini_network, Raw, capsys)
    assert passed is False and "cut to half its size raised BadZipFile" in out and "ValueError" in out


def test_mini_network_rejects_a_load_that_copies_as_it_goes(capsys):
    class AsItGoes(MiniNetwork):
        def load(self, path):
            stored = self.read(path)
            for key, p in self.arrays().items():
                if key not in stored or stored[key].shape != p.shape:
                    raise ValueError(f"{path!r}: bad array {key}")
                p[...] = stored[key]
    passed, out = verdict_of(check_mini_network, AsItGoes, capsys)
    assert passed is False and "(8, 3) weights became (3, 8)" in out and "check every array before" in out


def test_mini_network_rejects_a_key_error_on_a_missing_array(capsys):
    class Unchecked(MiniNetwork):
        def load(self, path):
            stored = self.read(path)
            arrays = self.arrays()
            if any(stored[k].shape != p.shape for k, p in arrays.items()):
                raise ValueError("wrong shape")
            for key, p in arrays.items():
                p[...] = stored[key]
    passed, out = verdict_of(check_mini_network, Unchecked, capsys)
    assert passed is False and "weights missing raised KeyError" in out


def test_mini_network_rejects_unpickling_a_file(capsys):
    class Unpickling(MiniNetwork):
        def read(self, path, allow_pickle=True):
            return super().read(path, allow_pickle=True)
    passed, out = verdict_of(check_mini_network, Unpickling, capsys)
    assert passed is False and "ran code stored in" in out and "allow_pickle=False" in out


# -------------------------------------------------------- predict_one_hot
def predict_one_hot(p):
    out = np.zeros_like(p)
    out[np.arange(len(p)), np.argmax(p, axis=1)] = 1.0
    return out


def test_predict_one_hot_accepts_a_right_answer(capsys):
    passed, out = verdict_of(check_predict_one_hot, predict_one_hot, capsys)
    assert passed is True and "✓" in out


def test_predict_one_hot_stub_is_not_written(capsys):
    def stub(p):
        raise NotImplementedError("Exercise 9.2: replace this line with your predict_one_hot")
    passed, out = verdict_of(check_predict_one_hot, stub, capsys)
    assert passed is False and "not written yet" in out


def test_predict_one_hot_rejects_the_global_maximum(capsys):
    def global_max(p):  # one maximum for the whole batch instead of one per row
        return (p == p.max()).astype(float)
    passed, out = verdict_of(check_predict_one_hot, global_max, capsys)
    assert passed is False and "three rows" in out


def test_predict_one_hot_rejects_indices_with_an_axis_hint(capsys):
    passed, out = verdict_of(check_predict_one_hot, lambda p: np.argmax(p, axis=1), capsys)
    assert passed is False and "returned shape (3,), expected (3, 4)" in out
    assert "along axis 1" in out


def test_predict_one_hot_explains_a_numpy_shape_error(capsys):
    def columns(p):  # arg-max down the columns: 4 indices against 3 rows
        out = np.zeros_like(p)
        out[np.argmax(p, axis=0), np.arange(len(p))] = 1.0
        return out
    passed, out = verdict_of(check_predict_one_hot, columns, capsys)
    assert passed is False and "raised IndexError: shape mismatch" in out
    assert "axis 0 holds the 3 rows" in out and "axis 1 the 4 classes" in out


def test_predict_one_hot_explains_a_missing_axis(capsys):
    def flat(p):  # a 1-D result indexed with two arrays
        out = np.zeros(len(p))
        out[np.arange(len(p)), np.argmax(p, axis=1)] = 1.0
        return out
    passed, out = verdict_of(check_predict_one_hot, flat, capsys)
    assert passed is False and "IndexError" in out and "has shape (3, 4) too" in out


def test_predict_one_hot_explains_an_axis_error(capsys):
    passed, out = verdict_of(check_predict_one_hot, lambda p: np.argmax(p, axis=2), capsys)
    assert passed is False and "AxisError" in out and "along axis 1" in out


def test_predict_one_hot_rejects_the_last_of_tied_entries(capsys):
    def last_on_ties(p):
        out = np.zeros_like(p)
        out[np.arange(len(p)), p.shape[1] - 1 - np.argmax(p[:, ::-1], axis=1)] = 1.0
        return out
    passed, out = verdict_of(check_predict_one_hot, last_on_ties, capsys)
    assert passed is False and "a tie (the first largest wins)" in out


# ---------------------------------------------------------- backward_pass
def backward_pass(params, x, t, slope=lambda z1, h: 1 - h ** 2):
    z1 = x @ params["W1"] + params["b1"]
    h = np.tanh(z1)
    p = softmax(h @ params["W2"] + params["b2"])
    d2 = (p - t) / len(x)
    d1 = (d2 @ params["W2"].T) * slope(z1, h)
    return {"W1": x.T @ d1, "b1": d1.sum(axis=0), "W2": h.T @ d2, "b2": d2.sum(axis=0)}


def test_backward_pass_accepts_the_fixed_function(capsys):
    passed, out = verdict_of(check_backward_pass, backward_pass, capsys)
    assert passed is True and "✓ backward_pass: all 3 cases passed" in out


def test_backward_pass_rejects_the_planted_bug(capsys):
    planted = lambda params, x, t: backward_pass(params, x, t, lambda z1, h: 1 - z1 ** 2)  # noqa: E731
    passed, out = verdict_of(check_backward_pass, planted, capsys)
    assert passed is False and "the gradient for W1 disagrees with finite differences" in out


def test_backward_pass_rejects_the_posts_sigmoid_slope(capsys):
    sigmoid_slope = lambda params, x, t: backward_pass(params, x, t, lambda z1, h: h * (1 - h))  # noqa: E731
    passed, out = verdict_of(check_backward_pass, sigmoid_slope, capsys)
    assert passed is False and "W1" in out


def test_backward_pass_rejects_a_sum_instead_of_a_mean(capsys):
    def summed(params, x, t):
        return {k: g * len(x) for k, g in backward_pass(params, x, t).items()}
    passed, out = verdict_of(check_backward_pass, summed, capsys)
    assert passed is False and "the gradient for W2 disagrees" in out


def test_backward_pass_rejects_biases_kept_per_sample(capsys):
    def per_sample(params, x, t):
        grads = backward_pass(params, x, t)
        grads["b2"] = np.tile(grads["b2"], (len(x), 1)) / len(x)
        return grads
    passed, out = verdict_of(check_backward_pass, per_sample, capsys)
    assert passed is False and "the gradient for b2 should have the shape of b2, (2,)" in out


def test_backward_pass_rejects_changing_the_weights(capsys):
    def stepping(params, x, t):
        grads = backward_pass(params, x, t)
        params["W2"] -= 0.1 * grads["W2"]
        return grads
    passed, out = verdict_of(check_backward_pass, stepping, capsys)
    assert passed is False and "changed params['W2']" in out


def test_backward_pass_rejects_a_tuple(capsys):
    def as_tuple(params, x, t):
        return tuple(backward_pass(params, x, t).values())
    passed, out = verdict_of(check_backward_pass, as_tuple, capsys)
    assert passed is False and "a dict with the keys W1, b1, W2 and b2" in out
