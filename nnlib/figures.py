"""The book's figures: text a phone can read, sharp on high-DPI screens.

Every chapter calls :func:`use_book_style` in its import cell. It sets
matplotlib's defaults (figures 6 inches wide at most, no text under 11
points) and shows each figure in Jupyter as a PNG drawn at twice its
resolution but displayed at its own size: 96 pixels per inch, the CSS
pixels of a web page, so a 6-inch figure is 576 px wide on the website
and its 1,152 image pixels keep it sharp on a high-DPI screen.

A phone 390 px wide leaves a figure 358 px, so 11-point text in a
6-inch figure shows at 11 / 72 * 96 * 358 / 576 = 9.1 px there. Each
PNG records the smallest text drawn in it (the ``Smallest text`` entry
of its metadata), which the book's tests read to check every figure.
"""
import base64
import contextlib
import json
import re
import struct
import zlib

DPI = 96          # pixels per inch on the page: a figure's size in CSS px
WIDTH = 6.0       # inches: the widest figure
SMALLEST = 11.0   # points: the smallest text in a figure

STYLE = {
    "figure.figsize": (WIDTH, 3.75),
    "figure.dpi": DPI,
    "font.size": SMALLEST,      # tick labels, axis labels and legends
    "axes.titlesize": 12.5,
    "figure.titlesize": 13,
    "legend.fontsize": SMALLEST,
    "legend.title_fontsize": SMALLEST,
}


def use_book_style():
    """Set the book's figure style, and in Jupyter show figures sharp."""
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    # The inline backend installs its own formatter when pyplot first
    # draws: make it do so now, so that the one below replaces it.
    plt.close(plt.figure())
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, sharp_png)


def sharp_png(fig):
    """``fig`` as a PNG at twice its dpi, with the size to display it at.

    Returns the base64 text of the PNG and ``{"width": ...}``, the width
    in pixels of the page to show it at (half the PNG's), as IPython's
    "retina" figures but without a height, which a narrower page would
    keep while shrinking the width. The PNG's metadata records the
    smallest text drawn in it.
    """
    from IPython.core.pylabtools import retina_figure

    with drawn_texts() as texts:
        shown = retina_figure(fig, base64=False, bbox_inches="tight")
    if shown is None:   # an empty figure shows nothing
        return None
    png, size = shown
    if texts:
        points, text = min(texts)
        record = {"points": points, "text": text, "dpi": 2 * fig.dpi}
        png = with_text_chunk(png, "Smallest text", json.dumps(record))
    return base64.b64encode(png).decode("ascii"), {"width": size["width"]}


@contextlib.contextmanager
def drawn_texts():
    """Lists (size in points, text) of every text drawn inside the block."""
    from matplotlib.text import Text

    texts, draw = [], Text.draw

    def recording(text, renderer):
        if text.get_visible() and text.get_text().strip():
            texts.append((float(text.get_fontsize()), text.get_text()))
        return draw(text, renderer)

    Text.draw = recording
    try:
        yield texts
    finally:
        Text.draw = draw


def with_text_chunk(png, key, value):
    """The PNG ``png`` with a tEXt chunk ``key``: ``value`` after its
    header (the first chunk, 13 bytes of data)."""
    data = key.encode("latin-1") + b"\0" + value.encode("latin-1")
    chunk = (struct.pack(">I", len(data)) + b"tEXt" + data
             + struct.pack(">I", zlib.crc32(b"tEXt" + data)))
    end_of_header = 8 + 4 + 4 + 13 + 4   # signature, then IHDR
    return png[:end_of_header] + chunk + png[end_of_header:]


# The player's buttons, drawn by matplotlib with icons from a web font on
# the internet: text symbols instead, so that they show offline.
BUTTONS = {
    "fa fa-minus": "\u2212", "fa fa-fast-backward": "\u21e4",
    "fa fa-step-backward": "\u2039",
    "fa fa-play fa-flip-horizontal": "\u25c0\ufe0e",
    "fa fa-pause": "\u275a\u275a", "fa fa-play": "\u25b6\ufe0e",
    "fa fa-step-forward": "\u203a", "fa fa-fast-forward": "\u21e5",
    "fa fa-plus": "+",
}
FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)(.*?)"',
                   re.S)


def animation_html(animation, alt, name, colors=64):
    """``animation`` as matplotlib's JavaScript player, for the website.

    It is ``animation.to_jshtml()`` with the frames drawn at twice the
    figure's dpi and shown at its size, like the book's figures, and
    reduced to ``colors`` colours (a tenth of the bytes for flat
    drawings). For a page read offline and by a screen reader: the
    buttons show text symbols, not icons fetched from the internet; the
    frames get ``alt`` as their text and the slider a label; the random
    id of the player becomes ``name``, so that the same frames give the
    same HTML. The player records the smallest text of its frames
    (``data-smallest-text``), as :func:`sharp_png` does in a PNG.
    """
    import html as html_text
    import matplotlib.pyplot as plt
    from IPython.display import HTML

    fig = animation._fig
    with drawn_texts() as texts, \
            plt.rc_context({"savefig.dpi": 2 * fig.dpi}):
        page = animation.to_jshtml()
    plt.close(fig)
    old = re.search(r'id="_anim_img(\w+)"', page).group(1)
    page = page.replace(old, name)
    page = re.sub(r'<link rel="stylesheet"\s+href="[^"]*font-awesome'
                  r'[^"]*">', "", page)
    for icon, symbol in BUTTONS.items():
        page = page.replace(f'<i class="{icon}"></i>', symbol)
    page = FRAME.sub(lambda m: m.group(1) + fewer_colors(m.group(2),
                                                         colors) + '"',
                     page)
    width = round(fig.get_figwidth() * fig.dpi)
    page = page.replace(
        f'<img id="_anim_img{name}">',
        f'<img id="_anim_img{name}" alt="{html_text.escape(alt)}" '
        f'style="width: {width}px">')
    page = page.replace('class="anim-slider"',
                        'class="anim-slider" aria-label="frame"')
    points, text = min(texts)
    record = {"points": points, "text": text, "dpi": 2 * fig.dpi}
    page = page.replace(
        '<div class="animation">',
        '<div class="animation" role="group" aria-label="animation: '
        f'{html_text.escape(alt)}" data-smallest-text='
        f'"{html_text.escape(json.dumps(record))}">')
    return HTML(page)


def fewer_colors(frame, colors):
    """A base64 PNG frame (with matplotlib's line breaks), as a base64
    PNG of at most ``colors`` colours, without dithering."""
    import io

    from PIL import Image

    png = base64.b64decode(frame.replace("\\\n", ""))
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = io.BytesIO()
    image.quantize(colors, dither=Image.Dither.NONE).save(small, "png")
    return base64.b64encode(small.getvalue()).decode("ascii")
