"""The book's integrity: every chapter stored executed, listed, installable and with exercises.

nbval re-executes each chapter and compares outputs, but it passes a
notebook stored without outputs silently; these tests close that gap.
"""
import ast
import os
import re
import sys

import pytest
import yaml
from notebooks import CHAPTERS, EXERCISE_LABEL, ROOT, load, printed, tags, teachers_map


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]


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
        exists = any((ROOT / f"{entry}{ext}").exists() for ext in (".ipynb", ".md"))
        assert exists, f"_toc.yml lists {entry}, which does not exist"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_is_stored_from_one_clean_run(path):
    cells = code_cells(load(path))
    counts = [c["execution_count"] for c in cells]
    assert counts == list(range(1, len(cells) + 1)), "re-run it top to bottom: make execute NB=..."
    assert sum(bool(c["outputs"]) for c in cells) >= len(cells) // 2, "stored without outputs"
    for c in cells:
        for out in c["outputs"]:
            source = "".join(c["source"])[:60]
            assert out["output_type"] != "error" or "raises-exception" in tags(c), f"error output in {source!r}"
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
    assert "import nnlib" in source and f"git+{repository_url()}" in source
    assert "remove-cell" in tags(first)


def test_exercises_read_as_text_in_plain_jupyter():
    """What Colab and the classic notebook show, as nbconvert renders their
    Markdown: each exercise statement is text (title and statement in
    paragraphs, maths left to MathJax), never a code block."""
    nbconvert = pytest.importorskip("nbconvert")
    import nbformat

    exporter = nbconvert.HTMLExporter(template_name="classic")
    for path in CHAPTERS:
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
        html, _ = exporter.from_notebook_node(notebook)
        blocks = re.findall(r'<div class="text_cell_render[^"]*">(.*?)</div>', html, flags=re.S)
        statements = [block for block in blocks if ":::{exercise}" in block]
        assert len(statements) >= 3, path.name
        for block in statements:
            assert re.search(r"<p>:::\{exercise\} \S", block) and "<pre" not in block, block[:200]
            assert not re.search(r"<code>[^<]*\$", block), f"maths inside a code span: {block[:200]}"


def repository_url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def test_every_install_and_clone_command_uses_the_configured_repository():
    """_config.yml holds the repository URL; the places that must write it
    out (pip installs from git, git clones) agree with it."""
    texts = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
             for path in [*ROOT.glob("*.md"), *ROOT.glob("binder/*")]}
    texts.update({path.relative_to(ROOT).as_posix(): "\n".join("".join(c["source"]) for c in load(path)["cells"])
                  for path in CHAPTERS})
    commands = [(name, url.rstrip("./").removesuffix(".git")) for name, text in texts.items()
                for url in re.findall(r"(?:git\+|git clone )(https?://[^\s\"'`)]+)", text)]
    assert len(commands) >= len(CHAPTERS) + 1, "expected an install cell per chapter and a clone command"
    wrong = [(name, url) for name, url in commands if url != repository_url()]
    assert not wrong, f"commands that do not use {repository_url()} from _config.yml: {wrong}"


def imported_modules(source):
    """Top-level names of the modules a piece of Python imports (an IPython
    magic, a line starting with % or !, counts as `pass`)."""
    magic = re.compile(r"^(\s*)[%!].*$", flags=re.M)
    tree = ast.parse(magic.sub(r"\1pass", source))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def requirement_lines(path):
    """The requirements a pip requirements file names, following `-r` as pip does."""
    lines = []
    for line in path.read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line.startswith("-r "):
            lines += requirement_lines(path.parent / line[3:].strip())
        elif line and not line.startswith("#"):
            lines.append(line)
    return lines


def test_binder_installs_everything_the_chapters_import():
    """Binder builds from binder/: every third-party module a chapter or
    nnlib imports is in its requirements, and postBuild installs nnlib."""
    listed = {re.split(r"[\[<>=~! ]", line, maxsplit=1)[0].lower()
              for line in requirement_lines(ROOT / "binder" / "requirements.txt")}
    # Pillow (PIL) is a dependency of matplotlib, which is listed.
    distribution = {"sklearn": "scikit-learn", "IPython": "ipykernel", "PIL": "matplotlib"}
    sources = ["".join(c["source"]) for path in CHAPTERS for c in code_cells(load(path))]
    sources += [p.read_text(encoding="utf-8") for p in (ROOT / "nnlib").rglob("*.py")]
    imported = set().union(*map(imported_modules, sources))
    third_party = {distribution.get(m, m) for m in imported if m != "nnlib" and m not in sys.stdlib_module_names}
    assert {"numpy", "matplotlib", "keras"} <= third_party
    missing = sorted(m for m in third_party if m.lower() not in listed)
    assert not missing, f"binder/requirements.txt lacks {missing}"
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK) and "pip install" in post_build.read_text()


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
            match = EXERCISE_LABEL.search(source)
            if match:
                label = match.group(1)
            elif label and cell["cell_type"] == "code" and "exercise" in tags(cell):
                checker = re.search(r"\b(check_\w+)\(", source)
                if checker:
                    found.append((label, checker.group(1)))
                    label = None
    return found


def test_the_teachers_map_lists_every_exercise_with_its_checker():
    mapped = [(label, checker) for label, _, _, checker in teachers_map()]
    assert mapped == exercises_in_book()


def test_the_teachers_time_table_counts_the_chapters():
    """teachers.md's words, reading minutes (150 words a minute), exercises
    and points per chapter are those of the chapters and the map."""
    page = (ROOT / "teachers.md").read_text(encoding="utf-8")
    points = {label: checked + written for label, checked, written, _ in teachers_map()}
    rows = re.findall(r"^\| (\d+) \| ([\d,]+) \| (\d+) min \| (\d+) \| (\d+) \|$", page, flags=re.M)
    counted = []
    for number, path in enumerate(CHAPTERS, 1):
        cells = load(path)["cells"]
        prose = [c for c in cells if c["cell_type"] == "markdown" and "remove-cell" not in tags(c)]
        words = sum(len(re.findall(r"[A-Za-z]+(?:'[a-z]+)?", "".join(c["source"]))) for c in prose)
        labels = [m.group(1) for c in prose for m in [EXERCISE_LABEL.search("".join(c["source"]))] if m]
        counted.append((str(number), f"{words:,}", str(round(words / 150)), str(len(labels)),
                        str(sum(points[label] for label in labels))))
    assert rows == counted


def test_every_written_question_has_an_answer_cell_for_the_learner():
    """An exercise with a written part (its points read "2 + 1" in the map)
    has a Markdown cell tagged answer, between the question and the
    solution, where the learner writes; the website leaves it out
    (remove-cell). No other exercise has one."""
    written = {label for label, _, points, _ in teachers_map() if points}
    answered = set()
    for path in CHAPTERS:
        label = None
        for cell in load(path)["cells"]:
            source = "".join(cell["source"])
            match = EXERCISE_LABEL.search(source)
            if match:
                label = match.group(1)
            elif "{solution-start}" in source:
                label = None
            elif "answer" in tags(cell):
                assert label, f"{path.name}: an answer cell outside an exercise: {source[:60]!r}"
                assert cell["cell_type"] == "markdown" and "remove-cell" in tags(cell), \
                    f"{path.name}: the answer cell of {label} must be Markdown tagged answer and remove-cell"
                answered.add(label)
    assert written, "the map gives no exercise a written part"
    assert answered == written, f"without an answer cell: {sorted(written - answered)}; " \
                                f"an answer cell but no written points: {sorted(answered - written)}"


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
    assert not long, "lines wider than the page's code column:\n" + "\n".join(long)


def test_library_listings_fit_the_page():
    """The chapters show nnlib's modules with show_source, so their lines fit;
    the checkers' modules keep the same width."""
    long = [f"{path.name}:{number}" for path in sorted((ROOT / "nnlib").rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if len(line) > PAGE_WIDTH]
    assert not long, f"lines longer than {PAGE_WIDTH} characters: {long}"
