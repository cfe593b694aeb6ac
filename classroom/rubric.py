"""Write the teachers' grading rubric, classroom/rubric.md:
`python classroom/rubric.py`.

For every exercise of the map in teachers.md: its points; the cases its
checker runs, each worth an equal share of the checker's points, as in the
nbgrader course's partial credit; and, for a written answer, the model
answer from the chapter's solution and what earns its point. The cases are
read from the checkers themselves, by handing each an unwritten stub, so
that the rubric names what the autograder counts. The website does not
publish it: `classroom/` is outside the book.
"""
import argparse
import contextlib
import inspect
import io
import pathlib
import sys

import nbformat
import numpy as np

import nnlib.checks
from nbgrader_course import EXERCISE, ROOT, AnswerCells, exercise_map, points_by_exercise
from nnlib.checks.verdict import last_score
from nnlib.saving import replace_atomically


# What earns the point of each written answer; the model answers are in the
# chapters' solutions. A teacher may give half of it where a sentence says so.
WRITTEN = {
    "ex-xavier-uniform": (
        "The variance of the uniform distribution on [−ℓ, ℓ], ℓ²/3 (from the integral or the "
        "known formula), and ℓ² = 6/(n_in + n_out) put in to reach 2/(n_in + n_out). The "
        "exercise states that result, so the result alone earns nothing; ℓ²/3 without the "
        "substitution earns half."),
    "ex-softmax-backward": (
        "A reason that holds for every `grad_output`: the row sum Σᵢ sᵢ(gᵢ − Σⱼ sⱼgⱼ) is "
        "Σᵢ sᵢgᵢ − (Σⱼ sⱼgⱼ)(Σᵢ sᵢ) = 0 because a softmax row sums to 1; or that adding one "
        "number to a row's scores leaves its softmax unchanged, so the gradient has no part "
        "along (1, …, 1). \"Because the softmax sums to 1\", without the sum written out, "
        "earns half."),
    "ex-inplace-tanh": (
        "Both victims named: `self.x` is the array that `forward` overwrote, so `backward` "
        "computes 1 − tanh²(tanh x) instead of 1 − tanh²(x); and the caller's `x` now holds "
        "tanh(x). One of the two earns half."),
    "ex-backward-bug": (
        "The line of `d1`, the hidden delta, named as the wrong one; what it computed: "
        "`1 - z1**2`, tanh's slope written with its input, where the slope is 1 − h² with "
        "its output h = tanh(z1); and why `W2` and `b2` were right: they come from `d2` "
        "alone, before that line, as the gradient check showed (its relative errors: large "
        "for W1 and b1, small for W2 and b2). The line and its error without the why or "
        "the check's evidence earn half."),
    "ex-momentum": (
        "The derivation: with φ = θ + μv the gradient of the old rule is the one at φ, so "
        "v_t = μv_{t−1} − ηg, and φ_t = θ_t + μv_t expands to φ_{t−1} + μv_t − ηg, using "
        "θ_{t−1} = φ_{t−1} − μv_{t−1} and θ_t − θ_{t−1} = v_t. A derivation that asserts "
        "either of those two steps instead of showing it earns half."),
    "ex-adam": (
        "The division named as the cause and its size worked out: Adam with L2 divides λθ "
        "by √v̂, about the size of the gradients, so the weight with gradients near 1000 is "
        "decayed about a thousand times less than by AdamW and the one with gradients near "
        "0.001 about a thousand times more; AdamW subtracts ηλθ outside the division, the "
        "same fraction of every weight. The exercise states the qualitative reason, so "
        "repeating it without the factor of about a thousand from √v̂ earns nothing; one of "
        "the two weights worked out earns half."),
    "ex-adam-epsilon": (
        "Both parts: the derivation of ε̂ = ε√(1 − β₂ᵗ), by multiplying the numerator and "
        "the denominator of nnlib's step by √c₂ (the code alone passes the checker, not "
        "this); and the explanation: with the same ε, Keras' ε̂ is 1/√c₂ times the one that "
        "would match (about 32 at t = 1 for β₂ = 0.999), which shrinks the steps where √v "
        "is no larger than ε, and c₂ → 1 as t grows. One part earns half."),
}

HEADER = """\
# Grading rubric

For teachers; the website does not publish it. It is written by
`classroom/rubric.py` from the map of `teachers.md`, the checkers in
`nnlib.checks` and the chapters' solutions: change those, then run it again
rather than editing this file.

**Checker points.** The autograder of the nbgrader course (`make nbgrader`)
gives a test cell its points times the fraction of the checker's cases that
pass, so every case listed below is worth an equal share, except where it
says "all or nothing" (a model trained to a target). The verdict a
learner reads names the first failing case only; the later ones run
silently, for the score. A case that meets code not written yet (a stub that
still raises `NotImplementedError`) makes the whole exercise score 0.

**Written points** are given by hand in nbgrader's formgrader, against the
model answer and the criterion below.
"""


class Quoted(type):
    """A class shown as "(the learner's)" where a case's name quotes an
    argument (a learning rate)."""

    def __repr__(cls):
        return "(the learner's)"


class Unwritten(metaclass=Quoted):
    """A stub for any argument of a checker: calling it, as a function or
    to build an instance, raises NotImplementedError."""

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("not written")


# Checkers that read their arguments before the cases start.
ARGUMENTS = {"check_mnist_model": lambda stub: (stub, np.zeros((1, 784)), np.zeros(1, dtype=int))}


def cases_of(checker):
    """The Score of ``checker`` run on stubs: the names of its cases, as its
    verdict lists them, and whether it gives partial credit."""
    wanted = [p for p in inspect.signature(checker).parameters.values()
              if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    arguments = ARGUMENTS.get(checker.__name__, lambda stub: [stub] * len(wanted))(Unwritten)
    with contextlib.redirect_stdout(io.StringIO()):
        checker(*arguments)
    return last_score()


def summary(checker):
    """The first paragraph of a checker's docstring, as Markdown."""
    first = inspect.getdoc(checker).split("\n\n")[0]
    return " ".join(first.split()).replace("``", "`")


def chapters_exercises(chapters):
    """{label: (chapter title, "3.2", exercise title, model answer or None)}."""
    points = points_by_exercise()
    found = {}
    for path in chapters:
        nb = nbformat.read(path, as_version=4)
        heading = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("# "))
        chapter = f"Chapter {int(path.name[:2])}: {heading.splitlines()[0][2:]}"
        titles = [m.groups() for cell in nb.cells for m in EXERCISE.finditer(cell.source)]
        nb, _ = AnswerCells(points=points).preprocess(nb, {})
        written = {cell.metadata.nbgrader["grade_id"].removesuffix("-written"): cell.source
                   for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade_id", "").endswith("-written")}
        for number, (title, label) in enumerate(titles, start=1):
            found[label] = (chapter, f"{int(path.name[:2])}.{number}", title, written.get(label))
    return found


def shares(points, n, partial=True):
    """How a checker's points are shared among its n cases."""
    if n == 1:
        return "its one case"
    if not partial:
        return f"all or nothing: {n} cases, all needed"
    return f"{n} cases of {points / n:.3g} point{'' if points == n else 's'} each"


def rubric(chapters):
    """The rubric's Markdown for the chapters (notebook paths)."""
    exercises = chapters_exercises(chapters)
    lines, chapter_seen = [HEADER], None
    for label, trains, kind, checked, written, name in exercise_map():
        chapter, number, title, model = exercises[label]
        if chapter != chapter_seen:
            lines.append(f"## {chapter}\n")
            chapter_seen = chapter
        total = f"{checked} + {written}" if written else f"{checked}"
        lines.append(f"### Exercise {number}: {title} ({total} points)\n")
        lines.append(f"`{label}`: {trains} ({kind}).\n")
        checker = getattr(nnlib.checks, name)
        score = cases_of(checker)
        cases = score.cases
        lines.append(f"**`{name}`, {checked} points, {shares(checked, len(cases), score.partial)}.** "
                     f"{summary(checker)}\n")
        lines.append("".join(f"{i}. {case}\n" for i, case in enumerate(cases, start=1)))
        if written:
            if model is None or label not in WRITTEN:
                raise ValueError(f"exercise {label} has written points but no model answer or criterion")
            quoted = "\n".join(f"> {line}".rstrip() for line in model.splitlines())
            lines.append(f"**Written answer, {written} point{'s' * (written > 1)}.** The model answer:\n")
            lines.append(f"{quoted}\n")
            lines.append(f"**What earns the point.** {WRITTEN[label]}\n")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "classroom" / "rubric.md"), help="the file to write")
    args = parser.parse_args(argv)
    chapters = sorted((ROOT / "chapters").glob("*.ipynb"))
    text = rubric(chapters)
    replace_atomically(pathlib.Path(args.out), lambda f: f.write(text.encode("utf-8")))
    print(f"rubric written to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
