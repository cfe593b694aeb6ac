"""What the book's tests share: where the chapters are and how to read them."""
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
# An exercise's statement, and its label.
EXERCISE_LABEL = re.compile(r":::\{exercise\}.*\n:label: (\S+)")
# A row of the teachers' map: | {ref}`label` | ... | points | `checker` |,
# the points "2" (the checker's) or "2 + 1" (and the written answer's).
MAP_ROW = re.compile(r"^\| \{ref\}`([\w-]+)` \|.*\| (\d+)(?: \+ (\d+))? \| `(check_\w+)` \|$", re.M)


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def teachers_map():
    """The map of teachers.md, row by row: (label, checker points, written
    points, checker)."""
    page = (ROOT / "teachers.md").read_text(encoding="utf-8")
    return [(label, int(checked), int(written or 0), checker)
            for label, checked, written, checker in MAP_ROW.findall(page)]


def printed(cell):
    """Everything a code cell printed (its stream outputs), as one string."""
    return "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
