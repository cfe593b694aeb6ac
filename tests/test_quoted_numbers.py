"""Every figure the prose quotes is printed or asserted on its own page.

A chapter's markdown may quote a measured figure ("0.6701", "about 87 %",
"4.4 x 10^5") only if a code cell of the same chapter shows it: in a
printed or displayed output, or in its source (an assert, a setting, the
article's figure written into a comparison). A figure matches when it equals
a number found there, rounded to the digits the prose gives; a percentage
also matches a fraction (87 % matches 0.8704).

Quoted figures are decimals (0.5, 98.2), percentages (65 %, 96.5 %) and
mantissas times a power of ten (4.4 x 10^5). Plain integers are counts and
settings (784 inputs, 3 epochs, 20 images) and bare powers of ten are orders
of magnitude (errors below 10^-7); neither is checked. Inline code and
figures inside exercises' solutions are checked like the rest.
"""
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

# Figures a chapter may quote without showing them, each with its reason.
# Keep this list short: a figure that can be printed should be printed.
EXCEPTIONS = {
    "01_plan": {
        # A centred difference worked by hand for y = x^2 at x = 7 with
        # eps = 0.001, before any code runs.
        "7.003", "6.997", "0.002", "49.042009", "48.958009",
        # A constant: ln 2, the loss of answering 0.5 to everything.
        "0.693",
    },
    "04_activation_layer": {
        # Hand checks of printed entries: s_1 (1 - s_1) = 0.0900 x 0.9100,
        # and tanh's slope 1 - 0.9640^2 = 0.0707 at x = -2.
        "0.9100", "0.9640", "0.0707",
        # A constant: the largest float64, about 1.8e308.
        "1.8e+308",
    },
    "05_losses": {
        # The hand-checkable example: squares of the differences 0.5, 0,
        # 1 and -1 add up to 2.25 before the cell prints the loss.
        "2.25",
    },
    "07_xor": {
        # The difference of two printed costs, 0.364 - 0.348.
        "0.016",
        # A constant: sigma(10).
        "0.99995",
    },
    "09_network_class": {
        # A release number, not a figure: weights_only=True is PyTorch's
        # default since version 2.6.
        "2.6",
    },
    "10_training_better": {
        # Predictions of the algebra the text works out (std of z for
        # "small" weights, tanh(9), ln 10, Adam's uncorrected first step).
        "0.093", "0.99999997", "2.3", "3.2",
    },
    "11_keras": {
        # Float32 facts derived in the text, not measured: 2^-24 and
        # sqrt(784) times it.
        "6e-08", "2e-06",
        # Adam's default beta_2 and the bound on 1 - beta_2^t in the
        # exercise's worked solution.
        "0.999", "0.99",
    },
}

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
SCIENTIFIC = re.compile(
    rf"({NUMBER})\s*(?:\\times|\\cdot|×)\s*10\^\{{?(−|-)?(\d+)\}}?")
PERCENT = re.compile(rf"(?<![\w.])({NUMBER})\s*(?:\\?%|\\,\\%)")
DECIMAL = re.compile(r"(?<![\w.^{-])(\d+\.\d+)(?!\w|\.\d)")
FOUND = re.compile(r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def cell_text(cell):
    return "".join(cell["source"])


def shown(nb):
    """Every number a code cell's source or output holds, as floats."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts.append(cell_text(cell))
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")))
            data = out.get("data", {})
            for kind in ("text/plain", "text/html"):
                parts.append("".join(data.get(kind, "")))
    numbers = set()
    for match in FOUND.finditer("\n".join(parts)):
        try:
            numbers.add(float(match.group().replace(",", "")))
        except ValueError:
            pass
    return numbers


def quoted(text):
    """(as written, value, decimals, is a percentage) for each figure."""
    figures = []
    taken = []
    for match in SCIENTIFIC.finditer(text):
        mantissa, sign, power = match.groups()
        exponent = -int(power) if sign else int(power)
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        value = float(mantissa.replace(",", "")) * 10.0 ** exponent
        written = f"{float(mantissa):.{digits}f}e{exponent:+03d}"
        figures.append((written, value, digits - exponent, False))
        taken.append(match.span())

    def free(span):
        return not any(a <= span[0] < b for a, b in taken)

    for match in PERCENT.finditer(text):
        if free(match.span()):
            number = match.group(1)
            digits = len(number.split(".")[1]) if "." in number else 0
            figures.append((number + " %", float(number.replace(",", "")),
                            digits, True))
            taken.append(match.span())
    for match in DECIMAL.finditer(text):
        if free(match.span()):
            number = match.group(1)
            figures.append((number, float(number),
                            len(number.split(".")[1]), False))
    return figures


def matches(value, decimals, percent, numbers):
    tolerance = 0.5 * 10.0 ** -decimals * (1 + 1e-9)
    for n in numbers:
        if abs(n - value) <= tolerance:
            return True
        if percent and abs(100 * n - value) <= tolerance:
            return True
    return False


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_quoted_figure_is_printed_or_asserted(path):
    nb = load(path)
    numbers = shown(nb)
    allowed = EXCEPTIONS.get(path.stem, set())
    missing = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for written, value, decimals, percent in quoted(cell_text(cell)):
            if written in allowed or written.rstrip(" %") in allowed:
                continue
            if not matches(value, decimals, percent, numbers):
                missing.append(written)
    assert not missing, (
        f"figures quoted in the prose but neither printed nor asserted on "
        f"the page: {sorted(set(missing))}; print them, or list them with "
        f"a reason in EXCEPTIONS")


def test_the_check_finds_what_it_should():
    text = ("It reached 0.6701, then about 87 %, and shrank the gradient "
            "$4.4 \\times 10^5$ times; 784 inputs; errors below $10^{-7}$.")
    found = {written for written, *_ in quoted(text)}
    assert found == {"0.6701", "87 %", "4.4e+05"}
    assert matches(87, 0, True, {0.8704})
    assert not matches(87, 0, True, {0.8752})
    assert matches(0.6701, 4, False, {0.67012})
    assert not matches(0.6701, 4, False, {0.6711})
    assert matches(4.4e5, -4, False, {440000.0})


def test_every_exception_is_still_quoted():
    """An exception whose figure left the prose must leave the list too."""
    for stem, allowed in EXCEPTIONS.items():
        nb = load(ROOT / "chapters" / f"{stem}.ipynb")
        prose = [w for c in nb["cells"] if c["cell_type"] == "markdown"
                 for w, *_ in quoted(cell_text(c))]
        prose += [w.rstrip(" %") for w in prose]
        assert allowed <= set(prose), f"{stem}: {allowed - set(prose)}"
