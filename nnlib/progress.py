"""What ``fit(..., verbose=1)`` prints while it trains (chapter 9, the
network class)."""
import sys
import time


class Progress:
    """A one-line progress bar on a terminal; one line per epoch elsewhere
    (a notebook, a log file), so stored outputs stay short."""

    def __init__(self, epochs, batches, stream=None):
        self.stream = stream or sys.stdout
        self.epochs, self.batches = epochs, batches
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self.width = len(str(epochs))
        self.started = time.perf_counter()

    def label(self, epoch):
        return f"epoch {epoch:>{self.width}}/{self.epochs}"

    def batch(self, epoch, b, loss):
        if self.interactive:
            filled = 30 * b // self.batches
            bar = "=" * filled + "." * (30 - filled)
            self.stream.write(
                f"\r{self.label(epoch)} [{bar}] loss {loss:.4f}")
            self.stream.flush()

    def epoch_end(self, epoch, scores):
        text = " - ".join(f"{k} {v:.4f}" for k, v in scores.items())
        if self.interactive:
            seconds = time.perf_counter() - self.started
            self.stream.write(
                f"\r{self.label(epoch)} - {text} - {seconds:.1f} s\n")
            self.started = time.perf_counter()
        else:
            self.stream.write(f"{self.label(epoch)} - {text}\n")
        self.stream.flush()
