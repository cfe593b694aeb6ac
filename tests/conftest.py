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


def pytest_collection_modifyitems(items):
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
