"""The checkers' expected values: nnlib/checks/expected.npz holds what
classroom/expected_values.py computes, every exercise stored there has a
checker that reads it, and no checker module holds the code of those
exercises' answers, which a learner could read in the installed package."""
import ast
import copy
import importlib.util
import inspect
import re

import numpy as np
import pytest
from notebooks import ROOT, load, tags

pytestmark = pytest.mark.unit

SHIPPED = ROOT / "nnlib" / "checks" / "expected.npz"
CHECKERS = sorted((ROOT / "nnlib" / "checks").glob("*.py"))

# The exercises graded with stored values, by the checker module that grades
# them: their chapter and what their model answer (the chapter's hidden
# solution) defines.
MODEL_ANSWERS = {
    "plan": ("01_plan", ["count_params", "shapes", "f_prime"]),
    "base_layer": ("02_base_layer", ["Scale", "Square", "Affine"]),
    "activation_layer": ("04_activation_layer", ["LeakyReLU"]),
    "mnist": ("06_mnist", ["confusion_matrix"]),
    "network_class": ("09_network_class", ["predict_one_hot"]),
    "training_better": ("10_training_better", ["NesterovSGD", "AdamW"]),
    "keras": ("11_keras", ["tanh", "power", "keras_epsilon"]),
    "regularisation": ("12_regularisation", ["add_l2"]),
}


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("expected_values", ROOT / "classroom" / "expected_values.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shipped():
    with np.load(SHIPPED, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def test_the_shipped_values_are_those_the_script_computes(generator):
    """Regenerated, they equal the shipped ones: whole numbers exactly, floats
    to 1e-12 (np.tanh and np.exp may round a last bit differently on another
    CPU)."""
    regenerated, stored = generator.values(), shipped()
    assert list(regenerated) == list(stored), "the exercises, cases or fields differ: run classroom/expected_values.py"
    for key, value in regenerated.items():
        assert (value.dtype, value.shape) == (stored[key].dtype, stored[key].shape), key
        if np.issubdtype(value.dtype, np.floating):
            np.testing.assert_allclose(stored[key], value, rtol=1e-12, atol=0, err_msg=key)
        else:
            np.testing.assert_array_equal(stored[key], value, err_msg=key)


def test_every_stored_exercise_is_read_by_a_checker():
    stored = {key.split(".")[0] for key in shipped()}
    read = set()
    for path in CHECKERS:
        read |= set(re.findall(r'(?:expected_cases|named_cases)\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    assert stored == read


# -- no answer in a checker ----------------------------------------------------------
OPERATIONS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Call, ast.Subscript)


class Blanked(ast.NodeTransformer):
    """Every variable becomes `_`: a copy with other names still matches."""

    def visit_Name(self, node):
        return ast.Name(id="_", ctx=ast.Load())


def operations(node):
    """The operations of an expression; -1 is a number, not an operation."""
    return [n for n in ast.walk(node) if isinstance(n, OPERATIONS)
            and not (isinstance(n, ast.UnaryOp) and isinstance(n.operand, ast.Constant))]


def formula(node):
    """The formula an expression node writes, or None. Two operations or more,
    not all of them calls (`super().__init__()` is no formula), with the
    variables blanked; or a single arithmetic operation as it is written
    (blanked, `_ * _` would be everywhere)."""
    if not isinstance(node, ast.expr) or isinstance(node, ast.Lambda):
        return None
    done = operations(node)
    if len(done) >= 2 and not all(isinstance(n, ast.Call) for n in done):
        return ast.dump(Blanked().visit(copy.deepcopy(node)), annotate_fields=False)
    if isinstance(node, ast.BinOp):
        return ast.dump(node, annotate_fields=False)
    return None


def formulas(tree):
    return {formula(node) for node in ast.walk(tree)} - {None}


def answers(generator, module):
    """(name, syntax tree) of each answer graded by the checker ``module``:
    the definitions MODEL_ANSWERS names in the chapter's solution cells, and
    the script's reference answers."""
    chapter, names = MODEL_ANSWERS[module]
    found = {}
    for cell in load(ROOT / "chapters" / f"{chapter}.ipynb")["cells"]:
        if cell["cell_type"] == "code" and "solution" in tags(cell):
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
                    found[f"{chapter}: {node.name}"] = node
    assert len(found) == len(names), f"{chapter}'s solutions define {sorted(found)}, not all of {names}"
    for function in generator.ANSWERS[module]:
        found[f"classroom/expected_values.py: {function.__name__}"] = ast.parse(inspect.getsource(function))
    return found


def test_every_answer_has_formulas_to_look_for(generator):
    """Otherwise the next test would pass for want of anything to find."""
    assert sorted(generator.ANSWERS) == sorted(MODEL_ANSWERS)
    empty = [name for module in MODEL_ANSWERS for name, tree in answers(generator, module).items()
             if not formulas(tree)]
    assert not empty


# The modules every checker uses, whatever its chapter.
SHARED = ["__init__", "verdict", "expected"]


@pytest.mark.parametrize("module", list(MODEL_ANSWERS) + SHARED)
def test_no_checker_holds_the_formulas_of_an_answer_shipped_as_values(module, generator):
    """The answers of the exercises graded with stored values exist only in
    the chapters' hidden solutions and in classroom/: a copy of their code,
    however renamed, in the checker module that grades them (or in the
    modules all checkers share) would hand them to the learner."""
    path = ROOT / "nnlib" / "checks" / f"{module}.py"
    graders = list(MODEL_ANSWERS) if module in SHARED else [module]
    wanted = {}
    for module in graders:
        for name, tree in answers(generator, module).items():
            for written in formulas(tree):
                wanted.setdefault(written, []).append(name)
    found = [f"{path.name}:{node.lineno}: {ast.unparse(node)} (as in {wanted[formula(node)]})"
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if formula(node) in wanted]
    assert not found
