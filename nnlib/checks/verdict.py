"""The machinery behind every exercise checker (chapters 1 to 12).

A checker runs the learner's code on a list of cases and prints one short
verdict naming the first case that fails: the input, what was expected and
what arrived. It returns True or False, and it never shows the reference
code.

The cases after the first failure still run, without a word, so that
``last_score()`` can tell how many of them pass: the nbgrader course
(classroom/nbgrader_course.py) gives points in proportion. Code left
unwritten (a stub that raises NotImplementedError) scores the exercise 0.
"""

import contextlib
import io
import sys
import warnings
from typing import NamedTuple

import numpy as np

from ..gradcheck import check_gradients
from ..layer import Layer

PASS, FAIL = "✓", "✗"


class CaseFailed(Exception):
    """One case went wrong; the message says how."""


class NotWritten(Exception):
    """The learner's stub still raises NotImplementedError."""


def describe(value, limit=6):
    """A short, readable form of a value for a verdict: shape and a few
    numbers."""
    if isinstance(value, np.ndarray):
        flat = value.ravel()
        numbers = np.array2string(
            flat[:limit], precision=4, separator=", ", suppress_small=True
        )
        more = ", ..." if flat.size > limit else ""
        return f"array of shape {value.shape} {numbers[:-1]}{more}]"
    return repr(value)


def call(fn, *args, what, own=()):
    """Call learner code; its exceptions and NumPy warnings become a failed
    case.

    ``own`` lists nnlib's functions that the exercise asks the learner to
    write: a call to one of them, however imported or inherited, fails the
    case, so wrapping the library's answer does not pass.
    """
    watched = {f.__code__: f.__qualname__ for f in own}
    borrowed = set()

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in watched:
            borrowed.add(watched[frame.f_code])

    previous = sys.getprofile()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            if watched:
                sys.setprofile(watch)
            result = fn(*args)
        except NotImplementedError as e:
            raise NotWritten(
                str(e) or f"{what} is not written yet"
            ) from None
        except RuntimeWarning as w:
            raise CaseFailed(
                f"{what} produced a NumPy warning ({w}): is it numerically "
                "stable?"
            ) from None
        except Exception as e:
            raise CaseFailed(
                f"{what} raised {type(e).__name__}: {e}"
            ) from None
        finally:
            if watched:
                sys.setprofile(previous)
    if borrowed:
        raise CaseFailed(
            f"{what} calls nnlib's own {', '.join(sorted(borrowed))}: the "
            "exercise asks you to write it yourself"
        )
    return result


def expect_array(got, expected, what, *, given=None, rtol=1e-5, atol=1e-8):
    """Insist that ``got`` is an array of ``expected``'s shape and values."""
    context = f" for input {describe(given)}" if given is not None else ""
    if not isinstance(got, (np.ndarray, np.generic, float, int)):
        raise CaseFailed(
            f"{what} should return a NumPy array{context}, got "
            f"{type(got).__name__}"
        )
    got = np.asarray(got)
    if got.shape != np.shape(expected):
        raise CaseFailed(
            f"{what}{context} should have shape {np.shape(expected)}, got "
            f"shape {got.shape}"
        )
    if not np.isfinite(got).all():
        raise CaseFailed(
            f"{what}{context} should be finite, got {describe(got)}"
        )
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        raise CaseFailed(
            f"{what}{context}: expected {describe(np.asarray(expected))}, "
            f"got {describe(got)}"
        )


def expect_gradients(layer, x, what, *, tolerance=1e-6):
    """Insist that a layer's backward agrees with finite differences on
    ``x``."""
    try:
        error = check_gradients(layer, x)
    except NotImplementedError as e:
        raise NotWritten(str(e)) from None
    except Exception as e:
        raise CaseFailed(
            f"{what}: the gradient check could not run ({type(e).__name__}: "
            f"{e})"
        ) from None
    if not error < tolerance:
        raise CaseFailed(
            f"{what}: backward disagrees with finite differences on input "
            f"{describe(np.asarray(x))} "
            f"(relative error {error:.2g}, should be below {tolerance:g})"
        )


def make_layer(cls, *args, own=(), **kwargs):
    """An instance of the learner's layer class, which must be an nnlib
    Layer.

    Returns the layer and how it was made (``Scale(2.0)``) for the verdict.
    """
    name = getattr(cls, "__name__", repr(cls))
    given = [repr(a) for a in args] + [
        f"{k}={v!r}" for k, v in kwargs.items()
    ]
    what = f"{name}({', '.join(given)})"
    if not isinstance(cls, type):
        raise CaseFailed(
            f"pass the class itself (e.g. {name}), not an instance or a "
            "function"
        )
    layer = call(lambda: cls(*args, **kwargs), what=what, own=own)
    if not isinstance(layer, Layer):
        raise CaseFailed(
            f"{what} should inherit from nnlib.Layer (class {name}(Layer): "
            "...)"
        )
    if not isinstance(
        getattr(layer, "params", None), dict
    ) or not isinstance(getattr(layer, "grads", None), dict):
        raise CaseFailed(
            f"{what} has no params/grads dicts: did its __init__ call "
            "super().__init__()?"
        )
    return layer, what


class Score(NamedTuple):
    """What a verdict found: the names of its cases and how many passed.

    ``passed`` is 0 when a case met code that is not written yet: a stub
    earns nothing, even for the cases it happens to pass; and 0 unless all
    pass when the verdict was not ``partial``.
    """

    title: str
    cases: tuple
    passed: int
    partial: bool = True

    @property
    def fraction(self):
        return self.passed / len(self.cases)


_last = None


def last_score():
    """The Score of the last verdict printed."""
    if _last is None:
        raise RuntimeError("no checker has given a verdict yet")
    return _last


def passing(cases):
    """How many of ``cases`` pass, run silently; None if one finds code
    not written yet.

    Any exception fails a case: a case may rely on an earlier one that
    failed.
    """
    count = 0
    with contextlib.ExitStack() as quiet:
        quiet.enter_context(contextlib.redirect_stdout(io.StringIO()))
        quiet.enter_context(contextlib.redirect_stderr(io.StringIO()))
        quiet.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        for _, case in cases:
            try:
                case()
            except NotWritten:
                return None
            except Exception:
                continue
            count += 1
    return count


def verdict(title, cases, *, partial=True):
    """Run ``cases``, a list of (name, function) pairs, and print one
    verdict.

    Returns True when every case passes, else False after the first failure
    (the cases after it run silently, for ``last_score``). With
    ``partial=False`` the score is all or nothing: for an exercise whose
    early cases only check that its one result, a model reaching a target
    accuracy, can be measured, which an untrained model passes.
    """
    global _last
    names = tuple(name for name, _ in cases)
    for number, (name, case) in enumerate(cases):
        try:
            case()
        except NotWritten as e:
            print(f"{FAIL} {title}: not written yet ({e}).")
            _last = Score(title, names, 0, partial)
            return False
        except CaseFailed as e:
            print(f"{FAIL} {title}: failed on {name}. {e}")
            later = passing(cases[number + 1:]) if partial else None
            earned = 0 if later is None else number + later
            _last = Score(title, names, earned, partial)
            return False
    passed = "its one case" if len(cases) == 1 else f"all {len(cases)} cases"
    print(f"{PASS} {title}: {passed} passed.")
    _last = Score(title, names, len(cases), partial)
    return True
