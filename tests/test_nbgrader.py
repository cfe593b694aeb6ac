"""The classroom round trip with the real nbgrader.

`make nbgrader` writes a course from the chapters; nbgrader generates the
student version, autogrades four submissions per chapter and writes
feedback, and the scores are read from its gradebook:

- the solutions get full marks,
- the untouched release gets none,
- a typical wrong answer to each exercise gets no marks for it, and the
  feedback names the case that failed,
- a submission that rewrote every test cell to ``passed = True`` gains
  nothing: nbgrader restores the locked test cells before grading.
"""
import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from notebooks import CHAPTERS as BOOK, ROOT, load

CHAPTERS = ["03_dense_layer", "04_activation_layer"]
STUDENTS = ["solutions", "untouched", "wrong", "tampered"]

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


def submit(course, student, chapter, edit):
    """Copy the released notebook into the student's submission, changing each cell with ``edit``."""
    released = course / "release" / chapter / f"{chapter}.ipynb"
    nb = json.loads(released.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        edit(cell)
    target = course / "submitted" / student / chapter / f"{chapter}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    pytest.importorskip("nbgrader")
    course = tmp_path_factory.mktemp("course")
    subprocess.run([sys.executable, str(ROOT / "classroom" / "nbgrader_course.py"), "--out", str(course),
                    *(str(ROOT / "chapters" / f"{c}.ipynb") for c in CHAPTERS)], check=True, capture_output=True)
    for student in STUDENTS:
        nbgrader("db", "student", "add", student, cwd=course)
    for chapter in CHAPTERS:
        nbgrader("generate_assignment", chapter, "--force", cwd=course)
        source = {grading(c).get("grade_id"): c for c in cells(course / "source" / chapter / f"{chapter}.ipynb")}

        def answer_with(answers):
            def edit(cell):
                key = grading(cell).get("grade_id")
                if grading(cell).get("solution") and key in answers:
                    cell["source"] = answers[key]
            return edit

        def tamper(cell):
            if grading(cell).get("grade") and cell["cell_type"] == "code":
                cell["source"] = "passed = True"

        solutions = {key: solution_of(cell) for key, cell in source.items() if grading(cell).get("solution")}
        submit(course, "solutions", chapter, answer_with(solutions))
        submit(course, "untouched", chapter, lambda cell: None)
        submit(course, "wrong", chapter, answer_with(WRONG))
        submit(course, "tampered", chapter, tamper)
        nbgrader("autograde", chapter, "--force", cwd=course)
        nbgrader("generate_feedback", chapter, "--force", cwd=course)
    return course


def scores(course, chapter):
    """{student: {test cell id: points scored}} and {test cell id: points possible}."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        found, possible = {}, {}
        for student in STUDENTS:
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
    wrong = {name: points for name, points in found["wrong"].items() if name.replace("-check", "-answer") in WRONG}
    assert wrong and set(wrong.values()) == {0}, f"typical wrong answers scored: {wrong}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_feedback_names_the_failing_case(course, chapter):
    page = (course / "feedback" / "wrong" / chapter / f"{chapter}.html").read_text(encoding="utf-8")
    _, possible = scores(course, chapter)
    verdicts = re.findall(r"✗ \w+: failed on [^<]+", page)
    assert len(verdicts) == len(possible), f"one verdict per wrong answer, naming its case: {verdicts}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_written_answers_wait_for_a_teacher(course, chapter):
    """The prose part of an exercise (3.3, 4.4, 4.5) is an answer cell graded
    by hand, worth its points, where the learner's answer cell stood: right
    after the exercise's test. The model answer stays in the source version."""
    source = cells(course / "source" / chapter / f"{chapter}.ipynb")
    written = [i for i, c in enumerate(source) if grading(c).get("solution") and c["cell_type"] == "markdown"]
    assert written and all(grading(source[i])["grade"] and grading(source[i])["points"] > 0 for i in written)
    for i in written:
        test, answer = grading(source[i - 1]), grading(source[i])
        assert test.get("grade") and test["grade_id"] == answer["grade_id"].replace("-written", "-check")
    assert not any("answer" in c["metadata"].get("tags", []) for c in source if not grading(c).get("solution"))
    released = "".join("".join(c["source"]) for c in cells(course / "release" / chapter / f"{chapter}.ipynb"))
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
        assert all(grading(c)["locked"] and "".join(c["source"]).splitlines()[-1].startswith("assert check_")
                   for c in tests), path.name
        assert all("### BEGIN SOLUTION" in "".join(c["source"]) for c in answers), path.name
        assert all("nbgrader" in c["metadata"] for c in exported), path.name
