"""Show the library's own source in a chapter: the two never drift apart
(used by every chapter from chapter 1 on)."""
import inspect
import textwrap


class Source:
    """Source code that a notebook renders as a highlighted Python block.

    The plain-text form is the code itself, which is what nbval compares: a
    chapter whose stored output no longer matches ``nnlib`` fails its test.
    """

    def __init__(self, code):
        self.code = code

    def __repr__(self):
        return self.code

    def _repr_markdown_(self):
        return f"```python\n{self.code}\n```"


def show_source(obj):
    """The source of an nnlib function, class or method, ready to display."""
    try:
        code = inspect.getsource(obj)
    except (TypeError, OSError) as e:
        raise TypeError("show_source needs a function, class or method "
                        f"defined in a file, got {obj!r}") from e
    return Source(textwrap.dedent(code).rstrip())
