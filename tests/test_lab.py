"""A learner's way in: JupyterLab from the project's .venv, driven by Chromium.

JupyterLab serves a copy of the MNIST chapter from a folder outside the
repository; the browser runs every cell from the Run menu, as a reader
would, and saves. The saved notebook must hold no error and no cell left
unrun, every checker must give its verdict (the untouched stub rejected,
the solution accepted), and the exercise statements must render as boxes with
typeset maths (jupyterlab-myst).
MNIST comes from KERAS_HOME as on any offline machine.
"""
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from chromium import CHROMIUM_FLAGS, find_chromium
from notebooks import ROOT

CHAPTER = ROOT / "chapters" / "06_mnist.ipynb"
SHOTS = ROOT / "artifacts" / "screenshots"
# A busy two-core machine runs the chapter in about a minute; allow far more.
RUN_TIMEOUT_S = 900
# JupyterLab settings for a test: every cell rendered (not only those on
# screen), the file written only when the test saves it, and no question
# about Jupyter news over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started as `make lab` starts it, on a folder holding a copy of the chapter."""
    jupyter = pathlib.Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        pytest.fail(f"{jupyter} not found: run the tests from the project's .venv (make test)")
    work = tmp_path_factory.mktemp("lab")
    served = work / "course"  # JupyterLab's file browser shows this folder only
    served.mkdir()
    shutil.copy(CHAPTER, served / CHAPTER.name)
    settings = work / ".settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings),
           "JUPYTERLAB_WORKSPACES_DIR": str(work / ".workspaces"),
           "JUPYTER_DATA_DIR": str(work / ".data"), "JUPYTER_RUNTIME_DIR": str(work / ".runtime")}
    log = (work / "lab.log").open("w")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}"],
        cwd=served, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start:\n" + (work / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    yield {"base": base, "token": token, "folder": served}
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="module")
def notebook_page(lab):
    """The chapter open in Chromium, every cell run from the Run menu, then saved."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(f"{lab['base']}/lab/tree/{CHAPTER.name}?token={lab['token']}")
        page.wait_for_selector(".jp-Notebook .jp-Cell")
        wait_for(page, "the kernel to start", lambda state: state["kernel"] == "Idle")
        # The chapter is stored with its outputs: clear them, so that a cell
        # the run leaves out shows as unrun.
        menu(page, "Edit", "Clear Outputs of All Cells")
        wait_for(page, "the outputs to clear", lambda state: all(p == "[ ]:" for p in state["prompts"]))
        started = time.monotonic()
        menu(page, "Run", "Run All Cells")
        wait_for(page, "Run All Cells to finish", finished, timeout=RUN_TIMEOUT_S)
        seconds = time.monotonic() - started
        saved = lab["folder"] / CHAPTER.name
        before = saved.stat().st_mtime_ns
        menu(page, "File", "Save Notebook")
        page.wait_for_selector(".jp-mod-dirty", state="detached")  # the tab shows unsaved changes
        deadline = time.monotonic() + 60
        while saved.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.5)
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "lab_run_seconds.txt").write_text(f"{CHAPTER.name}: Run All Cells took {seconds:.1f} s\n")
        yield page, json.loads(saved.read_text(encoding="utf-8"))
        browser.close()


def menu(page, title, item):
    """Click a JupyterLab menu, then one of its items, as a reader does."""
    page.locator(".lm-MenuBar-itemLabel", has_text=title).first.click()
    page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel", has_text=item).first.click()


def state_of(page):
    """The code cells' prompts ("[ ]:" unrun, "[*]:" queued or running,
    "[7]:" done) and the kernel's status as the status bar shows it."""
    return page.evaluate("""() => ({
        prompts: Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))
                      .map(p => p.textContent.trim()),
        kernel: (Array.from(document.querySelectorAll('.jp-StatusBar-TextItem')).map(e => e.textContent)
                 .find(t => t.includes('|')) || '').split('|').pop().trim(),
    })""")


def finished(state):
    """The run is over: nothing queued or running, some cell ran, the kernel idle."""
    prompts = state["prompts"]
    return state["kernel"] == "Idle" and "[*]:" not in prompts and any(p != "[ ]:" for p in prompts)


def wait_for(page, what, condition, timeout=180):
    deadline = time.monotonic() + timeout
    while not condition(state := state_of(page)):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}: {state}")
        time.sleep(1)


def test_run_all_cells_in_jupyterlab_leaves_no_error_and_no_unrun_cell(notebook_page):
    page, notebook = notebook_page
    code = [c for c in notebook["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "a cell was left unrun or ran twice"
    errors = [("".join(c["source"])[:60], o.get("ename"), o.get("evalue"))
              for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"error outputs after Run All: {errors}"
    stderr = [("".join(c["source"])[:60], "".join(o["text"])[-300:]) for c in code for o in c["outputs"]
              if o["output_type"] == "stream" and "Traceback" in "".join(o["text"])]
    assert not stderr, f"tracebacks printed: {stderr}"
    def verdicts(tag):
        return ["".join(o.get("text", "")) for c in code if "check_" in "".join(c["source"])
                and tag in c["metadata"].get("tags", []) for o in c["outputs"]]

    # A checker right after an untouched stub rejects it; the solution's own check passes.
    assert verdicts("exercise") and all(text.startswith("✗") for text in verdicts("exercise"))
    assert verdicts("solution") and all("✓" in text for text in verdicts("solution"))


def test_exercises_render_as_boxes_with_typeset_maths(notebook_page):
    """jupyterlab-myst draws each exercise as a box (an aside whose id is
    the exercise's label) with its title and maths typeset."""
    page, notebook = notebook_page
    statements = ["".join(c["source"]) for c in notebook["cells"] if "".join(c["source"]).startswith(":::{exercise}")]
    labels = [re.search(r"^:label: (\S+)", text, flags=re.M).group(1) for text in statements]
    assert len(labels) >= 3
    boxes = page.evaluate("""labels => labels.map(label => {
        const box = document.querySelector(`aside.myst-exercise[id="${label}"]`);
        return box && {
            title: (box.querySelector('.myst-exercise-title') || {}).textContent || '',
            text: box.textContent,
            maths: box.querySelectorAll('.katex, mjx-container, .MathJax').length,
        };
    })""", labels)
    missing = [label for label, box in zip(labels, boxes) if box is None]
    assert not missing, f"exercises not rendered as boxes: {missing}"
    for box in boxes:
        assert box["title"].startswith("Exercise"), box
        assert ":label:" not in box["text"] and ":::" not in box["text"], box
    with_maths = [box for box, text in zip(boxes, statements) if "$" in text]
    assert with_maths and all(box["maths"] > 0 and "$" not in box["text"] for box in with_maths), with_maths
    page.locator(f"aside[id='{labels[0]}']").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "lab_06_mnist_exercise.png"))
