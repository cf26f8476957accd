"""Plain-text tables: the one renderer behind every table lego prints."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["format_table"]


def format_table(rows: Sequence[Sequence[object]], align: str = "") -> str:
    """Columns padded to their widest cell, two spaces apart, trailing blanks stripped.

    ``align`` gives one letter per column, ``l`` (left) or ``r`` (right); columns it does not
    cover are left-aligned. The first row is usually the header."""
    cells = [[str(c) for c in row] for row in rows]
    if not cells:
        return ""
    columns = max(len(r) for r in cells)
    if any(a not in "lr" for a in align) or len(align) > columns:
        raise ValueError(f"Alignment must be at most {columns} letters l or r, not {align!r}")
    widths = [max((len(r[i]) for r in cells if i < len(r)), default=0) for i in range(columns)]
    lines = []
    for row in cells:
        padded = [cell.rjust(w) if align[i:i + 1] == "r" else cell.ljust(w)
                  for i, (cell, w) in enumerate(zip(row, widths, strict=False))]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)
