"""nnlib.figures: the record of a figure's smallest text is true to the
pixels, the PNG is drawn at twice the size it is shown at, and the
animation player works offline with alt text and a stable id."""
import base64
import io
import json
import re

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from nnlib import figures  # noqa: E402

pytest.importorskip("IPython")


@pytest.fixture(autouse=True)
def book_style():
    with plt.rc_context(figures.STYLE):
        yield
    plt.close("all")


def decode(shown):
    data, metadata = shown
    return Image.open(io.BytesIO(base64.b64decode(data))), metadata


def test_the_png_is_twice_the_size_it_is_shown_at_and_records_its_smallest_text():
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title", fontsize=14)
    ax.text(0.5, 0.5, "small print", fontsize=8.5)
    ax.text(0.5, 0.2, "not drawn", fontsize=5, visible=False)
    png, metadata = decode(figures.sharp_png(fig))
    record = json.loads(png.text["Smallest text"])
    assert record == {"points": 8.5, "text": "small print", "dpi": 2 * figures.DPI}
    assert set(metadata) == {"width"} and png.width == 2 * metadata["width"]
    assert round(png.info["dpi"][0]) == 2 * figures.DPI


def test_the_recorded_size_matches_the_ink_of_the_letters():
    """points * dpi / 72 pixels is the font's size in the PNG: a capital H
    of DejaVu Sans is 0.729 of it tall (its cap height)."""
    fig = plt.figure(figsize=(2, 1))
    fig.text(0.1, 0.3, "HHH", fontsize=20, family="DejaVu Sans")
    fig.add_axes((0, 0, 0.01, 0.01)).axis("off")  # an empty figure shows nothing
    png, _ = decode(figures.sharp_png(fig))
    record = json.loads(png.text["Smallest text"])
    ink = np.asarray(png.convert("L")) < 128
    rows = np.flatnonzero(ink.any(axis=1))
    height = rows[-1] - rows[0] + 1
    expected = record["points"] * record["dpi"] / 72 * 0.729
    assert abs(height - expected) <= 2, (height, expected)


def test_a_text_chunk_keeps_the_png_valid():
    png = io.BytesIO()
    Image.new("RGB", (3, 2), "white").save(png, "png")
    marked = figures.with_text_chunk(png.getvalue(), "Key", '{"a": 1}')
    image = Image.open(io.BytesIO(marked))
    image.load()
    assert image.text["Key"] == '{"a": 1}' and image.size == (3, 2)


def test_the_animation_player_works_offline_with_alt_text():
    fig, ax = plt.subplots(figsize=(3, 2))
    line, = ax.plot([], [])
    ax.set(xlim=(0, 3), ylim=(0, 9), title="squares")

    def draw(i):
        line.set_data(range(i + 1), [k * k for k in range(i + 1)])

    animation = FuncAnimation(fig, draw, frames=3, interval=100)
    page = figures.animation_html(animation, alt="A parabola drawn point by point.", name="parabola").data
    assert "http" not in page and "fa fa-" not in page
    assert '<img id="_anim_imgparabola" alt="A parabola drawn point by point." style="width: 288px">' in page
    assert 'aria-label="frame"' in page and "anim_sliderparabola" in page
    frames = re.findall(r'data:image/png;base64,([^"]*)"', page)
    assert len(frames) == 3
    first = Image.open(io.BytesIO(base64.b64decode(frames[0])))
    assert first.size == (2 * 288, 2 * 192) and first.mode == "P"
    record = json.loads(re.search(r'data-smallest-text="([^"]*)"', page).group(1).replace("&quot;", '"'))
    assert record["points"] == figures.SMALLEST and record["dpi"] == 2 * figures.DPI
