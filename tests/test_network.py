"""Network: training, evaluation, bad input, divergence, saving and loading."""
import json
import os
import re

import numpy as np
import pytest

from nnlib import (MSE, SGD, Adam, BinaryCrossEntropy, CategoricalCrossEntropy, Dense, Layer, Loss, Network, Optimizer,
                   ReLU, Sigmoid, Softmax, Tanh, TrainingDiverged, accuracy)
from nnlib.data import one_hot, xor


def xor_network(seed=0, optimizer=None):
    return Network([Dense(2, 4, rng=seed), Tanh(), Dense(4, 1, rng=seed + 1), Sigmoid()], BinaryCrossEntropy(),
                   optimizer or SGD(0.5, momentum=0.9))


def classifier(rng, n_in=3, n_out=4, dtype=np.float64):
    return Network([Dense(n_in, 8, init="he", rng=rng, dtype=dtype), ReLU(), Dense(8, n_out, rng=rng, dtype=dtype),
                    Softmax()], CategoricalCrossEntropy(), Adam(0.01))


def test_fit_solves_xor():
    x, y = xor()
    net = xor_network()
    history = net.fit(x, y, epochs=300, batch_size=4, verbose=0)
    assert history["accuracy"][-1] == 1.0
    assert net.evaluate(x, y)["accuracy"] == 1.0
    assert history["loss"][-1] < 0.1 * history["loss"][0]
    np.testing.assert_array_equal(net.predict(x) >= 0.5, y == 1)


def test_history_and_validation(rng):
    x = rng.standard_normal((50, 3))
    y = one_hot((x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0), 4)
    net = classifier(rng)
    history = net.fit(x, y, epochs=3, batch_size=16, validation_data=(x[:10], y[:10]), seed=0, verbose=0)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 3 for v in history.values())
    assert history["val_loss"][-1] == pytest.approx(net.evaluate(x[:10], y[:10])["loss"])


def test_same_seed_same_training(rng):
    x = rng.standard_normal((40, 3))
    y = one_hot(rng.integers(0, 4, 40), 4)
    runs = [classifier(np.random.default_rng(1)).fit(x, y, epochs=2, batch_size=8, seed=5, verbose=0) for _ in range(2)]
    assert runs[0] == runs[1]


def test_last_partial_batch_is_used():
    """10 samples in batches of 4: the last batch holds 2, and it trains too."""
    x, y = np.eye(10)[:, :2] + 0.0, np.ones((10, 1))
    seen = []

    class Recording(Dense):
        def forward(self, x):
            seen.append(len(x))
            return super().forward(x)

    Network([Recording(2, 1, rng=0), Sigmoid()], BinaryCrossEntropy()).fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert seen == [4, 4, 2]


def test_learning_rate_argument_sets_the_optimizer():
    x, y = xor()
    net = xor_network()
    net.fit(x, y, epochs=1, batch_size=4, learning_rate=0.3, verbose=0)
    assert net.optimizer.learning_rate == 0.3


def test_verbose_prints_one_line_per_epoch_when_not_a_terminal(capsys):
    x, y = xor()
    xor_network().fit(x, y, epochs=2, batch_size=2, verbose=1)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[1].startswith("epoch 2/2 - loss ")
    xor_network().fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_accuracy_rules():
    assert accuracy(np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0, 1], [0, 1.0]])) == 0.5
    assert accuracy(np.array([[0.7], [0.2], [0.5]]), np.array([[1.0], [0.0], [0.0]])) == pytest.approx(2 / 3)


def test_summary_counts_parameters(rng):
    net = classifier(rng)
    assert net.count_params() == 3 * 8 + 8 + 8 * 4 + 4
    assert "total" in net.summary() and "68" in net.summary()


def test_summary_columns_line_up_whatever_the_layer_names():
    net = Network([Dense(784, 64, dtype=np.float32), ReLU(), Dense(64, 10, dtype=np.float32), Softmax()],
                  CategoricalCrossEntropy())
    lines = net.summary().splitlines()
    assert len({len(line) for line in lines}) == 1, lines
    assert lines[2].startswith("Dense(n_in=784, n_out=64, dtype='float32')")
    assert lines[2].endswith("50,240") and lines[-1].endswith("50,890")


# -- bad input: a clear error that names what was expected and what arrived ---------------------------------
@pytest.mark.parametrize("x, y, error, message", [
    (np.ones((4, 3)), np.zeros((4, 1)), ValueError, r"2 features per row, got shape \(4, 3\)"),
    (np.ones((4, 2)), np.zeros((3, 1)), ValueError, "same number of rows, got 4 and 3"),
    (np.array([[0.0, np.nan]] * 4), np.zeros((4, 1)), ValueError, r"finite, got nan at index \(0, 1\)"),
    (np.array([[0.0, np.inf]] * 4), np.zeros((4, 1)), ValueError, "finite, got inf"),
    (np.ones(8), np.zeros((4, 1)), ValueError, r"2-D with shape \(batch, features\), got shape \(8,\)"),
    ("abc", np.zeros((4, 1)), TypeError, "NumPy array"),
    (np.ones((4, 2)), np.full((4, 1), 2.0), ValueError, r"\[0, 1\] for BinaryCrossEntropy"),
])
def test_fit_rejects_bad_data(x, y, error, message):
    with pytest.raises(error, match=message):
        xor_network().fit(x, y, epochs=1, batch_size=2, verbose=0)


def test_labels_must_be_one_hot_for_categorical_cross_entropy(rng):
    net = classifier(rng)
    x = rng.standard_normal((5, 3))
    with pytest.raises(ValueError, match=r"class labels .* use nnlib.data.one_hot\(y, 4\)"):
        net.fit(x, np.array([0, 1, 2, 3, 0]), epochs=1, batch_size=2, verbose=0)
    with pytest.raises(ValueError, match="row 1 sums to 2"):
        net.fit(x, np.array([[1, 0, 0, 0], [1, 1, 0, 0]] + [[0, 0, 0, 1]] * 3), epochs=1, batch_size=2, verbose=0)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0, "batch_size": 2}, ValueError, "epochs must be a positive whole number, got 0"),
    ({"epochs": 1, "batch_size": -4}, ValueError, "batch_size must be a positive whole number, got -4"),
    ({"epochs": 1.5, "batch_size": 2}, TypeError, "epochs"),
    ({"epochs": 1, "batch_size": 2, "learning_rate": 0}, ValueError,
     "learning_rate must be a positive finite number, got 0"),
    ({"epochs": 1, "batch_size": 2, "learning_rate": -1e-3}, ValueError, "learning_rate"),
    ({"epochs": 1, "batch_size": 2, "verbose": 3}, ValueError, "verbose"),
    ({"epochs": 1, "batch_size": 2, "validation_data": np.ones((2, 2))}, TypeError, "validation_data"),
])
def test_fit_rejects_bad_settings(kwargs, error, message):
    x, y = xor()
    net = xor_network()
    w = net.layers[0].params["W"].copy()
    with pytest.raises(error, match=message):
        net.fit(x, y, **{"verbose": 0, **kwargs})
    np.testing.assert_array_equal(net.layers[0].params["W"], w)


def test_network_rejects_things_that_are_not_layers():
    with pytest.raises(TypeError, match="layer 1 must be an nnlib Layer, got builtin_function_or_method"):
        Network([Dense(2, 2), max], MSE())
    with pytest.raises(TypeError, match="loss must be an nnlib Loss"):
        Network([Dense(2, 2)], "mse")
    with pytest.raises(ValueError, match="at least one layer"):
        Network([], MSE())


def test_divergence_stops_with_a_clear_error_and_restores_the_weights(rng):
    x = rng.standard_normal((64, 3)) * 100
    y = rng.standard_normal((64, 2)) * 100
    net = Network([Dense(3, 16, rng=0), ReLU(), Dense(16, 2, rng=1)], MSE(), SGD(10.0))
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch \d+.*smaller learning rate") as info:
        net.fit(x, y, epochs=50, batch_size=8, verbose=0)
    assert isinstance(info.value, FloatingPointError)
    assert all(np.isfinite(p).all() for layer in net.layers for p in layer.params.values())
    assert np.isfinite(net.predict(x[:1])).all()


def test_a_divergence_in_a_later_epoch_restores_the_weights_that_epoch_started_from():
    # Momentum carries the weights off in a later epoch; a twin trained on the same
    # batches for the epochs before it holds the weights to expect.
    r = np.random.default_rng(7)
    x, y = r.standard_normal((64, 3)), r.standard_normal((64, 2)) * 100

    def network():
        return Network([Dense(3, 16, rng=0), ReLU(), Dense(16, 2, rng=1)], MSE(), SGD(0.3, momentum=0.9))

    diverging, twin = network(), network()
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch \d+") as info:
        diverging.fit(x, y, epochs=50, batch_size=16, seed=2, verbose=0)
    epoch = int(re.search(r"epoch (\d+)", str(info.value)).group(1))
    assert epoch > 1
    twin.fit(x, y, epochs=epoch - 1, batch_size=16, seed=2, verbose=0)
    for ours, theirs in zip(diverging.layers, twin.layers):
        for name, p in ours.params.items():
            np.testing.assert_array_equal(p, theirs.params[name])
    assert diverging.optimizer.state == {} and diverging.optimizer.t == 0


def test_divergence_of_a_classifier_is_caught_despite_the_clipped_loss(rng):
    # Too large a rate flings a softmax classifier from one confident wrong
    # answer to the next: a label's probability underflows to 0 in float32,
    # yet the clipped loss stays below -ln(1e-7) ~ 16.1 and the weights
    # stay finite, so only the unclipped loss shows the divergence.
    x = rng.standard_normal((256, 20)).astype(np.float32)
    y = one_hot(rng.integers(0, 10, 256), 10)
    net = Network([Dense(20, 16, rng=0, dtype=np.float32), Tanh(), Dense(16, 10, rng=1, dtype=np.float32),
                   Softmax()], CategoricalCrossEntropy(), SGD(200.0))
    start = [p.copy() for layer in net.layers for p in layer.params.values()]
    with pytest.raises(TrainingDiverged, match=r"diverged in epoch 1: .*probability .*0") as info:
        net.fit(x, y, epochs=5, batch_size=32, seed=0, verbose=0)
    assert "inf" in str(info.value)
    for before, after in zip(start, (p for layer in net.layers for p in layer.params.values())):
        np.testing.assert_array_equal(before, after)
    # The same network at a sane rate trains without a false alarm.
    calm = Network([Dense(20, 16, rng=0, dtype=np.float32), Tanh(), Dense(16, 10, rng=1, dtype=np.float32),
                    Softmax()], CategoricalCrossEntropy(), SGD(0.5))
    history = calm.fit(x, y, epochs=20, batch_size=32, seed=0, verbose=0)
    assert history["loss"][-1] < history["loss"][0]


def test_a_sigmoid_saturated_at_one_is_no_false_alarm():
    # In float32 the sigmoid rounds to exactly 1 from z ~ 17, an ordinary
    # confident answer: for a label 0 that is a loss of about 17, not an
    # infinite one, so it must not count as a divergence.
    net = Network([Dense(1, 1, rng=0, dtype=np.float32), Sigmoid()], BinaryCrossEntropy(), SGD(1e-6))
    net.layers[0].params["W"][...] = 40.0
    x = np.ones((4, 1), dtype=np.float32)
    assert (net.predict(x) == 1).all()
    net.fit(x, np.array([[0.0], [0.0], [1.0], [1.0]]), epochs=2, batch_size=4, verbose=0)


# -- saving and loading ------------------------------------------------------------------------------------
def test_save_load_round_trip_gives_identical_predictions(tmp_path, rng):
    net = classifier(rng, dtype=np.float32)
    x = rng.standard_normal((20, 3)).astype(np.float32)
    net.fit(x, one_hot(rng.integers(0, 4, 20), 4), epochs=2, batch_size=5, verbose=0)
    path = tmp_path / "model.npz"
    net.save(path)
    loaded = Network.load(path)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in net.layers]
    assert type(loaded.loss) is CategoricalCrossEntropy and loaded.optimizer.learning_rate == 0.01
    assert loaded.layers[0].params["W"].dtype == np.float32
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_saved_file_is_arrays_and_json_only(tmp_path):
    path = tmp_path / "xor.npz"
    xor_network().save(path)
    with np.load(path, allow_pickle=False) as data:
        arch = json.loads(str(data["architecture.json"]))
        assert all(data[k].dtype != object for k in data.files)
    assert [layer["type"] for layer in arch["layers"]] == ["Dense", "Tanh", "Dense", "Sigmoid"]


def test_a_failed_save_leaves_the_old_file_untouched(tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    xor_network(seed=0).save(path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        xor_network(seed=3).save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.npz"]


def test_unsaveable_layers_are_refused_before_writing(tmp_path):
    from nnlib import Activation
    net = Network([Dense(2, 1), Activation(np.tanh, lambda x: 1 - np.tanh(x) ** 2)], MSE())
    with pytest.raises(TypeError, match="cannot be saved"):
        net.save(tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


def test_a_layer_class_nnlib_does_not_know_is_refused_by_name(tmp_path):
    from nnlib import Layer

    class Double(Layer):
        def forward(self, x):
            return 2 * x

    net = Network([Dense(2, 1), Double()], MSE())
    with pytest.raises(TypeError, match=r"cannot save a Double: nnlib saves only \['Dense'"):
        net.save(tmp_path / "m.npz")
    assert not os.listdir(tmp_path)


def test_truncated_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    xor_network().save(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        Network.load(path)


def test_garbage_and_foreign_files_give_clear_errors(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        Network.load(garbage)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weights=np.ones(3))
    with pytest.raises(ValueError, match="no architecture.json entry"):
        Network.load(foreign)


def test_pickled_arrays_are_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, **{"architecture.json": np.array([{"payload": 1}], dtype=object)})
    with pytest.raises(ValueError, match="not a readable nnlib model file"):
        Network.load(path)


def test_mismatched_weights_are_refused(tmp_path):
    path = tmp_path / "model.npz"
    xor_network().save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["layer0.W"] = np.ones((3, 3))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match=r"layer0.W has shape \(3, 3\)"):
        Network.load(path)
    arch = json.loads(str(arrays["architecture.json"]))
    arch["layers"][1]["type"] = "Conv2D"
    arrays["architecture.json"] = np.array(json.dumps(arch))
    np.savez(path, **arrays)
    with pytest.raises(ValueError, match="unknown layer type 'Conv2D'"):
        Network.load(path)


def test_no_pickle_anywhere_in_the_library():
    import nnlib
    folder = os.path.dirname(nnlib.__file__)
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".py"):
                text = open(os.path.join(root, name)).read()
                for unsafe in ("import pickle", "import dill", "allow_pickle=True"):
                    assert unsafe not in text, name


# -- the contracts: a learner's own layer, loss and optimizer ----------------------------------------------------
class MyDense(Layer):
    """A dense layer as a learner writes it: no n_in attribute, no parameter_gradients."""

    def __init__(self, n_in, n_out, seed):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.params = {"W": rng.uniform(-1, 1, (n_in, n_out)), "b": np.zeros(n_out)}
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"][...] = self.x.T @ grad_output
        self.grads["b"][...] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T


class MyTanh(Layer):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1 - self.y**2)


class MySquaredError(Loss):
    def value(self, y_pred, y_true):
        return np.mean((y_pred - y_true) ** 2)

    def grad(self, y_pred, y_true):
        return 2 * (y_pred - y_true) / y_pred.size


class MyGradientDescent(Optimizer):
    def update(self, param, grad, key):
        param -= self.learning_rate * grad


def test_a_learners_own_layer_loss_and_optimizer_train_a_network():
    x, y = xor()
    net = Network([MyDense(2, 8, seed=0), MyTanh(), MyDense(8, 1, seed=1)], MySquaredError(),
                  MyGradientDescent(0.2))
    assert (net.n_in, net.n_out, net.fuse) == (None, None, False)
    history = net.fit(x, y, epochs=500, batch_size=4, shuffle=False, verbose=0)
    assert history["loss"][-1] < 0.01 < history["loss"][0]
    assert "MyDense(...)" not in net.summary() and "MyGradientDescent(learning_rate=0.2)" in repr(net)


def test_a_learners_layer_that_declares_its_width_gets_nnlibs_input_check():
    layer = MyDense(2, 1, seed=0)
    layer.n_in, layer.n_out = 2, 1
    net = Network([layer], MySquaredError(), MyGradientDescent(0.1))
    with pytest.raises(ValueError, match=r"x must have 2 features per row, got shape \(4, 3\)"):
        net.fit(np.ones((4, 3)), np.ones((4, 1)), epochs=1, batch_size=4, verbose=0)


def test_the_fusion_is_a_visible_flag_that_can_be_turned_off(rng):
    x = rng.standard_normal((6, 3))
    y = one_hot(np.arange(6) % 4, 4)
    calls = []

    class CountingSoftmax(Softmax):
        def backward(self, grad_output):
            calls.append(1)
            return super().backward(grad_output)

    fused = Network([Dense(3, 4, rng=0), Softmax()], CategoricalCrossEntropy())
    apart = Network([Dense(3, 4, rng=0), Softmax()], CategoricalCrossEntropy(), fuse=False)
    counted = Network([Dense(3, 4, rng=0), CountingSoftmax()], CategoricalCrossEntropy())
    assert fused.fuse and not apart.fuse and not counted.fuse
    for net in (fused, apart, counted):
        net.backward(net.forward(x), y)
    assert len(calls) == 1
    np.testing.assert_allclose(apart.layers[0].grads["W"], fused.layers[0].grads["W"], rtol=1e-10)
    np.testing.assert_allclose(counted.layers[0].grads["W"], fused.layers[0].grads["W"], rtol=1e-10)


# -- resuming: a saved network trains on exactly as the unsaved one ----------------------------------------------
@pytest.mark.parametrize("optimizer", [lambda: SGD(0.1, momentum=0.9), lambda: Adam(0.01)],
                         ids=["sgd-momentum", "adam"])
def test_a_loaded_network_resumes_training_exactly(tmp_path, optimizer):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((60, 3))
    y = one_hot((x[:, 0] > 0).astype(int) + 2 * (x[:, 1] > 0), 4)
    net = classifier(np.random.default_rng(4))
    net.optimizer = optimizer()
    net.fit(x, y, epochs=2, batch_size=16, seed=1, verbose=0)
    net.save(tmp_path / "k.npz")
    loaded = Network.load(tmp_path / "k.npz")
    assert loaded.optimizer.t == net.optimizer.t == 8
    slots = 1 if isinstance(net.optimizer, SGD) else 2  # velocity; m and v
    assert {len(s) for s in loaded.optimizer.state.values()} == {slots}
    assert loaded.optimizer.state.keys() == net.optimizer.state.keys() == {
        f"layer{i}.{k}" for i in (0, 2) for k in "Wb"}
    for model in (net, loaded):
        model.fit(x, y, epochs=1, batch_size=16, seed=2, verbose=0)
    for a, b in zip(net.layers, loaded.layers):
        for k in a.params:
            np.testing.assert_array_equal(a.params[k], b.params[k])


def test_a_file_declaring_more_than_it_holds_is_refused_before_allocating(tmp_path):
    path = tmp_path / "huge.npz"
    xor_network().save(path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    arch = json.loads(str(arrays["architecture.json"]))
    arch["layers"] = [{"type": "Dense", "n_in": 200_000, "n_out": 200_000, "dtype": "float64"}]
    small = {"architecture.json": np.array(json.dumps(arch)), "layer0.W": np.ones((2, 4)),
             "layer0.b": np.ones(4)}
    np.savez(path, **small)
    assert path.stat().st_size < 2048
    with pytest.raises(ValueError, match=r"layer0.W has shape \(2, 4\), the description declares \(200000, 200000\)"):
        Network.load(path)


def test_an_array_header_promising_more_bytes_than_stored_is_refused(tmp_path):
    path = tmp_path / "model.npz"
    Network([Dense(40, 40, rng=0)], MSE()).save(path)  # W is larger than a zip read
    data = path.read_bytes()
    header = b"'shape': (40, 40)"
    assert data.count(header) == 1
    path.write_bytes(data.replace(header, b"'shape': (99, 99)"))
    with pytest.raises(ValueError, match=r"entry layer0.W declares shape \(99, 99\) but holds 12928 bytes"):
        Network.load(path)
