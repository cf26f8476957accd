"""User-facing errors. The CLI prints ``str(error)`` as one line and exits with status 2."""

from __future__ import annotations

__all__ = ["LegoError", "SpecError"]


class LegoError(Exception):
    """An error caused by the user's input (not a bug): one line, no traceback, exit 2."""


class SpecError(LegoError):
    """A problem in a spec, located by file, YAML line (when known) and field path.

    Rendered as ``file:line: field: message``; parts that are unknown are left out.
    """

    def __init__(self, message: str, *, file: str | None = None, field: str | None = None,
                 line: int | None = None):
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file + (f":{self.line}" if self.line is not None else "") + ": "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"

    def located(self, *, file: str | None = None, field: str | None = None,
                line: int | None = None) -> SpecError:
        """A copy with missing location parts filled in (inner errors know less than outer)."""
        return SpecError(self.message, file=self.file or file, field=self.field or field,
                         line=self.line if self.line is not None else line)
