"""``lego sweep --dry-run``: the points each stage would run, how many the store already has,
and an estimated time from measured costs: the mean seconds per point of the stage's stored
results, or, for the sim stage with none stored, of three points run now (not stored)."""

from __future__ import annotations

import json
from pathlib import Path

from lego.sweep import stages as _stages
from lego.sweep.driver import RunOptions, candidates, selected_stages, stage_key
from lego.sweep.points import expand_points
from lego.sweep.store import DB_NAME, read_store
from lego.sweep.sweepfile import Sweep

__all__ = ["dry_run"]

_PROBE_POINTS = 3


def _stored(folder: Path):
    """stage -> key -> (stage_key, status, metrics, seconds) of what the store holds."""
    if not (folder / DB_NAME).is_file():
        return {}
    db = read_store(folder)
    try:
        rows = db.execute("SELECT key, stage, stage_key, status, metrics, seconds FROM results")
        out: dict[str, dict] = {}
        for key, stage, skey, status, metrics, seconds in rows:
            out.setdefault(stage, {})[key] = (skey, status, json.loads(metrics), seconds)
        return out
    finally:
        db.close()


def _cost(stage: str, rows: dict, sweep: Sweep, points) -> tuple[float | None, str]:
    seconds = [row[3] for row in rows.values() if row[1] == "ok"]
    if seconds:
        return sum(seconds) / len(seconds), f"mean of {len(seconds)} stored"
    if stage == "sim" and points:
        probe = [(p.key, p.payload) for p in points[:_PROBE_POINTS]]
        results = _stages.evaluate_batch(stage, sweep.stage_options(stage), probe)
        return sum(r.seconds for r in results) / len(results), f"{len(results)} run now"
    return None, "no measurement yet"


def dry_run(sweep: Sweep, folder: str | Path, options: RunOptions) -> list[str]:
    folder = Path(folder)
    if sweep.search:
        generations, population, _ = sweep.search
        return [f"{sweep.name}: NSGA-II search, {generations} generations of {population} "
                f"points through {sweep.stages[0][0]} (at most {generations * population} "
                "evaluations), then the later stages on what it promotes"]
    points = expand_points(sweep)
    stored = _stored(folder)
    lines = [f"{sweep.name}: {len(points)} points, executor {options.executor}, "
             f"{options.jobs} job(s)"]
    total, unknown = 0.0, []
    for stage in selected_stages(sweep, options.upto):
        def results(name):
            return {k: v[:3] for k, v in stored.get(name, {}).items()}

        keys = candidates(sweep, stage, points, results)
        rows = stored.get(stage, {})
        settings = sweep.stage_options(stage)
        done = sum(1 for k in keys if k in rows and rows[k][0] == stage_key(k, stage, settings))
        cost, how = _cost(stage, rows, sweep, [p for p in points if p.key in set(keys)])
        todo = len(keys) - done
        line = f"{stage}: {len(keys)} points, {done} stored, {todo} to evaluate"
        if stage != selected_stages(sweep, None)[0] and "promote" in settings:
            line += " (promoted from what earlier stages have measured so far)"
        if cost is None:
            if todo:
                unknown.append(stage)
            lines.append(f"{line}; cost per point: {how}")
            continue
        seconds = todo * cost / options.jobs
        total += seconds
        lines.append(f"{line}; {cost * 1e3:.1f} ms per point ({how}): about {seconds:.1f} s")
    lines.append(f"estimated time: about {total:.1f} s" if not unknown else
                 f"estimated time: {total:.1f} s plus {', '.join(unknown)} (not yet measured)")
    return lines
