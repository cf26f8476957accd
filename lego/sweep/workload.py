"""The workload fields of a sweep (``workload:`` and ``workload.X`` axes): the layers the sim
stage runs and the memory system around the array. Files are named relative to the sweep file
and enter a point's key by their content, so moving a sweep keeps its results and editing a
layers file re-evaluates the points that read it."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from lego.yamlsource import Located

__all__ = ["WORKLOAD_FIELDS", "Workload", "read_workload", "workload_value_error",
           "resolve_workload"]

WORKLOAD_FIELDS = ("layers", "input_type", "sram_kib", "dram_bw", "double_buffer",
                   "word_bytes", "energy")
_DEFAULTS = {"layers": None, "input_type": "conv", "sram_kib": 64, "dram_bw": 16,
             "double_buffer": True, "word_bytes": "auto", "energy": None}
_FILES = ("layers", "energy")


@dataclass(frozen=True)
class Workload:
    fields: tuple[tuple[str, object], ...]  # every field, defaults filled in
    folder: str                             # where relative file names are found


def _positive(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and value > 0


def workload_value_error(field: str, value) -> str | None:
    """Why ``value`` cannot be workload field ``field`` (None when it can)."""
    if field in _FILES:
        ok = value is None or (isinstance(value, str) and value != "")
        return None if ok else f"must be a file name, not {value!r}"
    if field == "input_type":
        return None if value in ("conv", "gemm") else f"must be conv or gemm, not {value!r}"
    if field == "sram_kib":  # design, inf: the design's own memories or unbounded (spec_layers)
        return None if (_positive(value) and isinstance(value, int)) or value in ("design",
                                                                                  "inf") else \
            f"must be a positive integer (KiB per operand buffer), design or inf, not {value!r}"
    if field == "dram_bw":
        return None if _positive(value) or value == "inf" else \
            f"must be a positive number of bytes per cycle or inf, not {value!r}"
    if field == "double_buffer":
        return None if isinstance(value, bool) else f"must be true or false, not {value!r}"
    ok = value == "auto" or (_positive(value) and isinstance(value, int))
    return None if ok else f"must be a positive integer or auto, not {value!r}"


def read_workload(doc: Located, data, folder: Path, axis_fields: set[str]) -> Workload:
    if not isinstance(data, dict):
        raise doc.error(("workload",), f"must be a mapping of workload fields, not {data!r}")
    fields = dict(_DEFAULTS)
    for key, value in data.items():
        if key not in WORKLOAD_FIELDS:
            raise doc.error(("workload", key), f"unknown workload field (fields: "
                                               f"{', '.join(WORKLOAD_FIELDS)})")
        problem = workload_value_error(key, value)
        if problem:
            raise doc.error(("workload", key), problem)
        fields[key] = value
    for axis in axis_fields:
        field = axis[len("workload."):]
        for index, value in enumerate(doc.value["axes"][axis]):
            problem = workload_value_error(field, value)
            if problem:
                raise doc.error(("axes", axis, index), problem)
    for key in _FILES:
        for value in [fields[key]] + list(doc.value.get("axes", {}).get(f"workload.{key}", [])):
            if value is not None and not (folder / value).is_file():
                where = ("axes", f"workload.{key}") if f"workload.{key}" in axis_fields \
                    else ("workload", key)
                raise doc.error(where, f"no such file: {str(folder / value)!r}")
    return Workload(tuple(fields.items()), str(folder))


def _sha256(path: Path) -> str:
    stat = path.stat()  # a file edited since (a long-lived process: the Python API) is read anew
    return _sha256_of(path, stat.st_mtime_ns, stat.st_size)


@functools.cache  # one read per file version: thousands of points share a layers file
def _sha256_of(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def resolve_workload(workload: Workload, knobs: dict) -> tuple[dict, dict]:
    """(the fields a worker runs with: absolute file names; the fields a key hashes: file
    contents' SHA-256 instead of names) for one point's ``workload.X`` knobs."""
    fields = dict(workload.fields)
    for name, value in knobs.items():
        if name.startswith("workload."):
            fields[name[len("workload."):]] = value
    run, key = dict(fields), dict(fields)
    for name in _FILES:
        if fields[name] is not None:
            path = (Path(workload.folder) / fields[name]).resolve()
            run[name] = str(path)
            key[name] = "sha256:" + _sha256(path)
    return run, key
