"""Read a sweep folder's results into a table: one row per point of the sweep, sorted by key;
the knobs, then per stage its status, message and metrics, then whether the point is on the
Pareto front of the objectives. Timings (which differ run to run) only when asked for, in their
own columns, so that the default export is byte-identical whoever ran the sweep and how."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from lego.errors import LegoError
from lego.sweep.metrics import METRICS
from lego.sweep.pareto import pareto_front
from lego.sweep.points import knob_text
from lego.sweep.store import read_store

__all__ = ["Table", "read_table", "to_csv", "write_parquet", "status_lines", "write_atomic"]


class Table:
    def __init__(self, columns: list[str], rows: list[list], objectives: list[tuple[str, str]],
                 metric_columns: dict[str, str]):
        self.columns, self.rows = columns, rows
        self.objectives = objectives
        self.metric_columns = metric_columns  # objective metric -> its column


def _meta(db) -> dict:
    return {name: json.loads(value) for name, value in db.execute("SELECT * FROM meta")}


def read_table(folder: str | Path, timings: bool = False) -> Table:
    db = read_store(folder)
    try:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
        if not {"meta", "members", "results", "points"} <= tables:
            raise LegoError(f"{folder}: written by another version of lego sweep; run the "
                            "sweep again to bring it up to date")
        meta = _meta(db)
        if "stages" not in meta:
            raise LegoError(f"{folder}: the sweep has not started")
        points = db.execute("SELECT key, knobs FROM points WHERE in_sweep = 1 ORDER BY key"
                            ).fetchall()
        results = {}
        for key, stage, status, metrics, message, seconds in db.execute(
                "SELECT r.key, r.stage, status, metrics, message, seconds FROM results r "
                "JOIN members m ON m.stage = r.stage AND m.key = r.key"):
            results[key, stage] = (status, json.loads(metrics), message, seconds)
    finally:
        db.close()
    stages, axes = meta["stages"], meta["axes"]
    metric_names = {stage: [m for m in METRICS[stage]
                            if any(m in r[1] for (_, s), r in results.items() if s == stage)]
                    for stage in stages}
    columns = ["key", *axes]
    for stage in stages:
        columns += [f"{stage}.status", f"{stage}.message"]
        columns += [f"{stage}.{m}" for m in metric_names[stage]]
        columns += [f"{stage}.seconds"] if timings else []
    objectives = [tuple(o) for o in meta["objectives"]]
    first = {m: next((s for s in stages if m in metric_names[s]), None) for m, _ in objectives}
    rows, merged = [], {}
    for key, knobs_json in points:
        knobs = json.loads(knobs_json)
        row = [key, *(knob_text(knobs[a]) if a in knobs else None for a in axes)]
        merged[key] = {}
        for stage in stages:
            status, metrics, message, seconds = results.get((key, stage), (None, {}, None, None))
            row += [status, message] + [metrics.get(m) for m in metric_names[stage]]
            row += [round(seconds, 6) if seconds is not None else None] if timings else []
            for m, s in first.items():
                if s == stage and status == "ok" and m in metrics:
                    merged[key][m] = metrics[m]
        rows.append(row)
    if objectives:
        front = pareto_front(merged, objectives)
        columns.append("pareto")
        for row in rows:
            row.append(row[0] in front)
    return Table(columns, rows, objectives,
                 {m: f"{s}.{m}" for m, s in first.items() if s is not None})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    return out.getvalue()


def write_atomic(path: Path, data: bytes) -> None:
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temp.write_bytes(data)
    os.replace(temp, path)


def write_parquet(table: Table, path: Path) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise LegoError("--format parquet needs pyarrow: pip install pyarrow") from None
    columns = {}
    for index, name in enumerate(table.columns):
        values = [row[index] for row in table.rows]
        kinds = {type(v) for v in values if v is not None}
        if len(kinds) > 1 and kinds != {int, float}:  # mixed: keep every value as text
            values = [None if v is None else _cell(v) for v in values]
        columns[name] = values
    temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(pa.table(columns), temp)
    os.replace(temp, path)


def status_lines(folder: str | Path) -> list[str]:
    """Points per stage and status, of the sweep's points."""
    table = read_table(folder)
    lines = [f"{folder}: {len(table.rows)} points"]
    for column in (c for c in table.columns if c.endswith(".status")):
        index = table.columns.index(column)
        counts: dict[str, int] = {}
        for row in table.rows:
            counts[row[index] or "not run"] = counts.get(row[index] or "not run", 0) + 1
        lines.append(f"{column[:-len('.status')]}: " + ", ".join(
            f"{n} {status}" for status, n in sorted(counts.items())))
    return lines
