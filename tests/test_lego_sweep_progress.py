"""The progress bar: drawn on a terminal only, with done / not ok / left, rate and ETA."""

import io

from lego.sweep.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal():
    stream = _Terminal()
    progress = Progress(stream, "sim", 2)
    progress.update("ok")
    progress.update("invalid")
    text = stream.getvalue()
    assert text.startswith("\rsim [") and text.endswith("\n")
    last = text.rstrip("\n").split("\r")[-1]
    assert "2 done, 1 not ok, 0 left, " in last and "/s, ETA 0:00" in last


def test_nothing_when_not_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream, "sim", 3)
    for _ in range(3):
        progress.update("ok")
    assert stream.getvalue() == ""
    assert (progress.done, progress.failed) == (3, 0)
