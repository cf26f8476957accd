"""``lego spatten pq`` through lego.cli.main: files, report contents, reruns, one-line errors."""

import json

import pytest

from lego.cli import main

SMALL = ["spatten", "pq", "--head-dim", "16", "--lanes", "4", "--msb-bits", "4", "--lsb-bits",
         "3", "--query-bits", "8", "--max-len", "32", "--threshold", "0.1"]


def test_writes_verilog_report_manifest_and_core(tmp_path, capsys):
    out = tmp_path / "pq"
    assert main(SMALL + ["-o", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {out}\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "pq_d16_l4.core", "report.json", "spatten_pq.v"]
    report = json.loads((out / "report.json").read_text())
    assert report["parameters"]["head_dim"] == 16 and report["parameters"]["threshold"] == 0.1
    assert report["fixed_point"]["threshold_fixed"] == round(0.1 * 2 ** 16)
    assert report["storage_bits"]["score_buffer"] == 32 * (8 + 7 + 4)
    assert report["cycles_at_max_len"] == {"msb_only": 32 * 4 + 32 + 17 + 32 + 1,
                                           "with_refetch": 2 * (32 * 4 + 32 + 17) + 32 + 1}
    assert report["verilog_lines"] == (out / "spatten_pq.v").read_text().count("\n")
    assert "module spatten_pq(" in (out / "spatten_pq.v").read_text()
    assert "toplevel: spatten_pq" in (out / "pq_d16_l4.core").read_text()
    assert json.loads((out / "manifest.json").read_text())["name"] == "pq_d16_l4"


def test_default_folder_is_rtl_out_pq_d_l(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(SMALL) == 0
    assert (tmp_path / "rtl_out" / "pq_d16_l4" / "report.json").is_file()


def test_two_runs_are_byte_identical(tmp_path):
    for name in ("a", "b"):
        assert main(SMALL + ["-o", str(tmp_path / name)]) == 0
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


@pytest.mark.parametrize("args, message", [
    (["--lanes", "5"], "lego: error: pq: lanes (5) must divide head_dim (16)\n"),
    (["--threshold", "0"], "lego: error: pq: threshold must be in (0, 1), not 0.0\n"),
    (["--max-len", "0"], "lego: error: pq: max_len must be an integer in [1, 65536], not 0\n"),
    (["--exp-units", "0"], "lego: error: pq: exp_units must be an integer in [1, 64], not 0\n"),
])
def test_bad_parameters_exit_2_with_one_line(tmp_path, capsys, args, message):
    assert main(SMALL + args + ["-o", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == message
    assert not (tmp_path / "x").exists()
