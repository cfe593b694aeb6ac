"""Every figure and animation of the book is legible on a phone and sharp
on a high-DPI screen, as stored in the chapters.

How the text is measured. ``nnlib.figures`` (every chapter's import cell
calls ``use_book_style()``) draws each figure as a PNG and records in it,
as a tEXt entry ``Smallest text``, the size in points of the smallest text
matplotlib drew into that very image, and the dpi it drew at; an
animation's player records the same for its frames (``data-smallest-text``).
A point is 1/72 inch, so that text is ``points * dpi / 72`` pixels of the
PNG (tests/test_figure_style.py checks this against the glyphs' ink). The
page shows the PNG at the CSS width the output names (half its pixels);
on a phone 390 px wide the text column is 358 px (tests/test_website.py
measures it), so a wider figure is scaled by 358 / its width, and the
smallest text shows at ``points * dpi / 72 * min(width, 358) / PNG width``
CSS px. A figure drawn without the record fails: so did every figure of
the chapters before this test, 1x PNGs of the inline backend. Measured the
same way (chapters 1-5 re-run with the record, 6-11 from the sizes their
code set), their smallest text on a phone was 6.2 px (chapters 4 and 6) to
7.3 px (chapter 11). The record counts a label's own size: the exponent of
a tick label such as 10^-3 is typeset smaller than the label.
"""
import base64
import html
import io
import json
import re

import pytest
from PIL import Image

from notebooks import CHAPTERS, load

PHONE_COLUMN = 358   # CSS px a figure gets on a page 390 px wide
DESKTOP_COLUMN = 688  # ... and at 1280 px
SMALLEST_PX = 9.0     # the smallest text a phone should show, CSS px
ANIMATION_BYTES = 1_500_000  # stored animations, per chapter


def figures(path):
    """(cell number, what it is, record, PNG width, CSS width) of every
    figure and animation stored in the chapter at ``path``."""
    found = []
    for number, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                png = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
                shown = output.get("metadata", {}).get("image/png", {}).get("width", png.width)
                record = png.text.get("Smallest text")
                found.append((number, "figure", record and json.loads(record), png.width, int(shown)))
            page = data.get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            if "_anim_img" in page:
                record = re.search(r'data-smallest-text="([^"]*)"', page)
                frame = re.search(r'data:image/png;base64,([^"]*)"', page)
                width = re.search(r'<img id="_anim_img\w+"[^>]*style="width: (\d+)px"', page)
                png = Image.open(io.BytesIO(base64.b64decode(frame.group(1).replace("\\\n", ""))))
                found.append((number, "animation", record and json.loads(html.unescape(record.group(1))),
                              png.width, int(width.group(1)) if width else png.width))
    return found


def smallest_text_px(record, png_width, css_width, column):
    """The smallest text's height in CSS px when the figure is shown in a
    text column ``column`` px wide."""
    in_png = record["points"] * record["dpi"] / 72
    return in_png * min(css_width, column) / png_width


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_figures_are_legible_on_a_phone_and_sharp(path):
    problems = []
    for number, kind, record, png_width, css_width in figures(path):
        where = f"cell {number}, {kind}"
        if record is None:
            problems.append(f"{where}: no record of its smallest text; draw it after use_book_style()")
            continue
        phone = smallest_text_px(record, png_width, css_width, PHONE_COLUMN)
        if phone < SMALLEST_PX:
            problems.append(f"{where}: {record['text']!r} at {record['points']:g} pt shows at "
                            f"{phone:.1f} px on a phone (figure {css_width} px wide)")
        if abs(png_width - 2 * css_width) > 1:
            problems.append(f"{where}: {png_width} pixels shown at {css_width} px, not 2x")
        if css_width > DESKTOP_COLUMN:
            problems.append(f"{where}: {css_width} px wide, more than the {DESKTOP_COLUMN}-px column")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_stored_animations_are_small(path):
    stored = 0
    for cell in load(path)["cells"]:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            page = "".join(page) if isinstance(page, list) else page
            if "_anim_img" in page:
                stored += len(page.encode())
                assert "http://" not in page and "https://" not in page, "the player fetches from the internet"
                assert re.search(r'<img id="_anim_img\w+" alt="[^"]{20,}"', page), "the frames need alt text"
    assert stored <= ANIMATION_BYTES, f"{stored:,} bytes of animation"
