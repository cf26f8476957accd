"""The first use of a YoWASP tool compiles its WebAssembly to machine code (a minute or two for
Yosys) and caches the result. yowasp-runtime writes that cache file in place without a lock, so
two processes starting together on a cold cache both compile, and one may read the other's half
written file. :func:`ensure_compiled` serializes the first use with a file lock."""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

__all__ = ["cache_dir", "compiled_path", "first_use_lock", "ensure_compiled"]

_LOCK_NAME = "lego-first-use.lock"
_ready: set[tuple[str, str]] = set()  # (package, wasm) known compiled in this process


def cache_dir() -> Path:
    """YoWASP's cache folder, found the way yowasp-runtime finds it."""
    import platformdirs  # a dependency of yowasp-runtime

    default = platformdirs.user_cache_dir("YoWASP", appauthor=False)
    return Path(os.environ.get("YOWASP_CACHE_DIR", default))


def compiled_path(package: str, wasm: str) -> Path:
    """Where yowasp-runtime keeps the compiled ``wasm`` of ``package``: it keys the file by the
    SHA-1 of the module, so a new tool version compiles anew."""
    digest = hashlib.sha1(resources.files(package).joinpath(wasm).read_bytes()).hexdigest()
    return cache_dir() / package / wasm / digest


@contextmanager
def first_use_lock() -> Iterator[None]:
    """Hold the exclusive lock on ``<YoWASP cache>/lego-first-use.lock`` (released on exit,
    also when the process dies)."""
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / _LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_compiled(package: str, wasm: str, runner: str) -> None:
    """Make sure ``wasm`` of ``package`` is compiled and cached, compiling it (by running the
    tool's ``-V``) under the lock if not. ``runner`` is Python code running the tool with
    ``sys.argv[1:]``. Raises RuntimeError if the tool cannot even print its version."""
    if (package, wasm) in _ready:
        return
    with first_use_lock():
        if not compiled_path(package, wasm).is_file():
            result = subprocess.run([sys.executable, "-c", runner, "-V"], capture_output=True,
                                    text=True, check=False)
            if result.returncode != 0:
                raise RuntimeError(f"{package} -V failed: {result.stderr.strip()[-500:]}")
    _ready.add((package, wasm))
