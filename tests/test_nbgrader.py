"""The classroom round trip with the real nbgrader.

`make nbgrader` writes a course from the chapters; nbgrader generates the
student version, autogrades the submissions below (four per chapter, two
more for the first) and writes feedback, and the scores are read from its
gradebook:

- the solutions get full marks,
- the untouched release gets none,
- a typical wrong answer to each exercise gets the exercise's points times
  the fraction of the checker's cases it passes (partial credit), and the
  feedback names the case that failed,
- a submission that rewrote every test cell to ``passed = True`` gains
  nothing: nbgrader restores the locked test cells before grading,
- a submission whose answer cells replace the checkers, or change the
  verdict in place, gains nothing either: the hidden part of every test
  cell imports the checkers afresh from disk (first chapter only: the
  patches do not depend on the chapter).
"""
import concurrent.futures
import json
import os
import pathlib
import re
import subprocess
import sys

import nbformat
import pytest
from notebooks import CHAPTERS as BOOK, ROOT, load

CHAPTERS = ["03_dense_layer", "04_activation_layer"]
STUDENTS = ["solutions", "untouched", "wrong", "tampered"]
# The patches of the checkers in memory do not depend on the chapter: they
# are submitted for the first chapter only.
PATCHED = CHAPTERS[0]

# A typical wrong answer per exercise, by nbgrader answer-cell id.
WRONG = {
    "ex-dense-forward-answer": """
def dense_forward(x, W, b):
    return x @ W  # the bias is forgotten
""",
    "ex-dense-backward-answer": """
def dense_backward(x, W, grad_output):
    # dL/dW transposed: (n_out, n_in) instead of (n_in, n_out)
    return grad_output @ W.T, grad_output.T @ x, grad_output.sum(axis=0)
""",
    "ex-xavier-uniform-answer": """
def xavier_uniform(n_in, n_out, rng):
    limit = np.sqrt(6.0 / n_in)  # fan-in only
    return rng.uniform(-limit, limit, size=(n_in, n_out))
""",
    "ex-dense-layer-answer": """
from nnlib import Layer


class MyDense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params["W"] = xavier_uniform(n_in, n_out, rng)
        self.params["b"] = np.zeros(n_out)

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"] = self.x.T @ grad_output
        self.grads["b"] = grad_output.mean(axis=0)  # a mean, not a sum
        return grad_output @ self.params["W"].T
""",
    "ex-sigmoid-prime-answer": """
def sigmoid_prime(x):
    s = 1 / (1 + np.exp(-np.clip(x, -500, 500)))
    return s * (1 + s)
""",
    "ex-leaky-relu-answer": """
class LeakyReLU(Activation):
    def __init__(self, alpha=0.01):
        self.alpha = alpha
        super().__init__(lambda x: np.where(x > 0, x, 0.01 * x),
                         lambda x: np.where(x > 0, 1.0, 0.01))  # alpha ignored
""",
    "ex-softmax-answer": """
def softmax(x):
    e = np.exp(x)  # no shift by the row maximum
    return e / e.sum(axis=1, keepdims=True)
""",
    "ex-softmax-backward-answer": """
def softmax_backward(s, grad_output):
    return s * grad_output  # the diagonal of the Jacobian only
""",
    "ex-inplace-tanh-answer": """
class CachedTanh(Layer):
    def forward(self, x):
        self.x = x
        return np.tanh(x, out=x)

    def backward(self, grad_output):
        return grad_output * (1 - np.tanh(self.x) ** 2)
""",
}


# What each typical wrong answer scores: the points times the fraction of
# the checker's cases it passes.
WRONG_POINTS = {
    "ex-dense-forward-check": 0,  # every case has a bias
    "ex-dense-backward-check": 0,  # every case has a dL/dW to transpose
    # fan-in only: the two shapes and the use of rng pass, the three ranges do not
    "ex-xavier-uniform-check": 2 * 3 / 6,
    # a mean for dL/db: right on one sample, wrong on a batch and in the gradient check
    "ex-dense-layer-check": 2 * 4 / 6,
    "ex-sigmoid-prime-check": 0,  # σ(1 + σ) is wrong everywhere
    # alpha ignored: only forward and backward with alpha = 0.2 fail (the
    # gradient check with alpha = 0.2 agrees with the same wrong slope)
    "ex-leaky-relu-check": 2 * 6 / 8,
    "ex-softmax-check": 2 * 5 / 6,  # no shift: only the inputs of ±1000 fail
    "ex-softmax-backward-check": 0,  # the diagonal alone is wrong on every row
    "ex-inplace-tanh-check": 0,  # the overwritten input spoils every case
}

# Answer cells that cheat in memory, appended to every code answer cell
# (whose stub is left unwritten): without the hidden part of the test
# cells, each would score full marks (test_tampering_pays_without_hidden_tests).
PATCH_CHECKERS = """
import nnlib.checks
import nnlib.checks.verdict

for name in dir(nnlib.checks):
    if name.startswith("check_"):
        setattr(nnlib.checks, name, lambda *args, **kwargs: True)
nnlib.checks.verdict.last_score = lambda: nnlib.checks.verdict.Score("", ("",), 1)
"""
PATCH_VERDICT = """
import nnlib.checks.verdict


def every_case_passes(title, cases):
    global _last
    _last = Score(title, tuple(name for name, _ in cases), len(cases))
    print(f"✓ {title}: all {len(cases)} cases passed.")
    return True


nnlib.checks.verdict.verdict.__code__ = every_case_passes.__code__
"""
PATCHES = {"patched-checkers": PATCH_CHECKERS, "patched-verdict": PATCH_VERDICT}


def students(chapter):
    return STUDENTS + list(PATCHES) if chapter == PATCHED else STUDENTS


def nbgrader(*args, cwd):
    # nbgrader runs its helpers (alembic) from PATH, as in an activated environment.
    env = {**os.environ, "PATH": f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env, capture_output=True, text=True)
    output = f"{result.stdout[-3000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output}"
    return result


def cells(path):
    return load(path)["cells"]


def grading(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_of(cell):
    """The code between the solution markers of a source answer cell, or the
    model answer of a written one."""
    text = "".join(cell["source"])
    if cell["cell_type"] == "markdown":
        return text
    return text.split("### BEGIN SOLUTION\n", 1)[1].split("\n### END SOLUTION", 1)[0]


def submit(folder, student, chapter, edit):
    """Copy the released notebook into the student's submission, changing each cell with ``edit``."""
    released = folder / "release" / chapter / f"{chapter}.ipynb"
    nb = json.loads(released.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        edit(cell)
    target = folder / "submitted" / student / chapter / f"{chapter}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


def graded_course(folder, chapter):
    """An nbgrader course of one chapter in ``folder``, its submissions
    autograded and their feedback written."""
    subprocess.run([sys.executable, str(ROOT / "classroom" / "nbgrader_course.py"), "--out", str(folder),
                    str(ROOT / "chapters" / f"{chapter}.ipynb")], check=True, capture_output=True)
    nbgrader("generate_assignment", chapter, "--force", cwd=folder)
    source = {grading(c).get("grade_id"): c for c in cells(folder / "source" / chapter / f"{chapter}.ipynb")}

    def answer_with(answers):
        def edit(cell):
            key = grading(cell).get("grade_id")
            if grading(cell).get("solution") and key in answers:
                cell["source"] = answers[key]
        return edit

    def tamper(cell):
        if grading(cell).get("grade") and cell["cell_type"] == "code":
            cell["source"] = "passed = True"

    def patch_with(code):
        def edit(cell):
            if grading(cell).get("solution") and cell["cell_type"] == "code":
                cell["source"] = "".join(cell["source"]) + "\n" + code
        return edit

    solutions = {key: solution_of(cell) for key, cell in source.items() if grading(cell).get("solution")}
    submit(folder, "solutions", chapter, answer_with(solutions))
    submit(folder, "untouched", chapter, lambda cell: None)
    submit(folder, "wrong", chapter, answer_with(WRONG))
    submit(folder, "tampered", chapter, tamper)
    if chapter == PATCHED:
        for student, code in PATCHES.items():
            submit(folder, student, chapter, patch_with(code))
    nbgrader("autograde", chapter, "--force", cwd=folder)  # it adds the students to the gradebook
    nbgrader("generate_feedback", chapter, "--force", cwd=folder)
    return folder


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """{chapter: its graded course}. Each chapter is a course of its own,
    with its own gradebook, so that the chapters grade side by side: most of
    the time goes into starting kernels and waiting for them."""
    pytest.importorskip("nbgrader")
    with concurrent.futures.ThreadPoolExecutor(len(CHAPTERS)) as pool:
        folders = {c: pool.submit(graded_course, tmp_path_factory.mktemp(c), c) for c in CHAPTERS}
        return {chapter: future.result() for chapter, future in folders.items()}


def scores(course, chapter):
    """{student: {test cell id: points scored}} and {test cell id: points possible}."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course[chapter] / 'gradebook.db'}") as gradebook:
        found, possible = {}, {}
        for student in students(chapter):
            notebook = gradebook.find_submission_notebook(chapter, chapter, student)
            found[student] = {g.name: g.score for g in notebook.grades if g.cell_type == "code"}
            possible.update({g.name: g.max_score for g in notebook.grades if g.cell_type == "code"})
        return found, possible


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_autograded_scores(course, chapter):
    found, possible = scores(course, chapter)
    checks = [name for name in possible if name.endswith("-check")]
    assert len(checks) >= 4 and all(possible[name] > 0 for name in checks)
    assert found["solutions"] == possible, "the solutions must get full marks"
    assert set(found["untouched"].values()) == {0}, "the untouched release must get nothing"
    assert set(found["tampered"].values()) == {0}, "rewriting the test cells must gain nothing"
    for student in set(PATCHES) & set(found):
        assert set(found[student].values()) == {0}, f"{student}: cheating in memory must gain nothing"
    wrong = {name: found["wrong"][name] for name in possible if name in WRONG_POINTS}
    assert wrong and wrong == pytest.approx({name: WRONG_POINTS[name] for name in wrong}), \
        "a wrong answer scores its points times the fraction of cases it passes"
    assert any(0 < wrong[name] < possible[name] for name in wrong), "no partial credit in this chapter"


@pytest.mark.parametrize("student", PATCHES)
def test_tampering_pays_without_hidden_tests(course, student):
    """The hidden part is what defeats the patches: in one kernel, a stub
    answer cell with the patch, then the test cell as released (no hidden
    part) scores full marks, then the test cell as graded scores nothing."""
    from nbclient import NotebookClient
    from nbgrader.utils import determine_grade

    chapter, exercise = PATCHED, "ex-dense-forward"
    folder = course[chapter]
    versions = {version: {grading(c).get("grade_id"): c for c in cells(folder / version / chapter / f"{chapter}.ipynb")}
                for version in ("release", "source")}
    answer = "".join(versions["release"][f"{exercise}-answer"]["source"]) + "\n" + PATCHES[student]
    released, graded = (nbformat.v4.new_code_cell("".join(cell["source"]), metadata=cell["metadata"])
                        for cell in (versions[v][f"{exercise}-check"] for v in ("release", "source")))
    assert "HIDDEN TESTS" not in released.source and "HIDDEN TESTS" in graded.source
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(answer), released, graded],
                                  metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    NotebookClient(nb, timeout=120, allow_errors=True).execute()
    (as_released, points), (as_graded, _) = (determine_grade(cell) for cell in nb.cells[1:])
    assert points > 0 and as_released == points, "the patch should fool the test cell as released"
    assert as_graded == 0, "the hidden part should grade with the checkers from disk"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_feedback_names_the_failing_case(course, chapter):
    page = (course[chapter] / "feedback" / "wrong" / chapter / f"{chapter}.html").read_text(encoding="utf-8")
    _, possible = scores(course, chapter)
    verdicts = re.findall(r"✗ \w+: failed on [^<]+", page)
    assert len(verdicts) == len(possible), f"one verdict per wrong answer, naming its case: {verdicts}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_written_answers_wait_for_a_teacher(course, chapter):
    """The prose part of an exercise (3.3, 4.4, 4.5) is an answer cell graded
    by hand, worth its points, where the learner's answer cell stood: right
    after the exercise's test. The model answer stays in the source version."""
    source = cells(course[chapter] / "source" / chapter / f"{chapter}.ipynb")
    written = [i for i, c in enumerate(source) if grading(c).get("solution") and c["cell_type"] == "markdown"]
    assert written and all(grading(source[i])["grade"] and grading(source[i])["points"] > 0 for i in written)
    for i in written:
        test, answer = grading(source[i - 1]), grading(source[i])
        assert test.get("grade") and test["grade_id"] == answer["grade_id"].replace("-written", "-check")
    assert not any("answer" in c["metadata"].get("tags", []) for c in source if not grading(c).get("solution"))
    released = "".join("".join(c["source"]) for c in cells(course[chapter] / "release" / chapter / f"{chapter}.ipynb"))
    assert "### BEGIN SOLUTION" not in released
    assert all("".join(source[i]["source"]) not in released for i in written), "a model answer reached the students"


def test_every_exercise_of_the_book_becomes_graded(tmp_path):
    """Every chapter exports: one locked test cell per exercise, worth the
    points of the teachers' map, and one answer cell holding its solution."""
    subprocess.run([sys.executable, str(ROOT / "classroom" / "nbgrader_course.py"), "--out", str(tmp_path),
                    *map(str, BOOK)], check=True, capture_output=True)
    for path in BOOK:
        statements = [c for c in cells(path) if "".join(c["source"]).startswith(":::{exercise}")]
        exported = cells(tmp_path / "source" / path.stem / path.name)
        tests = [c for c in exported if grading(c).get("grade") and c["cell_type"] == "code"]
        answers = [c for c in exported if grading(c).get("solution") and c["cell_type"] == "code"]
        assert len(tests) == len(answers) == len(statements), path.name
        for test in tests:
            source, points = "".join(test["source"]), grading(test)["points"]
            assert grading(test)["locked"], path.name
            assert source.startswith("### BEGIN HIDDEN TESTS\n") and "### END HIDDEN TESTS\n" in source, path.name
            assert re.search(r"^passed = check_\w+\(", source, re.M), path.name
            assert source.splitlines()[-1].startswith(f"{points} * last_score().fraction"), path.name
        assert all("### BEGIN SOLUTION" in "".join(c["source"]) for c in answers), path.name
        assert all("nbgrader" in c["metadata"] for c in exported), path.name
