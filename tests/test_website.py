"""The built website, opened in a real (headless) Chromium with no internet.

Every page is loaded from a local server while every request to any other
host is refused, so the test proves the site works offline. A page fails on
math left as raw LaTeX, an image that did not load or lacks alt text, an
internal link or anchor that leads nowhere, a JavaScript error, or a missing
entry in the navigation. A screenshot of each page in each view (desktop,
dark, phone) is saved in artifacts/screenshots/<view>/.
"""
import concurrent.futures
import functools
import http.server
import pathlib
import re
import subprocess
import threading
import urllib.parse

import playwright.sync_api
import pytest
import yaml
from chromium import CHROMIUM_FLAGS, find_chromium

ROOT = pathlib.Path(__file__).resolve().parent.parent
SITE = ROOT / "_build" / "html"
SHOTS = ROOT / "artifacts" / "screenshots"
AXE = ROOT / "_axe" / "node_modules" / "axe-core" / "axe.min.js"  # installed by `make test`
SOURCES = [*ROOT.glob("chapters/*.ipynb"), *ROOT.glob("*.md"), *ROOT.glob("_static/*"), ROOT / "_config.yml", ROOT / "_toc.yml"]
SPECIAL = {"genindex.html", "search.html"}
# Visible text outside code that still holds LaTeX means MathJax did not typeset it.
RAW_LATEX = re.compile(r"\\\(|\\\[|\$\$|\\(frac|partial|sum|mathbf|top|begin|sigma)\b")


def build_if_stale():
    index = SITE / "index.html"
    if not index.exists() or max(p.stat().st_mtime for p in SOURCES) > index.stat().st_mtime:
        subprocess.run(["make", "book"], cwd=ROOT, check=True)


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
    executable = find_chromium()
    with playwright.sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def pages():
    """Every page of the book: not Sphinx's own index and search pages, not the
    redirect that index.html is, nothing from _static or the MathJax copy."""
    found = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                   if not p.relative_to(SITE).parts[0].startswith("_") and p.relative_to(SITE).parts[0] != "mathjax")
    return [p for p in found if p not in SPECIAL and 'http-equiv="Refresh"' not in (SITE / p).read_text(encoding="utf-8")]


def visit(browser, url, base, width=1280, mode="light"):
    """Open ``url`` offline in a window ``width`` px wide, in the site's light or
    dark mode; return the page and the JavaScript errors it raised."""
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=mode)
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}')")
    errors = []
    page.on("console", lambda m: errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
    page.goto(url, wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise.then(() => true) : true")
    return page, errors


def anchors_of(relative):
    return set(re.findall(r'\bid="([^"]+)"', (SITE / relative).read_text(encoding="utf-8")))


PHONE_LAYOUT = """() => ({
            pageWidth: document.documentElement.scrollWidth,
            unhinted: Array.from(document.querySelectorAll(
                    ".bd-article .pst-scrollable-table-container, .bd-article div.math mjx-container[display='true']"))
                .filter(b => b.scrollWidth > b.clientWidth + 1)
                .filter(b => !['auto', 'scroll'].includes(getComputedStyle(b).overflowX) || !b.classList.contains('more-right'))
                .map(b => b.textContent.slice(0, 40)),
            cut: Array.from(document.querySelectorAll(".bd-article div.math"))
                .filter(m => { const e = m.querySelector('mjx-container'); return e && e.getBoundingClientRect().right > m.getBoundingClientRect().right + 1; })
                .map(m => m.textContent.slice(0, 40)),
            // Text flows beside a floated image in what the image leaves of the column.
            floats: Array.from(document.querySelectorAll(".bd-article *"))
                .filter(e => getComputedStyle(e).float !== 'none')
                .map(e => e.getBoundingClientRect().width),
            article: document.querySelector(".bd-article").getBoundingClientRect().width,
        })"""


# Each page is opened once per width, and every check that needs that width
# runs on the same load; the dark view is the desktop load after a click on
# the page's mode button.
VIEWS = {"desktop": 1280, "phone": 390}
BROWSERS = 3


def survey(server, width, check):
    """``check(page, relative, errors)`` on every page opened offline ``width``
    px wide in light mode; returns {page: result}. The pages are shared out
    between a few browsers side by side; Playwright's sync API wants one
    instance per thread, so each thread starts its own."""
    def work(chunk):
        with playwright.sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS)
            results = {}
            for relative in chunk:
                page, errors = visit(browser, server + relative, server, width)
                results[relative] = check(page, relative, errors)
                page.close()
            browser.close()
        return results

    everything = pages()
    with concurrent.futures.ThreadPoolExecutor(BROWSERS) as pool:
        parts = pool.map(work, [everything[i::BROWSERS] for i in range(BROWSERS)])
        return {relative: result for part in parts for relative, result in part.items()}


def screenshot(page, relative, view):
    """The whole page as a reader of ``view`` sees it, for a person to look at:
    artifacts/screenshots/<view>/<page>.png."""
    folder = SHOTS / view
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / (relative.replace("/", "_")[:-5] + ".png")), full_page=True)


# Each figure: its name, the width it is shown at, its pixels, and its column's width.
FIGURES = """() => Array.from(document.querySelectorAll('.cell_output img'))
    .map(i => [i.getAttribute('src') ? i.getAttribute('src').slice(-20) : i.id,
               i.getBoundingClientRect().width, i.naturalWidth,
               i.closest('.cell_output').getBoundingClientRect().width])"""


# Each checker verdict after an exercise: its start and how far it overflows
# its block (a verdict on the untouched stub is one long line).
VERDICTS = """() => Array.from(document.querySelectorAll('.tag_exercise .cell_output pre'))
    .map(p => [p.textContent.slice(0, 40), p.scrollWidth - p.clientWidth])"""


# Each heading in the page contents that ends in a bracket after a formula:
# its text, the formula's bottom and the closing bracket's top.
BRACKETS = """() => Array.from(document.querySelectorAll('.bd-toc a'))
    .filter(a => a.querySelector('mjx-container') && a.textContent.trim().endsWith(')'))
    .map(a => {
        const math = a.querySelector('mjx-container').getBoundingClientRect();
        const walker = document.createTreeWalker(a, NodeFilter.SHOW_TEXT);
        let last = null;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.textContent.includes(')') && !n.parentElement.closest('mjx-container')) last = n;
        const range = document.createRange();
        range.setStart(last, last.textContent.lastIndexOf(')'));
        range.setEnd(last, last.textContent.lastIndexOf(')') + 1);
        return [a.textContent.trim(), math.bottom, range.getBoundingClientRect().top];
    })"""


# What axe checks in each view: every rule at 1280 px; in dark mode only the
# colours' contrast (the rest does not depend on the colours); at 390 px all
# but the contrast (the colours do not depend on the width), which takes most
# of axe's time.
AXE_RULES = {"desktop": {}, "dark": {"runOnly": ["color-contrast"]},
             "phone": {"rules": {"color-contrast": {"enabled": False}}}}


def axe(page, view):
    """axe-core's violations of serious or critical impact on the page."""
    if not page.evaluate("() => 'axe' in window"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate("""options => axe.run(document, {resultTypes: ['violations'], ...options}).then(r => r.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.impact} ${v.id} (${v.nodes.length}x, e.g. ${v.nodes[0].target.join(' ')}): ${v.help}`))""",
                         AXE_RULES[view])


def on_the_desktop(page, relative, errors):
    """What a reader meets at 1280 px: text, maths, images, links and axe's
    findings; then the same page switched to dark mode by its own button, as
    a reader switches it: axe's contrast check. A screenshot of each is kept."""
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
                // A screen reader reads the alt text: it must say something, not name a file
                // (a path is one word with a slash; a sentence may hold a slash, as in dL/dW).
                unnamed: Array.from(document.images).filter(i => !i.alt.trim() || /^\S*[\/\\]\S*$|\.(png|svg|jpe?g|gif)$|^[0-9a-f]{16,}$/i.test(i.alt.trim())).map(i => `${i.src} (alt ${JSON.stringify(i.alt)})`),
                links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
                nav: Array.from(document.querySelectorAll('nav.bd-links a, .bd-sidebar-primary a')).map(a => a.href),
            };
        }""")
    screenshot(page, relative, "desktop")
    # Copied before axe, which fetches the style sheets again from where it
    # guesses they are (a 404 for ../basic.css that no reader meets).
    report |= {"errors": list(errors), "figures": page.evaluate(FIGURES), "verdicts": page.evaluate(VERDICTS),
               "brackets": page.evaluate(BRACKETS), "axe": axe(page, "desktop")}
    # The button's own click handler, without a pointer over it: the
    # tooltip a pointer brings fades in, and axe, reading its colours half
    # faded, reports its white on black as low contrast.
    page.locator(".theme-switch-button").first.dispatch_event("click")
    theme = page.evaluate("() => document.documentElement.dataset.theme")
    screenshot(page, relative, "dark")
    return report | {"dark": {"theme": theme, "axe": axe(page, "dark")}}


def on_a_phone(page, relative, errors):
    """At 390 px: the page's width, boxes that scroll with no sign of it,
    equations cut at the edge, floats beside the text; and axe's findings but
    colour contrast, which does not depend on the width."""
    page.wait_for_timeout(300)  # the hints follow MathJax's layout
    screenshot(page, relative, "phone")
    return page.evaluate(PHONE_LAYOUT) | {"figures": page.evaluate(FIGURES), "verdicts": page.evaluate(VERDICTS),
                                          "axe": axe(page, "phone")}


@pytest.fixture(scope="module")
def view(server):
    """view(name) -> {page: report} for "desktop", "dark" or "phone"; each
    width is surveyed once."""
    checks = {"desktop": on_the_desktop, "phone": on_a_phone}

    @functools.cache
    def seen(name):
        if name == "dark":
            return {page: report["dark"] for page, report in seen("desktop").items()}
        return survey(server, VIEWS[name], checks[name])
    return seen


def test_every_page_renders_offline(server, view):
    all_pages = pages()
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    expected = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    assert [f"{name}.html" for name in expected if f"{name}.html" not in all_pages] == [], "pages not built"
    problems = []
    for relative, report in view("desktop").items():
        raw = RAW_LATEX.search(report["text"])
        if raw:
            start = max(raw.start() - 40, 0)
            problems.append(f"{relative}: raw LaTeX on the page: ...{report['text'][start:raw.end() + 40]!r}")
        if report["math"] and not report["typeset"]:
            problems.append(f"{relative}: {report['math']} formulas, none typeset by MathJax")
        problems += [f"{relative}: image did not load: {src}" for src in report["broken"]]
        problems += [f"{relative}: image without alt text: {image}" for image in report["unnamed"]]
        problems += [f"{relative}: JavaScript error: {e}" for e in report["errors"]]
        for href in (link for link in report["links"] if link.startswith(server)):
            target, _, fragment = href[len(server):].partition("#")
            target = urllib.parse.unquote(target.split("?")[0]) or "index.html"
            if target.endswith("/"):
                target += "index.html"
            if not (SITE / target).is_file():
                problems.append(f"{relative}: link to {target}, which does not exist")
            elif fragment and target.endswith(".html") and urllib.parse.unquote(fragment) not in anchors_of(target):
                problems.append(f"{relative}: link to {target}#{fragment}, an anchor that does not exist")
    assert not problems, "\n".join(problems)


def test_every_page_is_in_the_navigation(view):
    listed = {urllib.parse.urlparse(h).path.lstrip("/") for h in view("desktop")["intro.html"]["nav"]}
    missing = [p for p in pages() if p != "intro.html" and p not in listed]
    assert not missing, f"pages missing from the navigation: {missing}"


def test_chapter_pages_offer_download_binder_and_colab(view):
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    slug = urllib.parse.urlparse(repository).path.strip("/")
    chapters = {p: report for p, report in view("desktop").items() if p.startswith("chapters/")}
    assert chapters
    for relative, report in chapters.items():
        name = relative[len("chapters/"):-len(".html")]
        hrefs = report["links"]
        assert any(h.endswith(f"_sources/chapters/{name}.ipynb") for h in hrefs), f"{relative}: no .ipynb download"
        assert any("mybinder.org" in h and slug in h and name in h for h in hrefs), f"{relative}: no Binder button"
        assert any("colab.research.google.com" in h and slug in h and f"{name}.ipynb" in h for h in hrefs), f"{relative}: no Colab button"
        assert any(h.startswith(repository) for h in hrefs), f"{relative}: no repository button"


def test_search_works_offline_and_typesets_the_maths_it_quotes(server, browser):
    page, errors = visit(browser, server + "search.html?q=softmax", server)
    page.wait_for_selector("#search-results ul.search li", timeout=20000)
    page.wait_for_selector("#search-results mjx-container", timeout=20000)
    page.wait_for_function(r"() => !/\\\(/.test(document.querySelector('#search-results').textContent)", timeout=20000)
    found = page.locator("#search-results ul.search li").count()
    text = page.evaluate("() => document.querySelector('#search-results').innerText")
    page.close()
    assert found >= 3 and not errors
    raw = RAW_LATEX.search(text)
    assert not raw, f"raw LaTeX in the search results: {text[max(raw.start() - 40, 0):raw.end() + 40]!r}"


def visible(page, selector):
    """How many elements matching ``selector`` a reader can see."""
    return page.evaluate("""s => Array.from(document.querySelectorAll(s)).filter(e => {
        const r = e.getBoundingClientRect(), style = getComputedStyle(e);
        return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && r.right > 0 && r.left < innerWidth;
    }).length""", selector)


def test_menus_open_on_a_phone(server, browser):
    """At 390 px the navigation button shows the chapter list, the contents
    button the page's sections."""
    page, errors = visit(browser, server + "chapters/03_dense_layer.html", server, width=390)
    chapters, sections = "#pst-primary-sidebar-modal nav.bd-docs-nav a", "#pst-secondary-sidebar-modal nav a"
    assert visible(page, "nav.bd-docs-nav a") == 0, "the chapter list shows before the button is pressed"
    page.locator(".bd-header-article .primary-toggle").click()
    assert visible(page, chapters) >= 11, "the navigation button opened no chapter list"
    page.keyboard.press("Escape")
    assert visible(page, chapters) == 0, "Escape did not close the chapter list"
    page.locator(".bd-header-article .secondary-toggle").click()
    assert visible(page, sections) >= 3, "the contents button opened no page contents"
    page.close()
    assert not errors


def test_navigation_button_toggles_the_sidebar_on_a_desktop(server, browser):
    page, errors = visit(browser, server + "chapters/03_dense_layer.html", server)
    button = page.locator(".bd-header-article .primary-toggle")
    shown = [visible(page, "#pst-primary-sidebar nav.bd-docs-nav a")]
    for _ in range(2):
        button.click()
        page.wait_for_timeout(400)  # the sidebar slides
        shown.append(visible(page, "#pst-primary-sidebar nav.bd-docs-nav a"))
    page.close()
    assert shown[0] >= 11 and shown[1] == 0 and shown[2] == shown[0], f"chapter links seen: {shown}"
    assert not errors


@pytest.mark.parametrize("name", ["desktop", "dark", "phone"])
def test_no_serious_accessibility_violations(view, name):
    """axe-core on every page (AXE_RULES says which rules in which view): no
    violation of serious or critical impact."""
    assert AXE.is_file(), f"axe-core missing: run `make {AXE.relative_to(ROOT)}` (make test does)"
    if name == "dark":
        light = [relative for relative, report in view(name).items() if report["theme"] != "dark"]
        assert not light, f"the mode button did not switch these pages to dark: {light}"
    found = [f"{relative}: {v}" for relative, report in view(name).items() for v in report["axe"]]
    assert not found, "\n".join(found)


def test_readable_on_a_phone(view):
    """At 390 px nothing widens the page: a wide table or equation scrolls in
    its own box and fades at the edge with more to show; no floated image
    (the intro's logo) squeezes the text beside it."""
    problems = []
    for relative, report in view("phone").items():
        if report["pageWidth"] > 391:
            problems.append(f"{relative}: the page is {report['pageWidth']} px wide")
        problems += [f"{relative}: scrolls with no sign of it: {text!r}" for text in report["unhinted"]]
        problems += [f"{relative}: equation cut at the right edge: {text!r}" for text in report["cut"]]
        problems += [f"{relative}: a float takes {width:.0f} of the {report['article']:.0f}-px column, squeezing the text"
                     for width in report["floats"] if width > report["article"] / 4]
    assert not problems, "\n".join(problems)


def test_a_tap_shows_a_figure_at_full_size_on_a_phone(server, browser):
    page, _ = visit(browser, server + "chapters/08_moons.html", server, width=390)
    figure = page.locator(".cell_output > img").nth(2)
    # A figure is stored at twice the pixels of the width its style names.
    fitted = figure.evaluate("i => [i.getBoundingClientRect().width, parseFloat(i.style.width)]")
    figure.click()
    zoomed = figure.evaluate("i => [i.getBoundingClientRect().width, i.closest('.cell_output').scrollWidth > i.closest('.cell_output').clientWidth]")
    figure.click()
    again = figure.evaluate("i => i.getBoundingClientRect().width")
    page.close()
    assert fitted[0] < 0.75 * fitted[1], f"the figure should be shrunk to the phone's width first: {fitted}"
    assert zoomed == [fitted[1], True], f"tapped, the figure should show at its {fitted[1]} px in a box that scrolls: {zoomed}"
    assert again == fitted[0]


def test_printed_pages_leave_out_the_solutions(server, browser):
    page, _ = visit(browser, server + "chapters/04_activation_layer.html", server)
    assert visible(page, ".admonition.solution") >= 3
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")  # what printing fires
    shown = visible(page, ".admonition.solution, .tag_solution, button.toggle-button")
    exercises = visible(page, ".admonition.exercise")
    text = page.evaluate("() => document.body.innerText")
    page.close()
    assert shown == 0, f"{shown} solution parts printed"
    assert exercises >= 3, "the exercises must still print"
    assert "Click to" not in text


def test_mode_button_switches_light_and_dark_and_figures_stay_clear(server, browser):
    page, _ = visit(browser, server + "chapters/06_mnist.html", server)
    page.evaluate("() => localStorage.clear()")
    page.reload()
    themes = [page.evaluate("() => document.documentElement.dataset.theme")]
    for _ in range(2):
        page.locator(".theme-switch-button").first.click()
        themes.append(page.evaluate("() => document.documentElement.dataset.theme"))
    page.locator(".theme-switch-button").first.click()
    figures = page.evaluate("""() => Array.from(document.querySelectorAll('.cell_output > img'))
        .map(i => [getComputedStyle(i).filter, getComputedStyle(i).backgroundColor])""")
    page.close()
    assert themes == ["light", "dark", "light"], f"each click should switch: {themes}"
    assert figures and all(f == ["none", "rgb(255, 255, 255)"] for f in figures), \
        f"figures in dark mode are dimmed or framed: {sorted(set(map(tuple, figures)))}"


def test_a_formula_in_the_page_contents_keeps_its_closing_bracket(view):
    assert view("desktop")["chapters/08_moons.html"]["brackets"], "chapter 8 has a heading with a formula in brackets"
    alone = [f"{relative}: {text}" for relative, report in view("desktop").items()
             for text, math_bottom, bracket_top in report["brackets"] if bracket_top >= math_bottom - 2]
    assert not alone, f"a closing bracket wraps to a line of its own: {alone}"


@pytest.mark.parametrize("name", ["desktop", "phone"])
def test_checker_verdicts_wrap_to_the_page(view, name):
    """A verdict on the untouched stub is one long line: it wraps, not scrolls."""
    assert len(view(name)["chapters/07_xor.html"]["verdicts"]) >= 3
    scrolled = [f"{relative}: {block}" for relative, report in view(name).items()
                for block in report["verdicts"] if block[1] > 1]
    assert not scrolled, scrolled


@pytest.mark.parametrize("name", ["desktop", "phone"])
def test_figures_show_sharp_at_their_size(view, name):
    """Every figure is a PNG of twice the pixels it is shown at on a desktop
    (sharp on a high-DPI screen, its text the size tests/test_figures.py
    computes); on a phone it fits the 358-px column that test assumes."""
    column = {"desktop": 688, "phone": 358}[name]
    problems = []
    for relative, report in view(name).items():
        if not relative.startswith("chapters/"):
            continue
        for image, rect, natural, output in report["figures"]:
            if abs(output - column) > 1:
                problems.append(f"{relative}: the output column is {output:.0f} px, not {column}")
            if name == "desktop" and abs(rect - natural / 2) > 1:
                problems.append(f"{relative}: {image} shown {rect:.0f} px wide from {natural} pixels")
            if rect > column + 0.5:
                problems.append(f"{relative}: {image} is {rect:.0f} px wide in a {column}-px column")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("chapter", ["07_xor", "08_moons"])
def test_animations_play_offline(server, browser, chapter, width):
    """matplotlib's JavaScript player: it shows its first frame, the Play
    button steps through the frames, and it fits a phone's page."""
    page, errors = visit(browser, server + f"chapters/{chapter}.html", server, width=width)
    player = page.locator(".cell_output .animation")
    assert player.count() == 1
    player.scroll_into_view_if_needed()
    image = player.locator("img")
    before = image.evaluate("i => [i.complete && i.naturalWidth > 0, i.src.length, i.getBoundingClientRect().width, i.alt]")
    first = image.get_attribute("src")
    player.get_by_role("button", name="Play", exact=True).click()
    # Play steps the slider a frame at a time: wait for its second step.
    page.wait_for_function("() => parseInt(document.querySelector('.animation .anim-slider').value) >= 2")
    after = image.get_attribute("src")
    player.get_by_role("button", name="Pause").click()
    page_width = page.evaluate("() => document.documentElement.scrollWidth")
    page.close()
    assert before[0] and before[1] > 1000, "the first frame did not show"
    assert len(before[3]) > 40, "the frames need alt text"
    assert after != first, "Play moved the slider but not the picture"
    assert before[2] <= {1280: 688, 390: 358}[width] and page_width <= width + 1
    assert not errors, errors
