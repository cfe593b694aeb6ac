"""What the book's tests share: where the chapters are and how to read them."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def printed(cell):
    """Everything a code cell printed (its stream outputs), as one string."""
    return "".join("".join(o["text"]) for o in cell["outputs"] if o["output_type"] == "stream")
