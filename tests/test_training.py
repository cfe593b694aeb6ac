"""Weight decay (SGDW, AdamW), learning-rate schedules, early stopping and
the epoch loop ``train``."""
import math

import numpy as np
import pytest

from nnlib import (SGD, SGDW, Adam, AdamW, CategoricalCrossEntropy, Dense,
                   EarlyStopping, Network, ReLU, Softmax, cosine_decay,
                   step_decay, train)
from nnlib.data import one_hot


def layer_with(w, b, gw, gb):
    layer = Dense(2, 2)
    layer.params["W"][...] = w
    layer.params["b"][...] = b
    layer.grads["W"][...] = gw
    layer.grads["b"][...] = gb
    return layer


def test_sgdw_without_momentum_is_gradient_descent_on_the_l2_penalty(rng):
    w, b = rng.standard_normal((2, 2)), rng.standard_normal(2)
    gw, gb = rng.standard_normal((2, 2)), rng.standard_normal(2)
    lr, lam = 0.1, 0.01
    layer = layer_with(w, b, gw, gb)
    SGDW(lr, weight_decay=lam).step([layer])
    np.testing.assert_allclose(layer.params["W"], w - lr * (gw + lam * w))
    np.testing.assert_allclose(layer.params["b"], b - lr * gb)  # no decay


def test_adamw_decays_then_takes_adams_step(rng):
    w, b = rng.standard_normal((2, 2)), rng.standard_normal(2)
    gw, gb = rng.standard_normal((2, 2)), rng.standard_normal(2)
    decayed, plain = layer_with(w, b, gw, gb), layer_with(w, b, gw, gb)
    AdamW(0.01, weight_decay=0.5).step([decayed])
    Adam(0.01).step([plain])
    expected = (plain.params["W"] - w) + w * (1 - 0.01 * 0.5)
    np.testing.assert_allclose(decayed.params["W"], expected)
    np.testing.assert_allclose(decayed.params["b"], plain.params["b"])


def test_weight_decay_zero_changes_nothing_and_float32_stays(rng):
    w = rng.standard_normal((2, 2)).astype(np.float32)
    a, b = Dense(2, 2, dtype=np.float32), Dense(2, 2, dtype=np.float32)
    for layer in (a, b):
        layer.params["W"][...] = w
        layer.grads["W"][...] = 1.0
    SGDW(0.1, momentum=0.9, weight_decay=0.0).step([a])
    SGD(0.1, momentum=0.9).step([b])
    np.testing.assert_array_equal(a.params["W"], b.params["W"])
    SGDW(0.1, weight_decay=0.1).step([a])
    assert a.params["W"].dtype == np.float32


@pytest.mark.parametrize("make, error, message", [
    (lambda: SGDW(0.1, weight_decay=-1), ValueError, "weight_decay"),
    (lambda: AdamW(weight_decay="big"), TypeError, "weight_decay"),
    (lambda: AdamW(weight_decay=float("inf")), ValueError, "weight_decay"),
])
def test_bad_weight_decay_is_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def small_problem(rng, n=80):
    x = rng.standard_normal((n, 4))
    y = one_hot((x[:, 0] > 0).astype(int) + (x[:, 1] > 0), 3)
    return x, y


def small_network(optimizer, seed=0):
    rng = np.random.default_rng(seed)
    return Network([Dense(4, 8, rng=rng), ReLU(), Dense(8, 3, rng=rng),
                    Softmax()], CategoricalCrossEntropy(), optimizer)


@pytest.mark.parametrize("optimizer", [
    lambda: SGDW(0.1, momentum=0.9, weight_decay=1e-3),
    lambda: AdamW(0.01, weight_decay=0.1)])
def test_decaying_optimizers_are_saved_and_resume_exactly(tmp_path, rng,
                                                          optimizer):
    x, y = small_problem(rng)
    net = small_network(optimizer())
    net.fit(x, y, epochs=2, batch_size=16, seed=0, verbose=0)
    net.save(tmp_path / "net.npz")
    loaded = Network.load(tmp_path / "net.npz")
    assert loaded.optimizer.config() == net.optimizer.config()
    for model in (net, loaded):
        model.fit(x, y, epochs=1, batch_size=16, seed=1, verbose=0)
    np.testing.assert_array_equal(loaded.predict(x), net.predict(x))


def test_step_decay_and_cosine_decay():
    step = step_decay(0.1, 0.5, every=2)
    assert [step(e) for e in range(1, 6)] == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025])
    cos = cosine_decay(0.1, epochs=4, final=0.01)
    assert cos(1) == pytest.approx(0.1)
    assert cos(3) == pytest.approx(0.055)  # half way: the mean
    assert cos(5) == pytest.approx(0.01)   # after the last epoch
    rates = [cos(e) for e in range(1, 5)]
    assert all(a > b for a, b in zip(rates, rates[1:]))
    with pytest.raises(ValueError, match="epochs"):
        cosine_decay(0.1, epochs=0)


def test_train_is_fit_one_epoch_at_a_time(rng):
    """Without a schedule or early stopping, train gives fit's batches,
    weights and history."""
    x, y = small_problem(rng)
    a, b = small_network(SGD(0.1)), small_network(SGD(0.1))
    h_fit = a.fit(x, y, epochs=3, batch_size=16, seed=7, verbose=0,
                  validation_data=(x[:20], y[:20]))
    h_train = train(b, x, y, epochs=3, batch_size=16, seed=7,
                    validation_data=(x[:20], y[:20]))
    assert h_train.pop("learning_rate") == [0.1] * 3
    assert h_train == h_fit
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


def test_train_follows_the_schedule(rng):
    x, y = small_problem(rng)
    net = small_network(SGD(1.0))
    history = train(net, x, y, epochs=4, batch_size=16, seed=0,
                    schedule=step_decay(0.2, 0.1, every=2))
    assert history["learning_rate"] == pytest.approx([0.2, 0.2, 0.02, 0.02])
    assert net.optimizer.learning_rate == pytest.approx(0.02)


def test_early_stopping_stops_and_keeps_the_best_weights(tmp_path, rng):
    # Training on random labels: the validation loss soon rises.
    x = rng.standard_normal((60, 4))
    y = one_hot(rng.integers(0, 3, 60), 3)
    xv, yv = small_problem(rng, 60)
    net = small_network(Adam(0.05))
    stop = EarlyStopping(patience=2, path=tmp_path / "best.npz")
    history = train(net, x, y, epochs=50, batch_size=20, seed=0,
                    validation_data=(xv, yv), early_stopping=stop)
    losses = history["val_loss"]
    assert len(losses) < 50
    best = int(np.argmin(losses))
    assert stop.best_epoch == best + 1
    assert len(losses) == best + 1 + 2  # two epochs without improvement
    assert net.evaluate(xv, yv)["loss"] == pytest.approx(losses[best])
    saved = Network.load(tmp_path / "best.npz")
    np.testing.assert_array_equal(saved.predict(xv), net.predict(xv))


def test_early_stopping_on_accuracy_looks_for_a_maximum(rng):
    stop = EarlyStopping(patience=1, monitor="val_accuracy")
    net = small_network(SGD(0.1))
    assert not stop.update(net, {"val_accuracy": [0.5]})
    assert not stop.update(net, {"val_accuracy": [0.5, 0.7]})
    assert stop.update(net, {"val_accuracy": [0.5, 0.7, 0.6]})
    assert stop.best_epoch == 2 and stop.best == pytest.approx(-0.7)


def test_early_stopping_says_what_it_misses(rng):
    x, y = small_problem(rng)
    with pytest.raises(ValueError, match="validation_data"):
        train(small_network(SGD(0.1)), x, y, epochs=2, batch_size=16,
              early_stopping=EarlyStopping())
    with pytest.raises(ValueError, match="does not hold"):
        EarlyStopping(monitor="val_los").update(small_network(SGD(0.1)),
                                                {"val_loss": [1.0]})
    with pytest.raises(TypeError, match="monitor"):
        EarlyStopping(monitor=3)
    assert math.isinf(EarlyStopping().best)
