"""The sweep driver and its store: resume, kill -9, edited sweeps, one driver per folder,
statuses, promotion, and byte-identical exports whatever ran the points."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lego.cli import main
from lego.sweep.driver import RunOptions, run_sweep
from lego.sweep.export import read_table, to_csv
from lego.sweep.store import open_store
from lego.sweep.sweepfile import load_sweep

ROOT = Path(__file__).resolve().parent.parent
FIVE = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"


def _sweep(tmp_path, *, sram="[8, 16, 32, 64, 128]", extra="", layers=FIVE, name="s.yaml"):
    text = f"""\
base: {{preset: gemm-os, name: t, size: {{M: 64, N: 64, K: 64}}, array: [4, 4]}}
axes:
  array: [[4, 4], [8, 8], [16, 16], [32, 32]]
  preset: [gemm-os, gemm-ws, gemm-is]
  workload.sram_kib: {sram}
workload: {{layers: {layers}, dram_bw: 16}}
{extra}objectives: {{cycles: min, energy_uj: min}}
"""
    path = tmp_path / name
    path.write_text(text)
    return path


def _evaluations(folder) -> list[tuple[str, str]]:
    with sqlite3.connect(Path(folder) / "sweep.db") as db:
        return db.execute("SELECT key, stage FROM evaluations ORDER BY seq").fetchall()


def _export(folder) -> str:
    return to_csv(read_table(folder))


def _run(path, out, **options):
    with open(os.devnull, "w") as stream:
        return run_sweep(load_sweep(path), out, RunOptions(**options), stream=stream)


def test_resume_reuses_every_point_and_an_added_axis_value_evaluates_only_new_points(tmp_path):
    path = _sweep(tmp_path, sram="[8, 32]")
    first = _run(path, tmp_path / "out")
    assert (first[0].points, first[0].evaluated, first[0].reused) == (24, 24, 0)
    again = _run(path, tmp_path / "out")
    assert (again[0].evaluated, again[0].reused) == (0, 24)
    _sweep(tmp_path, sram="[8, 32, 128]")
    grown = _run(path, tmp_path / "out")
    assert (grown[0].points, grown[0].evaluated, grown[0].reused) == (36, 12, 24)
    keys = [key for key, _ in _evaluations(tmp_path / "out")]
    assert len(keys) == len(set(keys)) == 36  # every point evaluated exactly once
    _run(_sweep(tmp_path, sram="[128, 8, 32]", name="full.yaml"), tmp_path / "fresh")
    assert _export(tmp_path / "out") == _export(tmp_path / "fresh")


def test_a_finished_sweep_reruns_in_under_3_s_with_zero_evaluations(tmp_path):
    path = _sweep(tmp_path)
    _run(path, tmp_path / "out", jobs=2)
    before = len(_evaluations(tmp_path / "out"))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lego.cli", "sweep", str(path), "-o",
                             str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), check=True)
    seconds = time.perf_counter() - start
    assert "sim: 60 points, 0 evaluated, 60 reused" in result.stdout
    assert len(_evaluations(tmp_path / "out")) == before
    assert seconds < 3, seconds


def _heavy_layers(tmp_path) -> Path:
    """Ten conv layers of ten shapes per point (a worker simulates a shape once per
    accelerator, so repeated shapes would be nearly free): slow enough to kill mid-sweep."""
    header = FIVE.read_text().splitlines()[0]
    rows = [f"Conv{i},56,56,3,3,{64 + 8 * i},64,1," for i in range(10)]
    path = tmp_path / "ten.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def test_kill_9_then_rerun_does_every_point_once_and_exports_the_same(tmp_path):
    path = _sweep(tmp_path, layers=_heavy_layers(tmp_path), extra="stages: {sim: {batch: 1}}\n")
    out = tmp_path / "killed"
    driver = subprocess.Popen([sys.executable, "-m", "lego.cli", "sweep", str(path), "-o",
                               str(out), "--jobs", "2"], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline:
        if (out / "sweep.db").exists():
            try:
                done = len(_evaluations(out))
            except sqlite3.OperationalError:  # tables not created yet
                done = 0
        if done >= 10:
            break
        time.sleep(0.005)
    os.killpg(driver.pid, signal.SIGKILL)  # the driver and its workers
    driver.wait()
    killed_at = len(_evaluations(out))
    assert 10 <= killed_at < 60, killed_at
    rerun = _run(path, out, jobs=2)
    assert rerun[0].evaluated == 60 - killed_at
    keys = [key for key, _ in _evaluations(out)]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 60
    _run(path, tmp_path / "whole", jobs=1)
    assert _export(out) == _export(tmp_path / "whole")


def test_exports_are_byte_identical_across_executors(tmp_path):
    path = _sweep(tmp_path, sram="[8, 32]")
    _run(path, tmp_path / "one", jobs=1)
    _run(path, tmp_path / "two", jobs=2)
    reference = _export(tmp_path / "one")
    assert _export(tmp_path / "two") == reference
    pytest.importorskip("distributed", reason="Dask is the optional extra lego[cluster]")
    _run(path, tmp_path / "dask", jobs=2, executor="dask-local")
    assert _export(tmp_path / "dask") == reference


def test_a_second_driver_on_the_same_folder_exits_2(tmp_path, capsys):
    path = _sweep(tmp_path, sram="[8]")
    store = open_store(tmp_path / "out")
    try:
        assert main(["sweep", str(path), "-o", str(tmp_path / "out")]) == 2
    finally:
        store.close()
    assert capsys.readouterr().err == (
        f"lego: error: {tmp_path / 'out'}: another lego sweep (pid {os.getpid()}) is running "
        "on this folder; wait for it to finish or stop it\n")
    assert main(["sweep", str(path), "-o", str(tmp_path / "out")]) == 0  # lock released


def test_invalid_points_are_recorded_and_do_not_stop_the_sweep(tmp_path):
    # size 48 is no multiple of 32: the 32x32 points cannot exist
    path = _sweep(tmp_path, sram="[8]")
    path.write_text(path.read_text().replace("M: 64, N: 64, K: 64", "M: 48, N: 48, K: 48"))
    summary = _run(path, tmp_path / "out")[0]
    assert dict(summary.statuses) == {"invalid": 3, "ok": 9}
    table = read_table(tmp_path / "out")
    row = next(r for r in table.rows if r[1] == "32x32" and r[2] == "gemm-os")
    status = table.columns.index("sim.status")
    assert row[status:status + 2] == [
        "invalid", "<point>: size.M: 48 is not a multiple of the array extent 32 that gemm-os "
        "maps it to"]
    assert row[-1] is False  # on no Pareto front


def test_timeout_and_retry_failed(tmp_path):
    path = _sweep(tmp_path, sram="[8]", extra="stages: {sim: {timeout: 0.000001}}\n")
    summary = _run(path, tmp_path / "out")[0]
    assert dict(summary.statuses) == {"timeout": 12}
    assert _run(path, tmp_path / "out")[0].evaluated == 0  # a timeout is a result...
    assert _run(path, tmp_path / "out", retry_failed=True)[0].evaluated == 12  # ...retried


def test_a_crashing_point_is_failed_with_its_message(tmp_path, monkeypatch):
    from lego.sweep import simmodels, stages

    real = simmodels.SIM_MODELS["workload"]

    def crash_on_16(spec, workload, period):
        if dict(spec.dataflows[0].spatial)["p"] == 16:
            raise RuntimeError("boom")
        return real(spec, workload, period)

    monkeypatch.setitem(stages.SIM_MODELS, "workload", crash_on_16)
    summary = _run(_sweep(tmp_path, sram="[8]"), tmp_path / "out")[0]
    assert dict(summary.statuses) == {"failed": 3, "ok": 9}
    table = read_table(tmp_path / "out")
    messages = {r[table.columns.index("sim.message")] for r in table.rows if r[1] == "16x16"}
    assert len(messages) == 1 and messages.pop().startswith("RuntimeError: boom (")


def test_promotion_sends_the_top_k_on_to_gen(tmp_path):
    extra = ("stages:\n  sim: {}\n  gen: {promote: {top: 2, by: cycles}}\n")
    path = _sweep(tmp_path, sram="[8]", extra=extra)
    path.write_text(path.read_text().replace("[[4, 4], [8, 8], [16, 16], [32, 32]]",
                                             "[[2, 2], [4, 4]]").replace(
        "M: 64, N: 64, K: 64", "M: 4, N: 4, K: 4"))
    summaries = _run(path, tmp_path / "out")
    assert [(s.stage, s.points, dict(s.statuses)) for s in summaries] == [
        ("sim", 6, {"ok": 6}), ("gen", 2, {"ok": 2})]
    table = read_table(tmp_path / "out")
    cycles, fus = table.columns.index("sim.cycles"), table.columns.index("gen.fus")
    promoted = sorted(r[cycles] for r in table.rows if r[fus] is not None)
    assert promoted == sorted(r[cycles] for r in table.rows)[:2]
    assert {r[fus] for r in table.rows if r[fus] is not None} == {16}
    reports = list((tmp_path / "out" / "points").glob("*/gen/report.json"))
    assert len(reports) == 2
    # a stricter rule: the point no longer promoted keeps its stored result but leaves the export
    path.write_text(path.read_text().replace("top: 2", "top: 1"))
    again = _run(path, tmp_path / "out")
    assert [(s.stage, s.points, s.evaluated) for s in again] == [("sim", 6, 0), ("gen", 1, 0)]
    table = read_table(tmp_path / "out")
    assert sum(r[table.columns.index("gen.fus")] is not None for r in table.rows) == 1


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def test_kill_9_of_a_worker_loses_nothing(tmp_path):
    path = _sweep(tmp_path, layers=_heavy_layers(tmp_path), extra="stages: {sim: {batch: 1}}\n")
    out = tmp_path / "out"
    driver = subprocess.Popen([sys.executable, "-m", "lego.cli", "sweep", str(path), "-o",
                               str(out), "--jobs", "2"], cwd=ROOT,
                              env=dict(os.environ, PYTHONPATH=str(ROOT)),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline, killed = time.monotonic() + 60, None
    while killed is None and time.monotonic() < deadline and driver.poll() is None:
        workers = _children(driver.pid)
        if (out / "sweep.db").exists() and workers:
            try:
                if len(_evaluations(out)) >= 10:
                    killed = workers[0]
                    os.kill(killed, signal.SIGKILL)
            except sqlite3.OperationalError:
                pass
        time.sleep(0.005)
    stdout, stderr = driver.communicate(timeout=120)
    assert killed is not None and driver.returncode == 0, stderr
    assert stdout.startswith("sim: 60 points, 60 evaluated (60 ok), 0 reused"), stdout
    keys = [key for key, _ in _evaluations(out)]
    assert sorted(keys) == sorted(set(keys)) and len(keys) == 60
    _run(path, tmp_path / "whole", jobs=1)
    assert _export(out) == _export(tmp_path / "whole")


def test_an_edited_layers_file_is_read_again(tmp_path):
    layers = tmp_path / "layers.csv"
    layers.write_text(FIVE.read_text())
    path = _sweep(tmp_path, sram="[8]", layers=layers)
    _run(path, tmp_path / "out")
    before = read_table(tmp_path / "out")
    layers.write_text(FIVE.read_text().replace("Conv1,224,224", "Conv1,112,112"))
    again = _run(path, tmp_path / "out")[0]
    assert (again.evaluated, again.reused) == (12, 0)  # new content, new keys
    after = read_table(tmp_path / "out")
    cycles = before.columns.index("sim.cycles")
    assert all(a[cycles] < b[cycles] for a, b in zip(
        sorted(after.rows, key=lambda r: r[1:3]), sorted(before.rows, key=lambda r: r[1:3]),
        strict=True))
