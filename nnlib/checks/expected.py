"""The expected values of the exercises whose answer nnlib does not hold.

A checker never holds the code of the answer it grades: a learner can read
the installed package. Where nnlib's own public code computes the answer,
the checker calls it; for the other exercises, the course computed the
expected values from fixed inputs ahead of time, and expected.npz ships them
as plain arrays.
"""

import functools
import os

import numpy as np

PATH = os.path.join(os.path.dirname(__file__), "expected.npz")


@functools.cache
def _arrays():
    with np.load(PATH, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def cases(exercise):
    """The cases of ``exercise`` in the checker's order, each a dict of
    fresh arrays by field (stored as "exercise.case.field")."""
    found = {}
    for key, value in _arrays().items():
        name, case, field = key.split(".")
        if name == exercise:
            found.setdefault(int(case), {})[field] = value.copy()
    if not found:
        raise KeyError(f"{PATH} holds no expected values for {exercise!r}")
    return [found[i] for i in sorted(found)]


def named_cases(exercise, names, case):
    """A verdict's cases: ``(name, case(values))`` for the stored cases of
    ``exercise`` in order, one name for each."""
    return [(name, case(values))
            for name, values in zip(names, cases(exercise), strict=True)]
