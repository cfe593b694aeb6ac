"""The teachers' rubric, classroom/rubric.md: the file classroom/rubric.py
writes from the map, the checkers and the chapters, so that its cases are
those the autograder counts; kept off the website, and linked from the
teachers' page."""
import io
import re
import subprocess
import sys
from contextlib import redirect_stdout

import yaml
from notebooks import ROOT, teachers_map

RUBRIC = ROOT / "classroom" / "rubric.md"


def test_the_rubric_is_the_one_the_script_writes(tmp_path):
    fresh = tmp_path / "rubric.md"
    subprocess.run([sys.executable, str(ROOT / "classroom" / "rubric.py"), "--out", str(fresh)],
                   check=True, capture_output=True)
    assert fresh.read_text(encoding="utf-8") == RUBRIC.read_text(encoding="utf-8"), \
        "classroom/rubric.md is out of date: run python classroom/rubric.py"


def test_every_exercise_of_the_map_has_its_points_in_the_rubric():
    rubric = RUBRIC.read_text(encoding="utf-8")
    rows = [(label, f"{checked} + {written}" if written else f"{checked}", checker)
            for label, checked, written, checker in teachers_map()]
    sections = re.findall(r"^### Exercise \d+\.\d+: .* \(([\d +]+) points\)\n\n`([\w-]+)`.*\n\n\*\*`(check_\w+)`",
                          rubric, flags=re.M)
    assert rows and [(label, points, checker) for points, label, checker in sections] == rows
    assert rubric.count("**What earns the point.**") == sum("+" in points for _, points, _ in rows)


def test_the_rubric_lists_the_cases_a_verdict_counts():
    """The cases listed for a checker, read from it with unwritten stubs,
    are those it runs on a real answer."""
    from nnlib.checks import check_dense_forward
    from nnlib.checks.verdict import last_score

    with redirect_stdout(io.StringIO()):
        assert check_dense_forward(lambda x, W, b: x @ W + b)
    section = RUBRIC.read_text(encoding="utf-8").split("**`check_dense_forward`", 1)[1].split("###", 1)[0]
    listed = re.findall(r"^\d+\. (.*)$", section, flags=re.M)
    assert listed == list(last_score().cases) and f"{len(listed)} cases of 0.5 points each" in section


def test_the_website_leaves_the_rubric_out_and_the_teachers_page_links_to_it():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["only_build_toc_files"] and "classroom" in config["exclude_patterns"]
    assert "rubric" not in (ROOT / "_toc.yml").read_text(encoding="utf-8")
    url = f"{config['repository']['url']}/blob/{config['repository']['branch']}/classroom/rubric.md"
    assert url in (ROOT / "teachers.md").read_text(encoding="utf-8")


def test_the_rubric_says_which_checkers_give_all_or_nothing():
    """The exercises that train a model to a target score all or nothing,
    as their verdicts do (an untrained model passes their other cases)."""
    rubric = RUBRIC.read_text(encoding="utf-8")
    names = re.findall(r"\*\*`(check_\w+)`", rubric)
    heads = {name: rubric.split(f"**`{name}`", 1)[1].split("\n", 1)[0] for name in names}
    assert sorted(name for name, head in heads.items() if "all or nothing" in head) == \
        ["check_mnist_model", "check_moons_model"]
