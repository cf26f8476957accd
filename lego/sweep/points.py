"""The points of a sweep: the grid of its axes, filtered by ``where:``, optionally a seeded
random sample, each with the spec and workload it runs and the key it is stored under.

A point's key is the SHA-256 of what determines its results: the expanded spec, the resolved
workload (files by content) and the clock period. The knobs are in it through those values, so
two sweep files reaching the same design share its results."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import random
from dataclasses import dataclass

from lego.errors import SpecError
from lego.sweep.expr import ExprError
from lego.sweep.sweepfile import Sweep
from lego.sweep.workload import resolve_workload

__all__ = ["Point", "expand_points", "point_of", "knob_text", "KEY_LENGTH"]

KEY_LENGTH = 16  # hex digits: 64 bits, no collision in any sweep a machine can run


@dataclass(frozen=True)
class Point:
    key: str
    knobs: tuple[tuple[str, object], ...]  # (axis, value), in axis order
    payload: dict  # {"spec": dict, "workload": dict, "period": float | None}: what a worker runs


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def knob_text(value) -> str:
    """A knob value as one CSV cell: [8, 8] -> 8x8, other lists and mappings as compact JSON."""
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool)
                                                 for v in value):
        return "x".join(map(str, value))
    if isinstance(value, str):
        return value
    return _canonical(value)


def _set_path(spec: dict, path: str, value) -> None:
    node = spec
    parts = path.split(".")
    for part in parts[:-1]:
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            raise SpecError(f"cannot set {path!r}: {part!r} is inside a {type(node).__name__}")
    last = parts[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = copy.deepcopy(value)
    elif isinstance(node, dict):
        node[last] = copy.deepcopy(value)
    else:
        raise SpecError(f"cannot set {path!r}: no such field in the base spec")


def _point(sweep: Sweep, knobs: dict) -> Point:
    spec = copy.deepcopy(sweep.base)
    for name, value in knobs.items():
        if name != "period" and not name.startswith("workload."):
            try:
                _set_path(spec, name, value)
            except SpecError as error:
                raise sweep.error(f"axes.{name}", error.message) from None
    run, keyed = resolve_workload(sweep.workload, knobs)
    period = knobs.get("period", sweep.period)
    key = hashlib.sha256(_canonical({"spec": spec, "workload": keyed, "period": period})
                         .encode()).hexdigest()[:KEY_LENGTH]
    return Point(key, tuple(knobs.items()), {"spec": spec, "workload": run, "period": period})


def _selected(sweep: Sweep, knobs: dict) -> bool:
    if sweep.where is None:
        return True
    try:
        keep = sweep.where.evaluate(knobs)
    except ExprError as error:
        raise sweep.error("where", str(error)) from None
    if not isinstance(keep, bool):
        raise sweep.error("where", f"must be true or false, but is {keep!r} for "
                          f"{', '.join(f'{k}={v!r}' for k, v in knobs.items())}")
    return keep


def point_of(sweep: Sweep, knobs: dict) -> Point | None:
    """The point of one choice of axis values (None when ``where:`` drops it)."""
    return _point(sweep, knobs) if _selected(sweep, knobs) else None


def expand_points(sweep: Sweep) -> list[Point]:
    """Every point, in grid order (the first axis varies slowest). Points that expand to the
    same key are one point (the first)."""
    names = sweep.axis_names
    grid = [dict(zip(names, values, strict=True))
            for values in itertools.product(*(values for _, values in sweep.axes))]
    grid = [knobs for knobs in grid if _selected(sweep, knobs)]
    if sweep.sample is not None:
        size, seed = sweep.sample
        chosen = sorted(random.Random(seed).sample(range(len(grid)), min(size, len(grid))))
        grid = [grid[i] for i in chosen]
    points, seen = [], set()
    for knobs in grid:
        point = _point(sweep, knobs)
        if point.key not in seen:
            seen.add(point.key)
            points.append(point)
    return points
