"""Saving and loading a network: arrays in an ``.npz`` file and a JSON
description, never pickle (chapter 9, the network class).

A file holds the weights (``layer0.W``, ...), the optimizer's state
(``optimizer.layer0.W.0``, ...: momentum, Adam's moments) and a JSON entry
naming the layers, the loss, the optimizer and its step count, so that a
loaded network resumes training exactly where the saved one stopped.
"""
import json
import math
import os
import tempfile
import zipfile

import numpy as np

from .activations import ReLU, Sigmoid, Softmax, Tanh
from .dense import Dense
from .dropout import Dropout
from .losses import MSE, BinaryCrossEntropy, CategoricalCrossEntropy
from .optimizers import SGD, SGDW, Adam, AdamW

LAYER_TYPES = {c.__name__: c for c in (Dense, Tanh, Sigmoid, ReLU, Softmax,
                                       Dropout)}
LOSS_TYPES = {c.__name__: c for c in (MSE, BinaryCrossEntropy,
                                      CategoricalCrossEntropy)}
OPTIMIZER_TYPES = {c.__name__: c for c in (SGD, Adam, SGDW, AdamW)}
FILE_FORMAT = "nnlib-network"
FILE_VERSION = 2
ARCHITECTURE_KEY = "architecture.json"
STATE_PREFIX = "optimizer."


def named_params(layers):
    """Every parameter array by the name it has in a saved file, e.g.
    ``layer0.W`` for the weights of the first layer."""
    return {f"layer{i}.{k}": p for i, layer in enumerate(layers)
            for k, p in layer.params.items()}


def save(network, path):
    """Write ``network`` to one ``.npz`` file.

    The file is written next to its destination and renamed into place,
    so an interrupted save never leaves a half-written model behind.
    """
    layers = [{"type": type(layer).__name__, **layer.config()}
              for layer in network.layers]
    optimizer = network.optimizer
    kinds = [(spec["type"], LAYER_TYPES) for spec in layers]
    kinds += [(type(network.loss).__name__, LOSS_TYPES),
              (type(optimizer).__name__, OPTIMIZER_TYPES)]
    for kind, known in kinds:
        if kind not in known:
            raise TypeError(f"cannot save a {kind}: nnlib saves only "
                            f"{sorted(known)}")
    architecture = {
        "format": FILE_FORMAT, "version": FILE_VERSION, "layers": layers,
        "loss": type(network.loss).__name__, "fuse": network.fuse,
        "optimizer": {"type": type(optimizer).__name__,
                      **optimizer.config(), "steps": optimizer.t}}
    arrays = named_params(network.layers)
    for key, slots in optimizer.state.items():
        for i, array in enumerate(slots):
            arrays[f"{STATE_PREFIX}{key}.{i}"] = array
    arrays[ARCHITECTURE_KEY] = np.array(json.dumps(architecture))
    write_atomically(os.fspath(path), arrays)


def write_atomically(path, arrays):
    """Write ``arrays`` to the ``.npz`` file ``path``, atomically."""
    replace_atomically(path, lambda f: np.savez(f, **arrays))


def replace_atomically(path, write):
    """Call ``write(f)`` on a new binary file next to ``path``, then rename
    it into place: an interrupted write never leaves half a file behind."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def load(path, network_class):
    """Rebuild a network saved by :func:`save` (``Network.load`` calls this
    with ``Network``).

    Arrays only (``allow_pickle=False``): loading a file cannot run code.
    Every size the JSON declares is checked against the arrays the file
    holds, from their headers, before anything is allocated.
    """
    path = os.fspath(path)
    try:
        stored = stored_shapes(path)
        if ARCHITECTURE_KEY not in stored:
            raise ValueError(f"it has no {ARCHITECTURE_KEY} entry")
        with np.load(path, allow_pickle=False) as data:
            arch = json.loads(str(data[ARCHITECTURE_KEY]))
            check_sizes(declared_shapes(arch), stored)
            arrays = {k: data[k] for k in stored}
        return build(arch, arrays, network_class)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile,
            EOFError, json.JSONDecodeError) as e:
        raise ValueError(f"{path!r} is not a readable nnlib model file: "
                         f"{e}") from None


def build(arch, arrays, network_class):
    """The network that a checked description and its arrays describe."""
    layers = [LAYER_TYPES[spec.pop("type")](**spec)
              for spec in map(dict, arch["layers"])]
    for key, param in named_params(layers).items():
        if arrays[key].dtype != param.dtype:
            raise ValueError(f"array {key} has dtype {arrays[key].dtype}, "
                             f"the description declares {param.dtype}")
        param[...] = arrays[key]
    options = dict(arch["optimizer"])
    steps = options.pop("steps")
    optimizer = OPTIMIZER_TYPES[options.pop("type")](**options)
    optimizer.t = steps
    for key in sorted(k for k in arrays if k.startswith(STATE_PREFIX)):
        name = key[len(STATE_PREFIX):].rsplit(".", 1)[0]
        optimizer.state.setdefault(name, []).append(arrays[key])
    return network_class(layers, LOSS_TYPES[arch["loss"]](), optimizer,
                         fuse=arch["fuse"])


def stored_shapes(path):
    """Name → shape of every array in an ``.npz``, read from the array
    headers alone; an entry must hold the bytes its header promises."""
    headers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    shapes, size = {}, os.path.getsize(path)
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename.removesuffix(".npy")
            if info.compress_type != zipfile.ZIP_STORED:
                raise ValueError(f"entry {name} is compressed; nnlib "
                                 "writes plain .npz files")
            if info.file_size > size:
                raise ValueError(f"entry {name} claims {info.file_size} "
                                 f"bytes, the file has {size}")
            with archive.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version not in headers:
                    raise ValueError(f"entry {name} has .npy format "
                                     f"version {version}")
                shape, _, dtype = headers[version](f)
            if dtype.hasobject:
                raise ValueError(f"entry {name} holds Python objects")
            if math.prod(shape) * dtype.itemsize > info.file_size:
                raise ValueError(f"entry {name} declares shape {shape} "
                                 f"but holds {info.file_size} bytes")
            shapes[name] = shape
    return shapes


def declared_shapes(arch):
    """Name → shape of every array the JSON description promises."""
    form, version = arch.get("format"), arch.get("version")
    if (form, version) != (FILE_FORMAT, FILE_VERSION):
        raise ValueError(f"format {form!r} version {version!r}, expected "
                         f"{FILE_FORMAT!r} version {FILE_VERSION}")
    shapes = {ARCHITECTURE_KEY: ()}
    for i, spec in enumerate(arch["layers"]):
        spec = dict(spec)
        kind = spec.pop("type")
        if kind not in LAYER_TYPES:
            raise ValueError(f"unknown layer type {kind!r}")
        for k, shape in LAYER_TYPES[kind].param_shapes(**spec).items():
            shapes[f"layer{i}.{k}"] = shape
    for kind, known in [(arch["loss"], LOSS_TYPES),
                        (arch["optimizer"]["type"], OPTIMIZER_TYPES)]:
        if kind not in known:
            raise ValueError(f"unknown type {kind!r}")
    return shapes


def check_sizes(declared, stored):
    """The file must hold the arrays its description declares, in their
    shapes, and optimizer state shaped like the parameters, nothing else."""
    for name, shape in stored.items():
        param = name
        if name.startswith(STATE_PREFIX):
            param = name[len(STATE_PREFIX):].rsplit(".", 1)[0]
        if param not in declared:
            raise ValueError(f"it holds an array {name} that its "
                             "description does not declare")
        if shape != declared[param]:
            raise ValueError(f"array {name} has shape {shape}, the "
                             f"description declares {declared[param]}")
    missing = sorted(set(declared) - set(stored))
    if missing:
        raise ValueError(f"the arrays {missing} are missing")
