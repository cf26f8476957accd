"""``lego sweep plot DIR``: one PNG per pair of objectives, every measured point in grey and the
pair's Pareto front highlighted (matplotlib, the optional extra ``lego[plot]``)."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

from lego.errors import LegoError
from lego.sweep.export import Table, write_atomic
from lego.sweep.pareto import pareto_front

__all__ = ["plot_table"]


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise LegoError("lego sweep plot needs matplotlib: pip install 'lego[plot]'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _values(table: Table, x: str, y: str) -> dict[str, dict]:
    cx, cy = (table.columns.index(table.metric_columns[m]) for m in (x, y))
    return {row[0]: {x: row[cx], y: row[cy]} for row in table.rows
            if isinstance(row[cx], int | float) and isinstance(row[cy], int | float)}


def plot_table(table: Table, out: Path, title: str) -> list[Path]:
    """Write ``out``/<x>__<y>.png for each pair of objectives; the files written."""
    objectives = [(m, d) for m, d in table.objectives if m in table.metric_columns]
    if len(objectives) < 2:
        raise LegoError("lego sweep plot needs two objectives with measured values "
                        f"(this sweep has {', '.join(m for m, _ in objectives) or 'none'})")
    plt = _pyplot()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for (x, dx), (y, dy) in itertools.combinations(objectives, 2):
        points = _values(table, x, y)
        front = pareto_front(points, [(x, dx), (y, dy)])
        fig, ax = plt.subplots(figsize=(6, 4.2))
        rest = [p for k, p in points.items() if k not in front]
        ax.scatter([p[x] for p in rest], [p[y] for p in rest], s=14, color="0.65",
                   label=f"points ({len(points)})")
        best = sorted((points[k][x], points[k][y]) for k in front)
        if best:
            ax.plot(*zip(*best, strict=True), "o-", color="tab:red", markersize=5,
                    linewidth=1, label=f"Pareto front ({len(best)})")
        ax.set_xlabel(f"{x} ({dx})")
        ax.set_ylabel(f"{y} ({dy})")
        if all(p[x] > 0 for p in points.values()) and points and \
                max(p[x] for p in points.values()) > 20 * min(p[x] for p in points.values()):
            ax.set_xscale("log")
        ax.set_title(title)
        ax.legend()
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, metadata={"Software": None})
        plt.close(fig)
        path = out / f"{x}__{y}.png"
        write_atomic(path, buffer.getvalue())
        written.append(path)
    return written
