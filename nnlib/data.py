"""The chapters' data sets: MNIST through Keras (chapter 6), XOR
(chapter 7) and two moons (chapter 8)."""
import os

import numpy as np

from .validate import positive_float, positive_int


def one_hot(labels, num_classes):
    """Class labels (N,) -> rows (N, num_classes) with a 1 at each label."""
    labels = np.asarray(labels)
    num_classes = positive_int(num_classes, "num_classes")
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError("labels must be a 1-D array of whole numbers, got "
                         f"shape {labels.shape} and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must lie in 0..{num_classes - 1}, got "
                         f"values from {labels.min()} to {labels.max()}")
    out = np.zeros((labels.size, num_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def keras_datasets_folder():
    """Where ``keras.datasets`` keeps its downloads: $KERAS_HOME/datasets,
    else ~/.keras/datasets."""
    default = os.path.join(os.path.expanduser("~"), ".keras")
    home = os.environ.get("KERAS_HOME") or default
    return os.path.join(home, "datasets")


def load_mnist(*, flatten=True, one_hot=True, limit_train=None,
               limit_test=None, dtype=np.float32):
    """MNIST as ``(x_train, y_train), (x_test, y_test)``: 60,000 and 10,000
    handwritten digits.

    Pixels are scaled to [0, 1]; images are (N, 784) rows when ``flatten``,
    else (N, 28, 28); labels are one-hot (N, 10) rows when ``one_hot``, else
    integers. ``limit_train``/``limit_test`` keep the first so many images.
    Keras downloads the file once and keeps it in keras_datasets_folder().
    """
    if limit_train is not None:
        limit_train = positive_int(limit_train, "limit_train")
    if limit_test is not None:
        limit_test = positive_int(limit_test, "limit_test")
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import keras

    try:
        train, test = keras.datasets.mnist.load_data()
    except Exception as e:  # a failed download raises a bare Exception
        folder = keras_datasets_folder()
        raise FileNotFoundError(
            f"MNIST could not be loaded: no valid mnist.npz in {folder} and "
            f"the download failed ({e}). Put Keras' mnist.npz in {folder}, "
            "or set KERAS_HOME to a folder whose datasets/ holds it."
        ) from None
    (x_train, y_train), (x_test, y_test) = train, test
    n, m = limit_train, limit_test
    return (prepare(x_train[:n], y_train[:n], flatten, one_hot, dtype),
            prepare(x_test[:m], y_test[:m], flatten, one_hot, dtype))


def prepare(images, labels, flatten, encode, dtype):
    """Scale uint8 pixels to [0, 1]; flatten to rows and one-hot the labels
    if asked."""
    if flatten:
        images = images.reshape(len(images), -1)
    x = images.astype(dtype) / dtype(255)
    labels = labels.astype(np.int64)
    return x, (one_hot(labels, 10).astype(dtype) if encode else labels)


def xor():
    """The four XOR cases: x (4, 2) and y (4, 1), 1 where exactly one input
    is 1."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return x, y


def moons(n_samples=200, noise=0.2, seed=0):
    """Two interleaving half circles from scikit-learn: x (N, 2) and y (N, 1)
    of 0s and 1s."""
    from sklearn.datasets import make_moons

    n_samples = positive_int(n_samples, "n_samples")
    if noise != 0:
        positive_float(noise, "noise")
    x, y = make_moons(n_samples, noise=noise, random_state=seed)
    return x.astype(np.float64), y.reshape(-1, 1).astype(np.float64)
