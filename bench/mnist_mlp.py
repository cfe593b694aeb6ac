"""nnlib against Keras 3 (jax backend) on MNIST: seconds per epoch and accuracy.

Both libraries train the same multilayer perceptron, 784-128-10 with ReLU and
softmax + categorical cross-entropy, in float32, batch 128, for 10 epochs,
from the same initial weights (nnlib's Dense weights copied into Keras' Dense
kernels, which are (n_in, n_out) in both). The run is repeated with SGD
(learning rate 0.05, momentum 0.9) and with Adam (learning rate 1e-3).

Epochs alternate, one nnlib epoch then one Keras epoch, so that any other
load on the machine falls on both alike. Seconds per epoch are the median of
the steady epochs 2-10; Keras' first epoch, which compiles the training
step, is reported apart.

Then two nnlib-only recipes: an MLP that reaches >= 98 % on all 10,000 test
images in under 20 seconds of training, and chapter 12's best network
(dropout, Adam, cosine decay, shifted images), meant to reach >= 98.5 % in
under 30 seconds.

The last lines are machine-readable:
    RESULT nnlib_epoch_s=... keras_epoch_s=... ratio=... adam_ratio=... nnlib_test_acc=... keras_test_acc=...
    RECIPE test_acc=... train_s=... ...
    RECIPE_BEST test_acc=... val_acc=... train_s=... ...
With ``--choose``, only chapter 12's candidates, one line each:
    VARIANT val_mean=... val_min=... val_max=... train_s=... ...

NumPy's BLAS runs on as many threads as make its matrix products fastest
right now: one and all cores are both timed first, and the faster wins (see
bench/README.md for why a busy machine wants one); ``--blas-threads N`` fixes
the count. Keras keeps its own default thread pool.

Run with ``make bench``. Offline, KERAS_HOME must name a folder whose
``datasets/`` holds Keras' ``mnist.npz``.
"""
import argparse
import functools
import os
import statistics
import sys
import time

os.environ["KERAS_BACKEND"] = "jax"  # Keras 3 needs its backend chosen before the import

import numpy as np

import keras
from threadpoolctl import threadpool_limits

from nnlib import (SGD, Adam, CategoricalCrossEntropy, Dense, Dropout, Network, ReLU, Softmax, cosine_decay,
                   shift_images, train)
from nnlib.data import load_mnist

N_IN, N_HIDDEN, N_OUT = 784, 128, 10
BATCH = 128


def flops_per_epoch(n):
    """Multiply-adds of the three matrix products per dense layer (forward,
    dL/dW and dL/dX), 2 flops each: 2 * N * (784*128 + 128*10) * 3. nnlib
    skips dL/dX of the first layer, so this slightly overcounts its work."""
    return 2 * n * (N_IN * N_HIDDEN + N_HIDDEN * N_OUT) * 3


def matmul_peak(repeats=200, rounds=5):
    """Best float32 GFLOP/s of (128 x 784) @ (784 x 256), repeated."""
    rng = np.random.default_rng(0)
    a = rng.random((128, 784), dtype=np.float32)
    b = rng.random((784, 256), dtype=np.float32)
    out = np.empty((128, 256), dtype=np.float32)
    best = np.inf
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(repeats):
            np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * 128 * 784 * 256 * repeats / best / 1e9


def with_blas_threads(n, fn):
    with threadpool_limits(n, user_api="blas"):
        return fn()


def blas_threads_argument(text):
    """``auto`` (None: decide by timing) or a positive whole number."""
    if text == "auto":
        return None
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected 'auto' or a positive whole number, got {text!r}")


def nnlib_network(optimizer, seed=0, hidden=N_HIDDEN):
    rng = np.random.default_rng(seed)
    layers = [Dense(N_IN, hidden, rng=rng, dtype=np.float32), ReLU(),
              Dense(hidden, N_OUT, rng=rng, dtype=np.float32), Softmax()]
    return Network(layers, CategoricalCrossEntropy(), optimizer)


def keras_twin(net, optimizer):
    """The Keras model with nnlib's architecture and nnlib's current weights."""
    model = keras.Sequential([
        keras.Input(shape=(N_IN,)),
        keras.layers.Dense(N_HIDDEN, activation="relu"),
        keras.layers.Dense(N_OUT, activation="softmax"),
    ])
    dense = [layer for layer in net.layers if isinstance(layer, Dense)]
    for k_layer, n_layer in zip(model.layers, dense):
        # Copies: on the CPU, JAX may keep using a NumPy array's memory, and
        # nnlib updates its weights in place, which would move Keras' too.
        k_layer.set_weights([n_layer.params["W"].copy(),
                             n_layer.params["b"].copy()])
    model.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def test_accuracy_keras(model, x, labels):
    return float(np.mean(np.argmax(model.predict(x, batch_size=1000, verbose=0), axis=1) == labels))


def race(name, nnlib_opt, keras_opt, data, epochs):
    """Alternate one nnlib epoch and one Keras epoch; return their timings and accuracies."""
    (x_train, y_train), (x_test, y_test) = data
    labels = np.argmax(y_test, axis=1)
    net = nnlib_network(nnlib_opt)
    model = keras_twin(net, keras_opt)
    keras.utils.set_random_seed(0)
    t_nnlib, t_keras = [], []
    print(f"\n{name}: epoch   nnlib s   Keras s   (train loss nnlib / Keras)")
    for epoch in range(epochs):
        start = time.perf_counter()
        h = net.fit(x_train, y_train, epochs=1, batch_size=BATCH, seed=epoch, verbose=0)
        t_nnlib.append(time.perf_counter() - start)
        start = time.perf_counter()
        hk = model.fit(x_train, y_train, epochs=1, batch_size=BATCH, shuffle=True, verbose=0)
        t_keras.append(time.perf_counter() - start)
        print(f"{name}: {epoch + 1:5d}   {t_nnlib[-1]:7.3f}   {t_keras[-1]:7.3f}"
              f"   ({h['loss'][0]:.4f} / {hk.history['loss'][0]:.4f})", flush=True)
    steady_nnlib = statistics.median(t_nnlib[1:])
    steady_keras = statistics.median(t_keras[1:])
    acc_nnlib = net.evaluate(x_test, y_test)["accuracy"]
    acc_keras = test_accuracy_keras(model, x_test, labels)
    print(f"{name}: median of epochs 2-{epochs}: nnlib {steady_nnlib:.3f} s, Keras {steady_keras:.3f} s "
          f"(Keras' first epoch, with compilation: {t_keras[0]:.3f} s; nnlib's first: {t_nnlib[0]:.3f} s)")
    print(f"{name}: ratio nnlib / Keras = {steady_nnlib / steady_keras:.3f}")
    print(f"{name}: test accuracy nnlib {acc_nnlib:.4f}, Keras {acc_keras:.4f}")
    flops = flops_per_epoch(len(x_train))
    print(f"{name}: achieved {flops / steady_nnlib / 1e9:.1f} GFLOP/s (nnlib), "
          f"{flops / steady_keras / 1e9:.1f} GFLOP/s (Keras)")
    return steady_nnlib, steady_keras, acc_nnlib, acc_keras


def recipe(data, hidden, epochs, learning_rates, momentum):
    """nnlib alone: a wider hidden layer, SGD with momentum, a stepped learning rate."""
    (x_train, y_train), (x_test, y_test) = data
    net = nnlib_network(SGD(learning_rates[0], momentum), seed=1, hidden=hidden)
    start = time.perf_counter()
    for epoch in range(epochs):
        lr = learning_rates[min(epoch * len(learning_rates) // epochs, len(learning_rates) - 1)]
        net.fit(x_train, y_train, epochs=1, batch_size=BATCH, learning_rate=lr, seed=100 + epoch, verbose=0)
    seconds = time.perf_counter() - start
    acc = net.evaluate(x_test, y_test)["accuracy"]
    return acc, seconds


# The course's best network (chapter 12), chosen on the validation split
# (the last 10,000 training images, which it does not train on) within a
# budget of 30 s of training on two idle cores, in rounds that
# bench/README.md records; VARIANTS is the last round, which
# `python bench/mnist_mlp.py --choose` trains again.
PLAIN = dict(hidden=1024, dropout=0.3, epochs=10, batch=256, learning_rate=3e-3)
SHIFTED = PLAIN | dict(max_shift=1)
BEST = SHIFTED | dict(dropout=0.1)
VARIANTS = [PLAIN, SHIFTED, PLAIN | dict(max_shift=2), SHIFTED | dict(dropout=0.2), BEST,
            SHIFTED | dict(dropout=0.0)]
SEEDS = (0, 1, 2)


def best_recipe(training, hidden, dropout, epochs, batch, learning_rate, max_shift=0, seed=0):
    """Chapter 12's recipe, trained on the first 50,000 of the ``training``
    images: 784-hidden-10, ReLU, dropout after the hidden layer, Adam with
    cosine decay, float32, and before every epoch each image moved by up to
    ``max_shift`` pixels (none for 0). Returns the network and its training
    time, which includes the moving."""
    x_all, y_all = training
    rng = np.random.default_rng(seed)
    layers = [Dense(N_IN, hidden, init="he", rng=rng, dtype=np.float32), ReLU(), Dropout(dropout, seed=seed),
              Dense(hidden, N_OUT, rng=rng, dtype=np.float32), Softmax()]
    net = Network(layers, CategoricalCrossEntropy(), Adam(learning_rate))
    start = time.perf_counter()
    augment = functools.partial(shift_images, max_shift=max_shift) if max_shift else None
    train(net, x_all[:50_000], y_all[:50_000], epochs=epochs, batch_size=batch, seed=seed,
          schedule=cosine_decay(learning_rate, epochs), augment=augment)
    return net, time.perf_counter() - start


def validation_accuracy(net, training):
    x_all, y_all = training
    return net.evaluate(x_all[50_000:], y_all[50_000:])["accuracy"]


def choose(training):
    """Every variant on every seed, scored on the validation split: given
    the training images alone, it cannot score the test set."""
    for variant in VARIANTS:
        runs = [best_recipe(training, **variant, seed=seed) for seed in SEEDS]
        accs = [validation_accuracy(net, training) for net, _ in runs]
        print(f"VARIANT val_mean={statistics.mean(accs):.4f} val_min={min(accs):.4f} val_max={max(accs):.4f} "
              f"train_s={statistics.median(s for _, s in runs):.1f} "
              + " ".join(f"{k}={v}" for k, v in variant.items()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs per race (default 10)")
    parser.add_argument("--skip-recipe", action="store_true", help="leave out the nnlib-only recipe")
    parser.add_argument("--choose", action="store_true",
                        help="only train chapter 12's candidate recipes, on several seeds, and print their "
                             "validation accuracy (VARIANT lines); the test set is not read")
    parser.add_argument("--blas-threads", type=blas_threads_argument, default="auto",
                        help="threads for NumPy's BLAS, hence nnlib: a number, or 'auto' (default) for "
                             "whichever of one thread and all cores multiplies faster right now. "
                             "Keras/XLA keeps its own thread pool either way.")
    args = parser.parse_args()

    data = load_mnist()
    (x_train, _), _ = data
    print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}, Keras {keras.__version__} "
          f"(backend {keras.backend.backend()}), {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"MNIST: {len(x_train)} training images, float32; MLP {N_IN}-{N_HIDDEN}-{N_OUT}, batch {BATCH}")
    print(f"work per epoch: 2*N*(784*128 + 128*10)*3 = {flops_per_epoch(len(x_train)) / 1e9:.1f} GFLOP")
    # OpenBLAS splits each small product across threads that must all run at
    # once: on an idle machine two cores nearly halve an epoch, on a busy one
    # the threads wait for each other's time slices and a product can take ten
    # times longer. So "auto" times one thread and all cores, and takes the faster.
    requested = args.blas_threads
    peaks = {n: with_blas_threads(n, matmul_peak) for n in sorted({1, os.cpu_count() or 1, requested or 1})}
    for n, gflops in peaks.items():
        print(f"float32 matmul peak on {n} BLAS thread(s), (128x784)@(784x256) repeated: {gflops:.1f} GFLOP/s")
    threads = requested or max(peaks, key=peaks.get)
    threadpool_limits(threads, user_api="blas")
    peak = peaks[threads]
    print(f"nnlib runs on {threads} BLAS thread(s)")
    if args.choose:
        choose(data[0])
        return

    sgd = race("SGD", SGD(0.05, momentum=0.9), keras.optimizers.SGD(0.05, momentum=0.9), data, args.epochs)
    adam = race("Adam", Adam(1e-3), keras.optimizers.Adam(1e-3), data, args.epochs)
    print(f"\nachieved / peak (SGD): nnlib {flops_per_epoch(len(x_train)) / sgd[0] / 1e9 / peak:.0%}, "
          f"Keras {flops_per_epoch(len(x_train)) / sgd[1] / 1e9 / peak:.0%}")

    if not args.skip_recipe:
        hidden, epochs, rates, momentum = 256, 8, (0.1, 0.1, 0.02), 0.9
        acc, seconds = recipe(data, hidden, epochs, rates, momentum)
        print(f"\nrecipe: 784-{hidden}-10, SGD momentum {momentum}, learning rate {rates} over {epochs} epochs, "
              f"batch {BATCH}: {acc:.2%} test accuracy after {seconds:.1f} s of training")
        print(f"RECIPE test_acc={acc:.4f} train_s={seconds:.2f} hidden={hidden} epochs={epochs} "
              f"batch={BATCH} momentum={momentum} lr={'/'.join(str(r) for r in rates)}")
        net, seconds = best_recipe(data[0], **BEST)
        val_acc = validation_accuracy(net, data[0])
        test_acc = net.evaluate(*data[1])["accuracy"]
        print(f"\nbest recipe (chapter 12): 784-{BEST['hidden']}-10, dropout {BEST['dropout']}, "
              f"Adam {BEST['learning_rate']} with cosine decay, {BEST['epochs']} epochs on 50,000 images "
              f"moved by up to {BEST['max_shift']} px: "
              f"validation {val_acc:.2%}, test {test_acc:.2%} after {seconds:.1f} s of training")
        print(f"RECIPE_BEST test_acc={test_acc:.4f} val_acc={val_acc:.4f} train_s={seconds:.2f} "
              + " ".join(f"{k}={v}" for k, v in BEST.items()))

    print(f"RESULT nnlib_epoch_s={sgd[0]:.4f} keras_epoch_s={sgd[1]:.4f} ratio={sgd[0] / sgd[1]:.4f} "
          f"adam_ratio={adam[0] / adam[1]:.4f} nnlib_test_acc={sgd[2]:.4f} keras_test_acc={sgd[3]:.4f}")


if __name__ == "__main__":
    main()
