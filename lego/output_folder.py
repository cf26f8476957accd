"""Output folders that never lose a user's data.

A folder lego writes (``lego gen -o``, ``lego verify -o``, ``lego spatten ... -o``, ``lego synth``
logs) carries a ``manifest.json`` whose ``files`` lists every file lego put there. An existing
folder is replaced only when it is empty or lego wrote all of it (its manifest lists each entry,
or the entry is one lego adds to a design folder later, below; a folder of an earlier lego,
whose manifest lists no files, is judged by the names that lego wrote); anything else is an
error unless the user passes ``--force``. A new folder is written whole into a hidden staging folder
next to it and then renamed into place, so a run killed at any moment leaves the previous
folder as it was (or, in the instant between the two renames that swap them, no folder, the old
one still whole under ``.<name>.old.*``)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from lego.errors import LegoError

__all__ = ["LATER_ENTRIES", "check_replaceable", "staging_folder", "commit_folder",
           "write_atomic"]

MANIFEST = "manifest.json"
# what lego adds to a design folder after generating it: lego verify's and lego synth's results
LATER_ENTRIES = ("verify.json", "synth.json", "synth")
_HINT = "nothing was changed; choose another folder, or pass --force to replace it"


def _listed_files(folder: Path) -> set[str] | None:
    """The names ``folder``'s manifest says lego wrote, or None if it has no such manifest."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest.get("files")
    except (OSError, ValueError, AttributeError):
        return None
    if files is None and "generator_sha256" in manifest and isinstance(manifest.get("name"), str):
        return _legacy_files(manifest["name"])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _legacy_files(name: str) -> set[str]:
    """What lego gen and lego spatten wrote before manifests listed files (a folder made by
    an earlier lego stays replaceable; anything else in it still stops the command)."""
    return {MANIFEST, "adg.json", "adg.dot", "adg.svg", "report.json", "timings.json",
            f"{name}.v", f"{name}.core", "spatten_pq.v"}


def _foreign_entry(folder: Path) -> str | None:
    """The first entry of ``folder`` lego did not write ("" for a missing manifest), or None
    when lego wrote all of it."""
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return None
    listed = _listed_files(folder)
    if listed is None:
        return ""
    for name in entries:
        path = folder / name
        if name in listed and not path.is_symlink() and path.is_file():
            continue
        if name in LATER_ENTRIES and not path.is_symlink() and (
                path.is_file() or (path.is_dir() and _foreign_entry(path) is None)):
            continue
        return name
    return None


def check_replaceable(folder: Path, force: bool = False) -> None:
    """Raise LegoError unless writing ``folder`` loses nothing of the user's (or ``force``)."""
    folder = Path(folder)
    if force or not (folder.exists() or folder.is_symlink()):
        return
    if folder.is_symlink() or not folder.is_dir():
        kind = "a link" if folder.is_symlink() else "a file"
        raise LegoError(f"{folder}: is {kind}, not an output folder; {_HINT}")
    try:
        foreign = _foreign_entry(folder)
    except OSError as error:
        raise LegoError(f"{folder}: cannot read: {error.strerror}") from None
    if foreign == "":
        raise LegoError(f"{folder}: not a folder lego wrote (it has no manifest.json listing "
                        f"its files); {_HINT}")
    if foreign is not None:
        raise LegoError(f"{folder}: holds {foreign!r}, which lego did not write; {_HINT}")


def staging_folder(folder: Path, tag: str = "") -> Path:
    """A new hidden folder beside ``folder`` (same file system, so the final rename is atomic)."""
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.{tag}", dir=folder.parent))
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # a folder as mkdir would make it, not private
        return staging
    except OSError as error:
        raise LegoError(f"{folder}: cannot write: {error.strerror}") from None


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all (a temporary name, then a rename)."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _record_files(staging: Path) -> None:
    """Add the list of the staged files to the staged manifest (made if there is none)."""
    path = staging / MANIFEST
    try:
        manifest = json.loads(path.read_text()) if path.is_file() else {}
    except ValueError:
        manifest = {}
    if not isinstance(manifest, dict):
        manifest = {}
    manifest["files"] = sorted({p.name for p in staging.iterdir()} | {MANIFEST})
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def commit_folder(staging: Path, folder: Path, force: bool = False) -> Path:
    """Put the fully written ``staging`` folder in the place of ``folder``; ``staging`` is
    removed whatever happens."""
    staging, folder = Path(staging), Path(folder)
    try:
        _record_files(staging)
        check_replaceable(folder, force)  # again: something may have appeared meanwhile
        if folder.exists() or folder.is_symlink():
            old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
            os.replace(folder, old / "x")
            os.replace(staging, folder)
            shutil.rmtree(old)
        else:
            os.replace(staging, folder)
    except OSError as error:
        raise LegoError(f"{folder}: cannot write: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder
