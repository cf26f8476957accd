"""The record of a sweep: DIR/sweep.db (SQLite in WAL mode) and DIR/points/<key>/<stage>/.

Only the driver writes. Each finished point is one transaction: its result row and a line of
the evaluation log, so a driver killed at any moment leaves every earlier point whole and the
point in flight absent. Artifacts are written under DIR/tmp/ and renamed into place before the
row is committed; a rerun after a kill writes them again. DIR/lock holds an exclusive flock
while a driver runs (the kernel releases it when the process dies, kill -9 included); a process
forked from the driver (a sweep worker) drops its copy of the lock at once, so a worker that
outlives a killed driver cannot keep the folder locked."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from lego.errors import LegoError

__all__ = ["Result", "Store", "open_store", "read_store", "DB_NAME"]

DB_NAME = "sweep.db"
_HELD_LOCKS: set = set()  # this process's DIR/lock handles


def _drop_inherited_locks() -> None:
    # flock belongs to the open file, which fork shares: closing the child's copy leaves the
    # driver's lock held, and the lock then ends with the driver alone
    for handle in _HELD_LOCKS:
        handle.close()
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, knobs TEXT NOT NULL,
                                   in_sweep INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS results (key TEXT NOT NULL, stage TEXT NOT NULL,
    stage_key TEXT NOT NULL, status TEXT NOT NULL, metrics TEXT NOT NULL, message TEXT NOT NULL,
    seconds REAL NOT NULL, PRIMARY KEY (key, stage));
CREATE TABLE IF NOT EXISTS members (stage TEXT NOT NULL, key TEXT NOT NULL,
                                    PRIMARY KEY (stage, key));
CREATE TABLE IF NOT EXISTS evaluations (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL, stage TEXT NOT NULL, stage_key TEXT NOT NULL, status TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Result:
    """One point's outcome at one stage, as a worker returns it."""

    key: str
    status: str
    metrics: dict
    message: str
    seconds: float
    artifacts: dict  # file name -> text, written under DIR/points/<key>/<stage>/


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")  # in WAL: safe against a killed process
    return connection


class Store:
    """The driver's handle: holds the lock until :meth:`close`."""

    def __init__(self, folder: Path, lock_handle):
        self.folder = folder
        self._lock = lock_handle
        self.db = _connect(folder / DB_NAME)
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        _HELD_LOCKS.discard(self._lock)
        self._lock.close()

    def set_sweep(self, meta: dict, points) -> None:
        """Record the sweep (its file text, axes, stages, objectives) and which keys it holds
        (one transaction)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                [(name, json.dumps(value)) for name, value in meta.items()])
            self.db.execute("UPDATE points SET in_sweep = 0")
            self.db.executemany(
                "INSERT OR REPLACE INTO points VALUES (?, ?, 1)",
                [(p.key, json.dumps(dict(p.knobs), sort_keys=True)) for p in points])

    def set_members(self, stage: str, keys) -> None:
        """The points ``stage`` runs on in this run (after promotion): the export shows a
        stage's results of these alone, so a point promoted by an earlier version of the
        sweep file does not look promoted now (one transaction)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM members WHERE stage = ?", (stage,))
            self.db.executemany("INSERT INTO members VALUES (?, ?)",
                                [(stage, key) for key in keys])

    def results(self, stage: str) -> dict[str, tuple[str, str, dict]]:
        """key -> (stage_key, status, metrics) of every stored result of ``stage``."""
        rows = self.db.execute("SELECT key, stage_key, status, metrics FROM results "
                               "WHERE stage = ?", (stage,))
        return {key: (stage_key, status, json.loads(metrics))
                for key, stage_key, status, metrics in rows}

    def record(self, stage: str, stage_key: str, result: Result) -> None:
        """Write the artifacts, then the row and the log line in one transaction."""
        self._write_artifacts(result.key, stage, result.artifacts)
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (result.key, stage, stage_key, result.status,
                             json.dumps(result.metrics, sort_keys=True), result.message,
                             result.seconds))
            self.db.execute("INSERT INTO evaluations (key, stage, stage_key, status) "
                            "VALUES (?, ?, ?, ?)", (result.key, stage, stage_key, result.status))

    def _write_artifacts(self, key: str, stage: str, artifacts: dict) -> None:
        final = self.folder / "points" / key / stage
        if not artifacts:
            return
        temp = self.folder / "tmp" / uuid.uuid4().hex
        temp.mkdir(parents=True)
        for name, text in artifacts.items():
            (temp / name).write_text(text)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # a re-evaluation: the old folder goes only once the new is whole
            old = self.folder / "tmp" / uuid.uuid4().hex
            os.replace(final, old)
            os.replace(temp, final)
            shutil.rmtree(old)
        else:
            os.replace(temp, final)

    def forget(self) -> None:
        """--fresh: drop every result and artifact this store holds (lego's own files)."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("DELETE FROM results")
            self.db.execute("DELETE FROM evaluations")
            self.db.execute("DELETE FROM members")
        shutil.rmtree(self.folder / "points", ignore_errors=True)


def _lock(folder: Path):
    handle = open(folder / "lock", "a+")  # noqa: SIM115 (held until Store.close)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise LegoError(f"{folder}: another lego sweep (pid {holder}) is running on this "
                        "folder; wait for it to finish or stop it") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    _HELD_LOCKS.add(handle)
    return handle


def open_store(folder: str | Path) -> Store:
    """Create or open DIR for a driver: take the lock, clear what a killed driver left in
    DIR/tmp."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise LegoError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / DB_NAME).exists():
        raise LegoError(f"{folder}: not a sweep folder (no {DB_NAME}) and not empty; "
                        "lego writes a sweep only into a new, empty or sweep folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = _lock(folder)
    except OSError as error:
        raise LegoError(f"{folder}: cannot write: {error.strerror}") from None
    shutil.rmtree(folder / "tmp", ignore_errors=True)
    return Store(folder, handle)


def read_store(folder: str | Path) -> sqlite3.Connection:
    """A read-only connection for status, export and plot (works while a driver runs)."""
    path = Path(folder) / DB_NAME
    if not path.is_file():
        raise LegoError(f"{folder}: not a sweep folder (no {DB_NAME})")
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
