"""Output folders never lose a user's data: replaced only when lego wrote them (manifest) or
with --force, written whole or not at all, and a run killed at any moment leaves the previous
folder intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lego.cli import main
from lego.output_folder import check_replaceable, commit_folder, staging_folder
from lego.outputs import write_design

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "examples" / "specs" / "gemm_os_4x4.yaml")
TOPK = ["spatten", "topk", "--parallelism", "4", "--max-n", "64", "--score-width", "8",
        "--index-width", "6"]
PQ = ["spatten", "pq", "--head-dim", "8", "--lanes", "4", "--max-len", "16"]
# every command that writes a design folder, as argv before "-o DIR"
WRITERS = {"gen": ["gen", SPEC, "--stage", "adg"], "topk": TOPK, "pq": PQ}


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("lego: error: "), err
    assert "Traceback" not in err
    return err


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("command", WRITERS)
def test_a_folder_holding_a_users_file_is_kept(tmp_path, capsys, command):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    assert main(WRITERS[command] + ["-o", str(out)]) == 2
    err = _one_error_line(capsys)
    assert err == (f"lego: error: {out}: not a folder lego wrote (it has no manifest.json "
                   "listing its files); nothing was changed; choose another folder, or pass "
                   "--force to replace it\n")
    assert _snapshot(out) == {"notes.txt": b"my notes"}
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]  # no staging folder left


@pytest.mark.parametrize("command", WRITERS)
def test_an_existing_file_is_not_replaced_by_a_folder(tmp_path, capsys, command):
    out = tmp_path / "result.v"
    out.write_text("module mine; endmodule\n")
    assert main(WRITERS[command] + ["-o", str(out)]) == 2
    assert _one_error_line(capsys).startswith(f"lego: error: {out}: is a file, not an output "
                                              "folder; nothing was changed")
    assert out.read_text() == "module mine; endmodule\n"


@pytest.mark.parametrize("command", WRITERS)
def test_lego_replaces_its_own_folder_and_force_replaces_any(tmp_path, capsys, command):
    out = tmp_path / "d"
    assert main(WRITERS[command] + ["-o", str(out)]) == 0
    listed = json.loads((out / "manifest.json").read_text())["files"]
    assert listed == sorted(p.name for p in out.iterdir())
    first = _snapshot(out)
    assert main(WRITERS[command] + ["-o", str(out)]) == 0  # its own folder: replaced
    assert _snapshot(out).keys() == first.keys()
    (out / "extra.txt").write_text("added by the user")
    assert main(WRITERS[command] + ["-o", str(out)]) == 2
    assert "holds 'extra.txt', which lego did not write" in _one_error_line(capsys)
    assert (out / "extra.txt").read_text() == "added by the user"
    assert main(WRITERS[command] + ["-o", str(out), "--force"]) == 0
    assert _snapshot(out).keys() == first.keys()


@pytest.mark.parametrize("command", WRITERS)
def test_an_unwritable_output_is_one_line(tmp_path, capsys, command):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(WRITERS[command] + ["-o", str(blocker / "sub")]) == 2
    assert _one_error_line(capsys).startswith(f"lego: error: {blocker / 'sub'}: cannot write: ")


def test_an_empty_folder_and_a_link_to_one(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    check_replaceable(empty)  # nothing in it to lose
    link = tmp_path / "link"
    link.symlink_to(empty)
    assert main(["gen", SPEC, "--stage", "adg", "-o", str(link)]) == 2
    assert "is a link, not an output folder" in _one_error_line(capsys)
    assert link.is_symlink()


def test_results_lego_adds_later_keep_the_folder_lego_s(tmp_path):
    out = write_design(tmp_path / "d", {"a.v": "x", "manifest.json": "{}"})
    (out / "verify.json").write_text("{}")
    write_design(tmp_path / "d" / "synth", {"yosys.log": "log"})
    check_replaceable(out)
    (out / "synth" / "mine.txt").write_text("mine")
    with pytest.raises(Exception, match=r"holds 'synth', which lego did not write"):
        check_replaceable(out)


def test_a_failed_write_leaves_the_previous_folder(tmp_path):
    out = write_design(tmp_path / "d", {"a.txt": "old", "manifest.json": "{}"})
    before = _snapshot(out)
    with pytest.raises(TypeError):
        write_design(out, {"a.txt": "new", "b.txt": None})  # fails after the first file
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]


def test_commit_removes_its_staging_folder_even_when_refused(tmp_path):
    out = tmp_path / "d"
    staging = staging_folder(out)
    (staging / "a.txt").write_text("a")
    out.mkdir()
    (out / "mine").write_text("mine")
    with pytest.raises(Exception, match="not a folder lego wrote"):
        commit_folder(staging, out)
    assert not staging.exists() and (out / "mine").read_text() == "mine"


_KILLED_GEN = """
import sys
from lego.cli import main
sys.exit(main(["gen", sys.argv[1], "-o", sys.argv[2]]))
"""


def test_kill_9_of_gen_at_any_moment_leaves_the_previous_output(tmp_path):
    out = tmp_path / "d"
    assert main(["gen", SPEC, "-o", str(out)]) == 0
    before = _snapshot(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for delay in (0.3, 0.8, 1.3, 1.8, 2.3, 2.8, 3.5, 5.0):
        child = subprocess.Popen([sys.executable, "-c", _KILLED_GEN, SPEC, str(out)], env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = _snapshot(out)
        # the previous folder, or (if the run got that far) the new one, whole
        assert now.keys() == before.keys()
        assert {k: v for k, v in now.items() if k != "timings.json"} == \
            {k: v for k, v in before.items() if k != "timings.json"}


@pytest.mark.parametrize("argv", [["verify", SPEC], ["synth", SPEC, "--target", "generic"]],
                         ids=["verify", "synth"])
def test_verify_and_synth_refuse_a_users_folder_before_any_tool_runs(tmp_path, capsys, argv):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    assert main(argv + ["-o", str(out)]) == 2
    assert "not a folder lego wrote" in _one_error_line(capsys)
    assert _snapshot(out) == {"notes.txt": b"my notes"}
    assert [p.name for p in tmp_path.iterdir()] == ["mine"]


def test_a_folder_an_earlier_lego_wrote_is_still_replaceable(tmp_path):
    # before manifests listed their files: lego's manifest (generator hash, name), lego's names
    out = tmp_path / "d"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "g", "generator_sha256": "0"}')
    for name in ("g.v", "g.core", "report.json", "verify.json"):
        (out / name).write_text("x")
    check_replaceable(out)
    (out / "mine.v").write_text("module mine; endmodule")
    with pytest.raises(Exception, match="holds 'mine.v', which lego did not write"):
        check_replaceable(out)
