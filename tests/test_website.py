"""The built website, opened in a real (headless) Chromium with no internet.

Every page is loaded from a local server while every request to any other
host is refused, so the test proves the site works offline. A page fails on
math left as raw LaTeX, an image that did not load, an internal link or
anchor that leads nowhere, a JavaScript error, or a missing entry in the
navigation. A screenshot of each page is saved in artifacts/screenshots/.
"""
import functools
import http.server
import os
import pathlib
import re
import shutil
import subprocess
import threading
import urllib.parse

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "artifacts" / "screenshots"
SOURCES = [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("*.md"), ROOT / "_config.yml", ROOT / "_toc.yml"]
SPECIAL = {"genindex.html", "search.html"}
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
# Visible text outside code that still holds LaTeX means MathJax did not typeset it.
RAW_LATEX = re.compile(r"\\\(|\\\[|\$\$|\\(frac|partial|sum|mathbf|top|begin|sigma)\b")


def build_if_stale():
    index = SITE / "index.html"
    if not index.exists() or max(p.stat().st_mtime for p in SOURCES) > index.stat().st_mtime:
        subprocess.run(["make", "book"], cwd=ROOT, check=True)


def find_chromium():
    """Debian's Chromium, installed with apt-get when missing and we may; else None."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate:
            return candidate
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, check=False)
        return shutil.which("chromium")
    return None


@pytest.fixture(scope="module")
def server():
    build_if_stale()
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    executable = find_chromium()
    with playwright.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        except Exception as e:  # no Chromium at all: say so loudly, skip only the browser tests
            pytest.skip(f"BROWSER TESTS NOT RUN: no usable Chromium ({executable or 'none found'}): {e}")
        yield browser
        browser.close()


def pages():
    """Every page of the book: not Sphinx's own index and search pages, not the
    redirect that index.html is, nothing from _static or the MathJax copy."""
    found = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if not p.relative_to(SITE).parts[0].startswith("_") and p.relative_to(SITE).parts[0] != "mathjax")
    return [p for p in found if p not in SPECIAL and 'http-equiv="Refresh"' not in (SITE / p).read_text(encoding="utf-8")]


def visit(browser, url, base):
    """Open ``url`` offline; return the page and the JavaScript errors it raised."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")
    return page, errors


def anchors_of(relative):
    return set(re.findall(r'\bid="([^"]+)"', (SITE / relative).read_text(encoding="utf-8")))


def test_every_page_renders_offline(server, browser):
    all_pages = pages()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    expected = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    assert [f"{name}.html" for name in expected if f"{name}.html" not in all_pages] == [], "pages not built"
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    links = {}
    for relative in all_pages:
        page, errors = visit(browser, server + relative, server)
        report = page.evaluate(r"""() => {
            const hidden = n => n.parentElement && n.parentElement.closest('pre, code, script, style, textarea, mjx-container, .highlight');
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            let text = '';
            for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!hidden(n)) text += n.textContent + ' ';
            return {
                text,
                math: document.querySelectorAll('.math').length,
                typeset: document.querySelectorAll('.math mjx-container, mjx-container').length,
                broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
                links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
            };
        }""")
        page.screenshot(path=str(SHOTS / (relative.replace("/", "_")[:-5] + ".png")), full_page=True)
        page.close()
        raw = RAW_LATEX.search(report["text"])
        if raw:
            start = max(raw.start() - 40, 0)
            problems.append(f"{relative}: raw LaTeX on the page: ...{report['text'][start:raw.end() + 40]!r}")
        if report["math"] and not report["typeset"]:
            problems.append(f"{relative}: {report['math']} formulas, none typeset by MathJax")
        problems += [f"{relative}: image did not load: {src}" for src in report["broken"]]
        problems += [f"{relative}: JavaScript error: {e}" for e in errors]
        links[relative] = [link for link in report["links"] if link.startswith(server)]
    for relative, hrefs in links.items():
        for href in hrefs:
            target, _, fragment = href[len(server):].partition("#")
            target = urllib.parse.unquote(target.split("?")[0]) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (SITE / target).is_file():
                problems.append(f"{relative}: link to {target}, which does not exist")
            elif fragment and target.endswith(".html") and urllib.parse.unquote(fragment) not in anchors_of(target):
                problems.append(f"{relative}: link to {target}#{fragment}, an anchor that does not exist")
    assert not problems, "\n".join(problems)


def test_every_page_is_in_the_navigation(server, browser):
    page, _ = visit(browser, server + "intro.html", server)
    nav = page.evaluate("() => Array.from(document.querySelectorAll('nav.bd-links a, .bd-sidebar-primary a')).map(a => a.href)")
    page.close()
    listed = {urllib.parse.urlparse(h).path.lstrip("/") for h in nav}
    missing = [p for p in pages() if p != "intro.html" and p not in listed]
    assert not missing, f"pages missing from the navigation: {missing}"


def test_chapter_pages_offer_download_binder_and_colab(server, browser):
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    slug = urllib.parse.urlparse(repository).path.strip("/")
    chapters = [p for p in pages() if p.startswith("chapters/")]
    assert chapters
    for relative in chapters:
        name = relative[len("chapters/"):-len(".html")]
        page, _ = visit(browser, server + relative, server)
        hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        page.close()
        assert any(h.endswith(f"_sources/chapters/{name}.ipynb") for h in hrefs), f"{relative}: no .ipynb download"
        assert any("mybinder.org" in h and slug in h and name in h for h in hrefs), f"{relative}: no Binder button"
        assert any("colab.research.google.com" in h and slug in h and f"{name}.ipynb" in h for h in hrefs), f"{relative}: no Colab button"
        assert any(h.startswith(repository) for h in hrefs), f"{relative}: no repository button"


def test_search_works_offline(server, browser):
    page, errors = visit(browser, server + "search.html?q=gradient", server)
    page.wait_for_selector("#search-results ul.search li", timeout=20000)
    found = page.locator("#search-results ul.search li").count()
    page.close()
    assert found >= 3 and not errors
