"""``lego spatten topk``: design folder contents, reproducibility and one-line errors."""

from __future__ import annotations

import json

import pytest

from lego.cli import main

SMALL = ["spatten", "topk", "--parallelism", "4", "--max-n", "64", "--score-width", "8",
         "--index-width", "6"]


def test_writes_verilog_report_manifest_and_core(tmp_path):
    out = tmp_path / "d"
    assert main(SMALL + ["-o", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["manifest.json", "report.json", "topk_p4_n64.core", "topk_p4_n64.v"]
    report = json.loads((out / "report.json").read_text())
    assert report["parameters"] == {"parallelism": 4, "max_n": 64, "score_width": 8,
                                    "index_width": 6}
    assert report["ports"]["i__payload"] == {"direction": "in", "width": 4 * 14}
    assert report["ports"]["o__payload"] == {"direction": "out", "width": 4 * 14 + 4 + 1}
    assert report["storage_bits"] == 64 * 14 + 16 * 7
    assert report["verilog_lines"] == len((out / "topk_p4_n64.v").read_text().splitlines())
    assert "module topk_p4_n64" in (out / "topk_p4_n64.v").read_text()
    assert "toplevel: topk_p4_n64" in (out / "topk_p4_n64.core").read_text()
    assert json.loads((out / "manifest.json").read_text())["parameters"]["max_n"] == 64


def test_default_folder_under_rtl_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(SMALL) == 0
    assert (tmp_path / "rtl_out" / "topk_p4_n64" / "topk_p4_n64.v").is_file()


def test_output_is_byte_identical_twice(tmp_path):
    assert main(SMALL + ["-o", str(tmp_path / "a")]) == 0
    assert main(SMALL + ["-o", str(tmp_path / "b")]) == 0
    for name in ("topk_p4_n64.v", "report.json", "manifest.json", "topk_p4_n64.core"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("flag,value,message", [
    ("--parallelism", "12", "top-k parallelism must be a power of two, not 12"),
    ("--max-n", "0", "top-k max n must be an integer in [1, 1048576], not 0"),
    ("--score-width", "40", "top-k score width must be an integer in [2, 32], not 40"),
])
def test_bad_parameters_exit_2_with_one_line(tmp_path, capsys, flag, value, message):
    args = SMALL + ["-o", str(tmp_path / "x")]
    args[args.index(flag) + 1] = value
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err == f"lego: error: {message}\n"
    assert not (tmp_path / "x").exists()

