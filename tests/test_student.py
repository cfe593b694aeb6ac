"""The student edition: `make student` removes solutions, clears exercise outputs, keeps the rest."""
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient
from notebooks import CHAPTERS, ROOT, load, tags


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    subprocess.run(["make", "--no-print-directory", "student", f"STUDENT={folder}"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return folder


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_holds_no_solution_and_everything_else(path, student):
    full = load(path)["cells"]
    edition = load(student / path.name)["cells"]
    kept = [c for c in full if "solution" not in tags(c)]
    solutions = ["".join(c["source"]) for c in full if "solution" in tags(c) and c["cell_type"] == "code"]
    assert solutions, "the chapter has no solution code to remove"
    assert len(edition) == len(kept)
    text = "\n".join("".join(c["source"]) for c in edition)
    for solution in solutions:
        assert solution.strip() not in text
    assert "{solution-start}" not in text and "{solution-end}" not in text
    for original, cell in zip(kept, edition):
        assert cell["source"] == original["source"]
        if cell["cell_type"] == "code":
            if "exercise" in tags(cell):
                assert cell["outputs"] == [], "exercise outputs must be cleared"
            else:
                assert cell["outputs"] == original["outputs"]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_edition_runs_unchanged_up_to_the_first_exercise(path, student):
    """Before the first exercise the edition is the full chapter, cell for cell, which
    nbval executes; so it runs there too. The first exercise stub must come after a
    real chapter, not replace it."""
    full = load(path)["cells"]
    edition = load(student / path.name)["cells"]
    first = next(i for i, c in enumerate(edition) if "exercise" in tags(c))
    assert first >= 5
    assert [c["source"] for c in edition[:first]] == [c["source"] for c in full[:first]]
    assert not any("solution" in tags(c) for c in full[:first])


def test_a_whole_student_notebook_runs_and_its_checkers_say_not_written_yet(student):
    """Run one short chapter's student edition end to end in a fresh kernel."""
    nb = nbformat.read(student / "02_base_layer.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(student)}}).execute()
    checker_outputs = ["".join(o.get("text", "") for o in c.outputs) for c in nb.cells
                       if c.cell_type == "code" and "exercise" in tags(c) and "check_" in c.source]
    assert len(checker_outputs) >= 3
    assert all("not written yet" in out and "✗" in out for out in checker_outputs), checker_outputs


def test_an_unchanged_stub_raises_a_friendly_error(student):
    nb = nbformat.read(student / "04_activation_layer.ipynb", as_version=4)
    stub = next(c for c in nb.cells
                if c.cell_type == "code" and "exercise" in tags(c) and "NotImplementedError" in c.source)
    namespace = {}
    exec(compile(stub.source, "stub", "exec"), namespace)
    function = next(v for k, v in namespace.items() if callable(v) and not k.startswith("_"))
    with pytest.raises(NotImplementedError, match=r"[Ee]xercise"):
        function(*([None] * function.__code__.co_argcount))
