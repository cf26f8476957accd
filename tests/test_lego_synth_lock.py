"""The first use of a YoWASP tool (its compilation) is serialized by a file lock."""

import subprocess
import sys

from lego.synth import lock
from lego.synth.lock import cache_dir, ensure_compiled, first_use_lock


def test_the_cache_is_where_yowasp_looks(tmp_path, monkeypatch):
    monkeypatch.setenv("YOWASP_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path


def test_the_lock_excludes_other_processes(tmp_path, monkeypatch):
    monkeypatch.setenv("YOWASP_CACHE_DIR", str(tmp_path))
    probe = ("import fcntl, sys\n"
             f"handle = open({str(tmp_path / 'lego-first-use.lock')!r}, 'a')\n"
             "try:\n    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
             "except BlockingIOError:\n    sys.exit(3)\n")
    with first_use_lock():
        assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 3
    assert subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


def test_a_tool_is_compiled_once_under_the_lock(tmp_path, monkeypatch):
    monkeypatch.setenv("YOWASP_CACHE_DIR", str(tmp_path))
    compiled = tmp_path / "pkg" / "tool.wasm" / "digest"
    monkeypatch.setattr(lock, "compiled_path", lambda package, wasm: compiled)
    monkeypatch.setattr(lock, "_ready", set())
    # stands in for a tool whose first run compiles and caches it; it checks that it runs
    # while the caller holds the lock
    runner = ("import fcntl, pathlib, sys\n"
              f"handle = open({str(tmp_path / 'lego-first-use.lock')!r}, 'a')\n"
              "try:\n    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
              "except BlockingIOError:\n    pass\nelse:\n    sys.exit('ran without the lock')\n"
              f"path = pathlib.Path({str(compiled)!r})\n"
              "path.parent.mkdir(parents=True, exist_ok=True)\n"
              "with open(path.parent.parent / 'runs', 'a') as f: f.write('x')\n"
              "path.write_text('compiled')\n")
    ensure_compiled("pkg", "tool.wasm", runner)
    monkeypatch.setattr(lock, "_ready", set())
    ensure_compiled("pkg", "tool.wasm", runner)  # cached: not run again
    assert compiled.read_text() == "compiled"
    assert (tmp_path / "pkg" / "runs").read_text() == "x"
