"""Training for a number of epochs with a learning-rate schedule, early
stopping that keeps the best weights, and new training images every epoch
(chapter 12, regularisation and diagnosis).

``train`` is an epoch loop around ``Network.fit``: fit runs one epoch at a
time, and between epochs the loop sets the next learning rate, makes the
epoch's images (``augment``) and asks an ``EarlyStopping`` whether to go
on. Passing one generator as fit's seed makes the batches those of a
single ``fit(epochs=...)`` call.
"""
import math
import os

import numpy as np

from .saving import named_params
from .validate import positive_float, positive_int, same_shape


class EarlyStopping:
    """Stop when the validation loss (``monitor``) has not improved for
    ``patience`` epochs, and go back to the weights of its best epoch
    (Prechelt, 1998).

    The best weights are kept as copies of the arrays a saved file holds
    (``layer0.W``, ...); with ``path`` the whole network of the best epoch
    is also written there with ``network.save``, so it outlives the session
    (``Network.load(path)``). A metric named ``...accuracy`` improves
    upwards, any other (a loss) downwards.
    """

    def __init__(self, patience=3, monitor="val_loss", path=None):
        self.patience = positive_int(patience, "patience")
        if not isinstance(monitor, str):
            raise TypeError("monitor must be the name of a history entry "
                            f"such as 'val_loss', got {monitor!r}")
        self.monitor = monitor
        self.path = None if path is None else os.fspath(path)
        self.sign = -1.0 if monitor.endswith("accuracy") else 1.0
        self.reset()

    def reset(self):
        """Forget the best so far (``train`` calls it before epoch 1)."""
        self.best = math.inf
        self.best_epoch = 0
        self.best_weights = None
        self.waited = 0

    def update(self, network, history):
        """Look at the latest epoch of ``history``: keep the weights if it
        is the best so far; return True when it is time to stop."""
        if self.monitor not in history:
            raise ValueError(
                f"EarlyStopping watches {self.monitor!r}, which the history "
                f"does not hold (it has {sorted(history)}): pass "
                "validation_data to record val_loss and val_accuracy")
        value = self.sign * history[self.monitor][-1]
        if value < self.best:
            self.best, self.waited = value, 0
            self.best_epoch = len(history[self.monitor])
            self.best_weights = {name: p.copy() for name, p in
                                 named_params(network.layers).items()}
            if self.path is not None:
                network.save(self.path)
            return False
        self.waited += 1
        return self.waited >= self.patience

    def restore(self, network):
        """Put the best epoch's weights back into ``network``, in place."""
        if self.best_weights is None:
            raise RuntimeError("EarlyStopping has seen no epoch yet")
        for name, p in named_params(network.layers).items():
            p[...] = self.best_weights[name]


def step_decay(learning_rate, factor, every):
    """The schedule η_e = η · factor^⌊(e − 1)/every⌋ for epochs e = 1, 2,
    ...: the rate drops by ``factor`` every ``every`` epochs."""
    learning_rate = positive_float(learning_rate, "learning_rate")
    factor = positive_float(factor, "factor")
    every = positive_int(every, "every")
    return lambda epoch: learning_rate * factor ** ((epoch - 1) // every)


def cosine_decay(learning_rate, epochs, final=0.0):
    """The schedule that glides from ``learning_rate`` in epoch 1 down to
    ``final`` after the last epoch along half a cosine (Loshchilov &
    Hutter, 2017): η_e = final + (η − final)(1 + cos(π(e − 1)/epochs))/2."""
    learning_rate = positive_float(learning_rate, "learning_rate")
    epochs = positive_int(epochs, "epochs")
    final = 0.0 if final == 0 else positive_float(final, "final")

    def schedule(epoch):
        progress = (epoch - 1) / epochs
        return final + (learning_rate - final) * (
            1 + math.cos(math.pi * progress)) / 2
    return schedule


def train(network, x, y, *, epochs, batch_size, seed=None,
          validation_data=None, schedule=None, early_stopping=None,
          augment=None):
    """Up to ``epochs`` epochs of ``network.fit``, one at a time. Before
    epoch e the learning rate becomes ``schedule(e)``, and the epoch trains
    on ``augment(x, rng)`` instead of x when ``augment`` is given (such as
    ``shift_images``; rng is a generator spawned from ``seed``'s for it
    alone); after it, ``early_stopping`` may stop training, and at the end
    its best weights are put back. Returns fit's history, with a
    ``learning_rate`` entry."""
    epochs = positive_int(epochs, "epochs")
    if augment is not None and not callable(augment):
        raise TypeError("augment must be a function f(x, rng) returning new "
                        f"images shaped like x, got {augment!r}")
    if early_stopping is not None:
        if validation_data is None and early_stopping.monitor[:4] == "val_":
            raise ValueError("early stopping needs validation_data")
        early_stopping.reset()
    rng = np.random.default_rng(seed)  # one stream of batches for all
    # Augmentation draws from a generator of its own, so that the batches
    # are the same with and without it (spawning draws nothing from rng).
    augment_rng = None if augment is None else rng.spawn(1)[0]
    history = {}
    for epoch in range(1, epochs + 1):
        if schedule is not None:
            network.optimizer.learning_rate = schedule(epoch)
        # The epoch's images live only during the call, so the last
        # epoch's are freed before these are made: on MNIST, shifting then
        # takes 0.1 s an epoch, against 0.5 s while both copies lived.
        scores = network.fit(
            x if augment is None else augmented(augment, x, augment_rng),
            y, epochs=1, batch_size=batch_size, seed=rng,
            validation_data=validation_data, verbose=0)
        scores["learning_rate"] = [network.optimizer.learning_rate]
        for key, values in scores.items():
            history.setdefault(key, []).extend(values)
        if early_stopping is not None and early_stopping.update(
                network, history):
            break
    if early_stopping is not None:
        early_stopping.restore(network)
    return history


def augmented(augment, x, rng):
    """``augment(x, rng)``, which must keep x's shape."""
    inputs = augment(x, rng)
    same_shape(inputs, x, "augment(x, rng)", "x")
    return inputs
