"""What Colab, Binder and a class server get: nnlib built as a wheel from a
clean copy of the repository and installed (not editable) into a fresh
environment, used from a folder outside the repository.

An editable install reads the source tree, so it hides a module the wheel
leaves out; this test builds and installs the way `pip install .` does.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest
from notebooks import ROOT

# A chapter that runs on NumPy and matplotlib alone and calls many checkers.
CHAPTER = ROOT / "chapters" / "04_activation_layer.ipynb"
# What a learner's kernel needs besides nnlib to run that chapter under nbval.
KERNEL_PACKAGES = ["matplotlib", "ipykernel", "nbval", "pytest"]


def outside_environment():
    """This process's environment without what points Python at the source
    tree or at .venv, so the fresh environment imports its own nnlib."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def run(*command, cwd):
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=outside_environment(),
                            capture_output=True, text=True)
    output = f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{output}"
    return result.stdout


def library_modules():
    """nnlib's modules in the source tree, as dotted names."""
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in (ROOT / "nnlib").rglob("*.py"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """nnlib's wheel, built from a copy of the files git would commit."""
    work = tmp_path_factory.mktemp("wheel")
    files = run("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT).split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (work / "src" / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, work / "src" / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", work / "dist", work / "src",
        cwd=work)
    (built,) = (work / "dist").glob("nnlib-*.whl")
    return built


@pytest.fixture(scope="module")
def environment(wheel, tmp_path_factory):
    """A fresh virtual environment with the wheel installed, and a folder outside the repository."""
    work = tmp_path_factory.mktemp("env")
    run(sys.executable, "-m", "venv", work / "venv", cwd=work)
    python = work / "venv" / "bin" / "python"
    # Not byte-compiled at install: pip would compile every module of every
    # package; Python compiles the ones the test imports when it imports them.
    run(python, "-m", "pip", "install", "--quiet", "--no-compile", wheel, *KERNEL_PACKAGES, cwd=work)
    return python, work


def test_the_wheel_holds_every_module_of_nnlib(wheel):
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(name[:-3].replace("/", ".").removesuffix(".__init__")
                         for name in archive.namelist() if name.startswith("nnlib/") and name.endswith(".py"))
    assert "nnlib.checks" in shipped
    assert shipped == library_modules()


def test_the_wheel_holds_every_data_file_of_nnlib(wheel):
    """The checkers' expected values (nnlib/checks/expected.npz) among them."""
    data = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "nnlib").rglob("*")
                  if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts)
    assert "nnlib/checks/expected.npz" in data
    with zipfile.ZipFile(wheel) as archive:
        assert not set(data) - set(archive.namelist())


def test_every_module_imports_from_the_installed_wheel(environment):
    python, work = environment
    script = ("import importlib, sys\n"
              "for name in sys.argv[1:]:\n"
              "    importlib.import_module(name)\n"
              "import nnlib\n"
              "print(nnlib.__file__, nnlib.__version__)\n")
    where, version = run(python, "-c", script, *library_modules(), cwd=work).split()
    assert pathlib.Path(where).is_relative_to(work / "venv"), f"nnlib came from {where}, not the fresh environment"
    assert f'__version__ = "{version}"' in (ROOT / "nnlib" / "__init__.py").read_text()


def test_a_chapter_with_checkers_reproduces_from_the_installed_wheel(environment):
    python, work = environment
    shutil.copy(CHAPTER, work / CHAPTER.name)
    shutil.copy(ROOT / "tests" / "sanitize.cfg", work / "sanitize.cfg")
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", "sanitize.cfg", CHAPTER.name],
        cwd=work, env=outside_environment(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
