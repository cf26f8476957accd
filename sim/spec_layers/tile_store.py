"""An on-disk cache of timed tiles, so that a second run (or a sweep's next worker) on the same
design lowers no tile again: lowering and LP-pipelining a 16x16 tile takes 0.5-2 s, reading
its entry a millisecond.

An entry is keyed by SHA-256 over the code that makes and times a tile (lego's sources and
data, and sim's), the tile's spec (the design's spec with the tile's loop bounds) and the
clock period; changed code therefore misses, never reads a stale timing. Entries are JSON files
``<key>.json`` in ``$LEGO_TILE_CACHE`` (``off`` turns the cache off), else
``$XDG_CACHE_HOME/lego/tiles`` or ``~/.cache/lego/tiles``. Each is written whole to a temporary
name and renamed, so processes sharing the folder read a complete entry or none; one that
cannot be read or does not hold what its key says is timed again and rewritten. A folder that
cannot be written leaves the cache unused, never the run failed. Remove the folder to clear it."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path

from sim.design import DesignRun
from sim.sram import TensorAccesses

__all__ = ["ENV", "default_folder", "tile_key", "read_entry", "write_entry"]

ENV = "LEGO_TILE_CACHE"
_FORMAT = 1


def default_folder() -> Path | None:
    """Where entries live (None: the cache is off)."""
    value = os.environ.get(ENV, "")
    if value.strip().lower() == "off":
        return None
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "lego" / "tiles"


@functools.cache
def _code_sha256() -> str:
    from lego.outputs import generator_sha256

    root = Path(__file__).resolve().parent.parent  # sim/: how a lowered tile is timed
    digest = hashlib.sha256(generator_sha256().encode())
    for path in sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def tile_key(tile_spec: dict, period_ns: float | None) -> str:
    text = json.dumps({"format": _FORMAT, "code": _code_sha256(), "spec": tile_spec,
                       "period_ns": None if period_ns is None else float(period_ns)},
                      sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _encode(key: str, runs: tuple[DesignRun, ...], memories: tuple) -> str:
    return json.dumps({"format": _FORMAT, "key": key, "memories": [list(m) for m in memories],
                       "runs": [{"dataflow": r.dataflow, "steps": r.steps, "drain": r.drain,
                                 "cycles": r.cycles, "fus": r.fus,
                                 "utilization": r.utilization,
                                 "sram": [[a.tensor, a.bits, list(a.reads), list(a.writes)]
                                          for a in r.sram]} for r in runs]},
                      sort_keys=True)


def _decode(key: str, text: str):
    data = json.loads(text)
    if data["format"] != _FORMAT or data["key"] != key:
        raise ValueError("another entry")
    runs = tuple(DesignRun(r["dataflow"], int(r["steps"]), int(r["drain"]), int(r["cycles"]),
                           int(r["fus"]), float(r["utilization"]),
                           tuple(TensorAccesses(t, int(b), tuple(map(int, rd)),
                                                tuple(map(int, wr)))
                                 for t, b, rd, wr in r["sram"]))
                 for r in data["runs"])
    memories = tuple((str(n), int(b), int(d)) for n, b, d in data["memories"])
    return runs, memories


def read_entry(folder: Path | None, key: str):
    """(runs, memories) stored under ``key``, or None (absent, unreadable or not this key's)."""
    if folder is None:
        return None
    try:
        return _decode(key, (folder / f"{key}.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_entry(folder: Path | None, key: str, runs: tuple[DesignRun, ...],
                memories: tuple) -> bool:
    """Store an entry atomically; False when the folder cannot take it."""
    if folder is None:
        return False
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{key[:16]}-", suffix=".tmp")
        with os.fdopen(handle, "w") as out:
            out.write(_encode(key, runs, memories))
        os.replace(temporary, folder / f"{key}.json")
        return True
    except OSError:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        return False
