"""Write an nbgrader course from the chapters: `make nbgrader`.

The layout is that of `nbgrader quickstart`: ``source/<chapter>/<chapter>.ipynb``
and ``nbgrader_config.py``, one assignment per chapter. The chapters' tags
say what each cell is, and three nbconvert preprocessors turn them into
nbgrader cells:

- ``AnswerCells``: a stub (tagged ``exercise``) and its hidden solution
  become one answer cell: the stub as the learner sees it, the solution
  between ``### BEGIN SOLUTION`` and ``### END SOLUTION``; a solution
  written in prose becomes a manually graded answer cell whose model answer
  is that prose, in place of the learner's answer cell (tagged ``answer``).
- ``GradedCheckers``: a checker cell becomes a locked autograder test worth
  the exercise's points. Its last line is the points times the fraction of
  the checker's cases passed (``nnlib.checks.verdict.last_score``), a
  number, which nbgrader takes as partial credit. A hidden part, run when
  grading but not in the released notebook, imports the checkers afresh
  from disk first, so that a checker or the verdict replaced in memory by
  an answer cell grades nothing.
- ``ReadOnly``: every other cell is locked, so a learner cannot change what
  the tests rely on.

Points per exercise are read from the exercise map in teachers.md.
"""
import argparse
import copy
import pathlib
import re
import sys

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell
from traitlets import Dict

from nnlib.saving import replace_atomically

ROOT = pathlib.Path(__file__).resolve().parent.parent
# An exercise's statement: its title and its label.
EXERCISE = re.compile(r"^:::\{exercise\} ?(.*)\n:label: (\S+)", re.M)
SOLUTION_START = re.compile(r"^:::\{solution-start\} (\S+)\n(?::\w[\w-]*:.*\n)*:::\n?", re.M)
CHECKER_CALL = re.compile(r"^passed = (check_\w+\(.*\))$", re.M | re.S)
# A row of the map: | {ref}`label` | what it trains | kind | points | `checker` |,
# where the points read "2" (the checker's) or "2 + 1" (the checker's + the
# written answer's).
MAP_ROW = re.compile(r"^\| \{ref\}`([\w-]+)` \| (.*) \| (.*) \| (\d+)(?: \+ (\d+))? \| `(check_\w+)` \|$", re.M)
# The hidden part of every test cell. nbgrader restores the test cells before
# it grades, not the modules an answer cell may have changed in memory: the
# checkers, their verdict and the gradient check are imported again from disk.
FRESH_CHECKERS = """\
### BEGIN HIDDEN TESTS
# Grade with the checkers as they are on disk, not as an answer cell left them.
import sys

for name in list(sys.modules):
    if name.split(".")[:2] in (["nnlib", "checks"], ["nnlib", "gradcheck"]):
        del sys.modules[name]
### END HIDDEN TESTS
"""
# A test cell: its value, the points earned, is the grade nbgrader records.
TEST_CELL = FRESH_CHECKERS + """\
{imports}
from nnlib.checks.verdict import last_score

passed = {call}
{points} * last_score().fraction  # the points earned: {points} × the fraction of cases passed"""
# The course's nbgrader_config.py.
CONFIG = """\
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_assignments = {assignments!r}
# The stub above each solution stays in the released notebook, so the
# place of the solution is only marked.
c.ClearSolutions.code_stub = {{"python": "# Your code replaces the stub above."}}
c.ClearSolutions.text_stub = "Your answer here."
# A chapter that trains a network takes a while on a busy hub.
c.ExecutePreprocessor.timeout = 600
"""


def exercise_map(map_page=ROOT / "teachers.md"):
    """The teachers' map, row by row: (label, what it trains, kind, checker
    points, written points, checker)."""
    return [(label, trains, kind, int(checked), int(written or 0), checker)
            for label, trains, kind, checked, written, checker
            in MAP_ROW.findall(map_page.read_text(encoding="utf-8"))]


def points_by_exercise(map_page=ROOT / "teachers.md"):
    """{exercise label: (checker points, written points)} from the teachers' map."""
    return {label: (checked, written) for label, _, _, checked, written, _ in exercise_map(map_page)}


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def text(cell):
    return "".join(cell["source"])


def grade(cell, grade_id, *, solution=False, graded=False, locked=False, points=0):
    """Give a cell nbgrader's metadata (schema 3)."""
    meta = {"schema_version": 3, "grade_id": grade_id, "solution": solution, "grade": graded,
            "locked": locked, "task": False}
    if graded:
        meta["points"] = points
    cell.setdefault("metadata", {})["nbgrader"] = meta
    cell["metadata"]["tags"] = [t for t in tags(cell) if t not in ("exercise", "solution")]
    if not cell["metadata"]["tags"]:
        del cell["metadata"]["tags"]
    return cell


class AnswerCells(Preprocessor):
    """Stub + hidden solution -> one answer cell; prose solutions -> a
    manually graded answer cell. Drops the solution markers."""

    points = Dict(help="points per exercise label").tag(config=True)

    def preprocess(self, nb, resources):
        cells, label, stub = [], None, None
        group = None  # the cells of the solution being read
        place = None  # where the stub stood: its answer cell goes there
        written = None  # where the learner's written answer goes
        for cell in nb.cells:
            source = text(cell)
            found = EXERCISE.search(source)
            if found:
                label, stub = found.group(2), None
            if "solution" in tags(cell):
                if source.startswith(":::{solution-start}"):
                    group = []
                    prose = SOLUTION_START.sub("", source, count=1).strip()
                    if prose:
                        group.append(("prose", prose))
                elif source.startswith(":::{solution-end}"):
                    code, prose = self.answers(label, stub, group)
                    if place is None:
                        cells += code
                    else:
                        cells[place:place + 1] = code
                    if written is None:
                        cells += prose
                    else:
                        cells[written:written + 1] = prose
                    group, stub, place, written = None, None, None, None
                elif cell.cell_type == "code":
                    group.append(("code", source))
                else:
                    group.append(("prose", source))
                continue
            if cell.cell_type == "code" and "exercise" in tags(cell) and not CHECKER_CALL.search(source):
                stub, place = cell, len(cells)  # the answer cell replaces it
            if "answer" in tags(cell):
                written = len(cells)  # the graded written answer replaces it
            cells.append(cell)
        nb.cells = cells
        return nb, resources

    def answers(self, label, stub, group):
        """The exercise's code answer cell (or its stub) and its written
        answer cell, each a list of zero or one cell."""
        # A solution ends with its own call of the checker, which the test
        # cell makes here.
        code = "\n\n".join(CHECKER_CALL.sub("", s).rstrip() for kind, s in group if kind == "code")
        prose = "\n\n".join(s for kind, s in group if kind == "prose")
        made, written = [], []
        if code:
            if stub is None:
                raise ValueError(f"exercise {label}: a solution in code needs a stub cell tagged exercise before it")
            cell = copy.deepcopy(stub)
            cell.source = f"{text(stub)}\n### BEGIN SOLUTION\n{code}\n### END SOLUTION"
            cell.outputs, cell.execution_count = [], None
            made.append(grade(cell, f"{label}-answer", solution=True))
        elif stub is not None:
            made.append(stub)
        if prose:
            if not self.points.get(label, (0, 0))[1]:
                raise ValueError(f"exercise {label} has a written answer but no written points in teachers.md")
            written.append(grade(new_markdown_cell(prose), f"{label}-written", solution=True, graded=True,
                                 points=self.points[label][1]))
        return made, written


class GradedCheckers(Preprocessor):
    """``passed = check_x(...)`` -> a locked test cell whose value is the
    points earned: the exercise's points times the fraction of cases passed."""

    points = Dict(help="points per exercise label").tag(config=True)

    def preprocess(self, nb, resources):
        label = None
        for cell in nb.cells:
            found = EXERCISE.search(text(cell))
            if found:
                label = found.group(2)
            call = CHECKER_CALL.search(text(cell)) if cell.cell_type == "code" else None
            if call and "exercise" in tags(cell):
                if label not in self.points:
                    raise ValueError(f"exercise {label} has no points in the map of teachers.md")
                points = self.points[label][0]
                imports = text(cell)[:call.start()].rstrip()
                cell.source = TEST_CELL.format(imports=imports, call=call.group(1), points=points)
                cell.outputs, cell.execution_count = [], None
                grade(cell, f"{label}-check", graded=True, locked=True, points=points)
                label = None
        return nb, resources


class ReadOnly(Preprocessor):
    """Lock every cell that is not an answer or a test."""

    def preprocess(self, nb, resources):
        for number, cell in enumerate(nb.cells):
            if "nbgrader" not in cell.metadata:
                grade(cell, f"cell-{number:03d}", locked=True)
        return nb, resources


def write_text(path, content):
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(path, lambda f: f.write(content.encode("utf-8")))


def export(chapters, out):
    """Write the course for ``chapters`` (notebook paths) into ``out``."""
    points = points_by_exercise()
    out = pathlib.Path(out).resolve()
    assignments = []
    for path in map(pathlib.Path, chapters):
        nb = nbformat.read(path, as_version=4)
        resources = {}
        for step in (AnswerCells(points=points), GradedCheckers(points=points), ReadOnly()):
            nb, resources = step.preprocess(nb, resources)
        write_text(out / "source" / path.stem / path.name, nbformat.writes(nb) + "\n")
        assignments.append({"name": path.stem})
    write_text(out / "nbgrader_config.py", CONFIG.format(root=str(out), assignments=assignments))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", help="chapter notebooks")
    parser.add_argument("--out", default="nbgrader", help="the course folder to write")
    args = parser.parse_args(argv)
    print(f"nbgrader course written to {export(args.chapters, args.out)}")


if __name__ == "__main__":
    sys.exit(main())
