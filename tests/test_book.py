"""The book's integrity: every chapter stored executed, listed, installable and with exercises.

nbval re-executes each chapter and compares outputs, but it passes a
notebook stored without outputs silently; these tests close that gap.
"""
import json
import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def printed(cell):
    """Everything a code cell printed (its stream outputs), as one string."""
    return "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")


def calls_checker(cell):
    return re.search(r"\bcheck_\w+\(", "".join(cell["source"]))


def toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def test_there_are_chapters():
    assert len(CHAPTERS) >= 11


def test_every_chapter_is_in_the_table_of_contents_and_every_entry_exists():
    listed = set(toc_files())
    on_disk = {f"chapters/{p.stem}" for p in CHAPTERS}
    assert on_disk <= listed, f"chapters missing from _toc.yml: {sorted(on_disk - listed)}"
    for entry in listed:
        assert any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md")), f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_stored_from_one_clean_run(path):
    cells = code_cells(load(path))
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1)), "re-run it top to bottom: make execute NB=..."
    assert sum(bool(c["outputs"]) for c in cells) >= len(cells) // 2, "stored without outputs"
    for c in cells:
        for out in c["outputs"]:
            assert out["output_type"] != "error" or "raises-exception" in tags(c), f"error output in {''.join(c['source'])[:60]!r}"
            assert "Traceback" not in "".join(out.get("text", "")), "a traceback is stored in a stream output"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_has_a_figure_and_shows_library_code(path):
    nb = load(path)
    outputs = [o for c in code_cells(nb) for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs), "no figure"
    assert any("show_source(" in "".join(c["source"]) for c in code_cells(nb)), "no library code shown with show_source"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_first_code_cell_installs_nnlib_on_colab_and_binder(path):
    first = code_cells(load(path))[0]
    source = "".join(first["source"])
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    assert "import nnlib" in source and f"git+{repository}" in source
    assert "remove-cell" in tags(first)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_exercises_have_stubs_checkers_and_hidden_solutions(path):
    nb = load(path)
    text = ["".join(c["source"]) for c in nb["cells"]]
    exercises = [t for t in text if re.search(r"^:::\{exercise\}", t)]
    assert len(exercises) >= 3, f"{len(exercises)} exercises, at least 3 wanted"
    labels = [m.group(1) for t in exercises for m in [re.search(r":label: (\S+)", t)] if m]
    assert len(labels) == len(exercises), "every exercise needs a :label:"
    for label in labels:
        starts = [c for c, t in zip(nb["cells"], text) if re.search(rf"\{{solution-start\}} {re.escape(label)}\s", t)]
        assert len(starts) == 1, f"exercise {label} needs exactly one solution-start"
    for c, t in zip(nb["cells"], text):
        if "{solution-start}" in t or "{solution-end}" in t:
            assert "solution" in tags(c), "solution markers must be tagged solution"
    assert sum(t.count("{solution-start}") for t in text) == sum(t.count("{solution-end}") for t in text)
    stubs = [c for c in code_cells(nb) if "exercise" in tags(c) and "NotImplementedError" in "".join(c["source"])]
    checkers = [c for c in code_cells(nb) if "exercise" in tags(c) and calls_checker(c)]
    solved = [c for c in code_cells(nb) if "solution" in tags(c) and calls_checker(c)]
    assert stubs and checkers, "code exercises need a stub and a checker cell tagged exercise"
    assert len(solved) == len(checkers), "every solution ends by running its exercise's checker"
    for c in checkers + solved:
        assert all(o["output_type"] == "stream" for o in c["outputs"]), \
            "only the verdict: write passed = check_...(...) so True is not echoed"
    # The page shows what a learner's untouched stub prints, then, in the
    # hidden solution, that the checker accepts the solution.
    for c in checkers:
        assert "✗" in printed(c) and "✓" not in printed(c), "a checker cell runs before the solution, on the stub"
    code = code_cells(nb)
    for stub, after in zip(code, code[1:]):
        if stub in stubs:
            assert after in checkers and "not written yet" in printed(after), \
                f"the checker should follow the stub and say it is not written yet: {''.join(stub['source'])[:60]!r}"
    for c in solved:
        assert "✓" in printed(c) and "✗" not in printed(c), "in the full edition every checker accepts the solution"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_directives_read_as_text_where_no_myst_renderer_exists(path):
    """Plain Jupyter and Colab show a backtick fence as a code block (title
    lost, maths raw); a colon fence shows as text with its maths typeset.
    The options end with a blank line, so the statement is its own
    paragraph there."""
    for cell in load(path)["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        assert not re.search(r"^`{3,}\{", source, flags=re.M), f"backtick directive in {source[:60]!r}: use :::{{...}}"
        for block in re.finditer(r"^:::\{exercise\}.*\n((?::\w[\w-]*:.*\n)*)(.*)", source, flags=re.M):
            assert block.group(2) == "", f"a blank line must follow the options of {block.group(0)[:60]!r}"


def exercises_in_book():
    """(label, checker called in the exercise's checker cell), in the order of the book."""
    found = []
    for path in CHAPTERS:
        nb = load(path)
        label = None
        for cell in nb["cells"]:
            source = "".join(cell["source"])
            match = re.search(r":::\{exercise\}.*\n:label: (\S+)", source)
            if match:
                label = match.group(1)
            elif label and cell["cell_type"] == "code" and "exercise" in tags(cell):
                checker = re.search(r"\b(check_\w+)\(", source)
                if checker:
                    found.append((label, checker.group(1)))
                    label = None
    return found


def test_the_teachers_map_lists_every_exercise_with_its_checker():
    page = (ROOT / "teachers.md").read_text(encoding="utf-8")
    mapped = re.findall(r"^\| \{ref\}`([\w-]+)` \|.*\| `(check_\w+)` \|$", page, flags=re.M)
    assert mapped == exercises_in_book()


# A code block on the website shows 77 characters per line in a 1280-px
# window, 69 inside an opened solution.
PAGE_WIDTH, SOLUTION_WIDTH = 77, 69


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_code_and_printed_lines_fit_the_page(path):
    long = []
    for number, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code" or "remove-cell" in tags(cell):
            continue
        width = SOLUTION_WIDTH if "solution" in tags(cell) else PAGE_WIDTH
        # A checker's verdict on the stub wraps on the page (the browser test checks it).
        verdict = "exercise" in tags(cell) and calls_checker(cell)
        for line in "".join(cell["source"]).splitlines() + ([] if verdict else printed(cell).splitlines()):
            if len(line) > width:
                long.append(f"cell {number}: {line!r}")
    assert not long, f"lines wider than the page's code column:\n" + "\n".join(long)


def test_library_listings_fit_the_page():
    """The chapters show nnlib's modules with show_source, so their lines fit."""
    long = [f"{path.name}:{number}" for path in sorted((ROOT / "nnlib").glob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if len(line) > PAGE_WIDTH]
    assert not long, f"lines longer than {PAGE_WIDTH} characters: {long}"
