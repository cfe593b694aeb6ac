import os
import pathlib

import numpy as np
import pytest

# Every test gets one marker from where it lives, so `pytest -m unit` runs
# nnlib's and the checkers' tests alone, in seconds.
MARKERS_BY_FILE = {
    "test_book.py": ["book"],
    "test_figures.py": ["book"],
    "test_student.py": ["book"],
    "test_quoted_numbers.py": ["book"],
    "test_rubric.py": ["book"],
    "test_website.py": ["browser"],
    "test_lab.py": ["browser", "slow"],
    "test_wheel.py": ["slow"],
    "test_nbgrader.py": ["slow"],
}


# `make test` hands whole files to its workers in collection order
# (--no-loadscope-reorder), two to each worker to start with. The longest go
# first, so that no long file starts last while the other worker waits
# (longest-first scheduling), the two longest on different workers; the rest
# keep their order.
LONGEST_FIRST = [
    "test_website.py", "test_nbgrader.py", "test_lab.py", "08_moons.ipynb",
    "12_regularisation.ipynb", "test_wheel.py", "07_xor.ipynb",
    "06_mnist.ipynb", "test_student.py",
]


def run_order(item):
    name = pathlib.Path(str(item.fspath)).name
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def pytest_collection_modifyitems(items):
    items.sort(key=run_order)  # stable: a file's tests keep their order
    for item in items:
        path = pathlib.Path(str(item.fspath))
        names = ["book"] if path.suffix == ".ipynb" else MARKERS_BY_FILE.get(path.name, ["unit"])
        for name in names:
            item.add_marker(name)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


# Keras and scikit-learn are optional (nnlib[data]): tests that need them
# ask for one of these fixtures and are skipped, saying why, without it.
@pytest.fixture
def keras():
    os.environ.setdefault("KERAS_BACKEND", "jax")
    return pytest.importorskip("keras", reason="needs Keras: pip install 'nnlib[data]'")


@pytest.fixture
def sklearn():
    return pytest.importorskip("sklearn", reason="needs scikit-learn: pip install 'nnlib[data]'")
