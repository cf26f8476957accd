"""``lego sweep`` on the command line: run, status, export (CSV, timings, Parquet), plot and
--dry-run."""

import csv
import io
from pathlib import Path

import pytest

from lego.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIVE = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"
SWEEP = f"""\
base: {{preset: gemm-os, name: t, size: {{M: 64, N: 64, K: 64}}, array: [4, 4]}}
axes:
  array: [[8, 8], [16, 16]]
  preset: [gemm-os, gemm-ws]
workload: {{layers: {FIVE}}}
objectives: {{cycles: min, energy_uj: min}}
"""


@pytest.fixture
def finished(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(SWEEP)
    assert main(["sweep", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("sim: 4 points, 4 evaluated (4 ok), 0 reused, ")
    return tmp_path


def test_status(finished, capsys):
    assert main(["sweep", "status", str(finished / "out")]) == 0
    assert capsys.readouterr().out == f"{finished / 'out'}: 4 points\nsim: 4 ok\n"


def test_export_csv_and_timings(finished, capsys):
    assert main(["sweep", "export", str(finished / "out")]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:6] == ["key", "array", "preset", "sim.status", "sim.message", "sim.cycles"]
    assert rows[0][-1] == "pareto" and len(rows) == 5
    assert [r[0] for r in rows[1:]] == sorted(r[0] for r in rows[1:])
    assert main(["sweep", "export", str(finished / "out"), "--timings", "-o",
                 str(finished / "t.csv")]) == 0
    header = (finished / "t.csv").read_text().splitlines()[0].split(",")
    assert header[-2:] == ["sim.seconds", "pareto"]


def test_export_parquet(finished, capsys):
    path = finished / "r.parquet"
    code = main(["sweep", "export", str(finished / "out"), "--format", "parquet", "-o",
                 str(path)])
    try:
        import pyarrow.parquet as pq
    except ImportError:
        assert code == 2
        assert capsys.readouterr().err == ("lego: error: --format parquet needs pyarrow: "
                                           "pip install pyarrow\n")
        assert not path.exists()
        return
    assert code == 0 and pq.read_table(path).num_rows == 4


def test_plot(finished, capsys):
    pytest.importorskip("matplotlib", reason="plotting is the optional extra lego[plot]")
    assert main(["sweep", "plot", str(finished / "out")]) == 0
    png = finished / "out" / "plots" / "cycles__energy_uj.png"
    assert capsys.readouterr().out == f"wrote {png}\n"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_dry_run_runs_nothing_and_estimates(finished, capsys):
    (finished / "s.yaml").write_text(SWEEP.replace("[[8, 8], [16, 16]]",
                                                   "[[8, 8], [16, 16], [32, 32]]"))
    assert main(["sweep", str(finished / "s.yaml"), "-o", str(finished / "out"),
                 "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "s: 6 points, executor local, 1 job(s)"
    assert lines[1].startswith("sim: 6 points, 4 stored, 2 to evaluate; ")
    assert "ms per point (mean of 4 stored): about " in lines[1]
    assert lines[2].startswith("estimated time: about ")
    assert main(["sweep", "status", str(finished / "out")]) == 0
    assert "4 points" in capsys.readouterr().out  # the dry run recorded nothing


def test_status_of_a_folder_that_is_no_sweep(tmp_path, capsys):
    assert main(["sweep", "status", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"lego: error: {tmp_path}: not a sweep folder "
                                       "(no sweep.db)\n")


def test_a_folder_with_other_files_is_not_written(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(SWEEP)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    assert main(["sweep", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "mine")]) == 2
    assert capsys.readouterr().err == (
        f"lego: error: {tmp_path / 'mine'}: not a sweep folder (no sweep.db) and not empty; "
        "lego writes a sweep only into a new, empty or sweep folder\n")
    assert sorted(p.name for p in (tmp_path / "mine").iterdir()) == ["notes.txt"]


def test_upto_and_fresh(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(SWEEP.replace(
        "objectives:", "stages: {sim: {}, gen: {promote: {top: 1, by: cycles}}}\nobjectives:"))
    args = ["sweep", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out")]
    assert main([*args, "--upto", "sim"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("sim: 4 points, 4 evaluated")
    assert main([*args, "--upto", "synth"]) == 2
    assert capsys.readouterr().err == ("lego: error: --upto synth: not a stage of this sweep "
                                       "(sim, gen)\n")
    assert main([*args, "--upto", "sim", "--fresh"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("sim: 4 points, 4 evaluated")


@pytest.mark.parametrize("options, message", [
    (["--executor", "ray"], "--executor must be local, dask-local or dask://HOST:PORT, "
                            "not 'ray'"),
    (["--jobs", "0"], "--jobs must be a positive integer, not 0"),
])
def test_bad_executor_options_write_nothing(options, message, tmp_path, capsys):
    (tmp_path / "s.yaml").write_text(SWEEP)
    assert main(["sweep", str(tmp_path / "s.yaml"), "-o", str(tmp_path / "out"), *options]) == 2
    assert capsys.readouterr().err == f"lego: error: {message}\n"
    assert not (tmp_path / "out").exists()
