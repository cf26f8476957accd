"""``lego spatten sim``: the report, --json, --baseline, --plot, and one-line errors."""

import json
import re

import pytest

from lego.cli import main
from tests.spatten_workloads import DENSE, PER8, workload
from tests.test_sim_spatten_trace import row, write


def lego(capsys, *argv):
    status = main(["spatten", "sim", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def test_per8_report_and_baseline(capsys):
    status, out, err = lego(capsys, workload(PER8), "--baseline", workload(DENSE))
    assert (status, err) == (0, "")
    assert "DRAM bytes: K-MSB 61,592,256, K-LSB (re-fetch) 8,587,360, V 12,248,640, total " \
           "82,428,256" in out
    assert "4,608 requests, 323 re-fetches" in out
    assert "| + LSB re-fetch | 82,428,256 | 0.90x | 10.82x |" in out
    assert re.search(r"speedup \d+\.\d\dx, DRAM reduction 10\.82x", out)
    assert "energy (ESTIMATE" in out


def test_small_trace_json_is_deterministic(capsys):
    first = lego(capsys, workload("small.csv"), "--json", "--hw", "eighth")
    second = lego(capsys, workload("small.csv"), "--json", "--hw", "eighth")
    assert first == second and first[0] == 0
    result = json.loads(first[1])
    assert result["totals"]["requests"] == 1
    assert result["hardware"]["name"] == "eighth"
    assert set(result["stages"]) == {"dram", "qk", "softmax", "local_v_topk", "pv",
                                     "cascade_topk"}
    assert result["energy"]["estimate"] is True


def test_reference_options(capsys, tmp_path):
    path = write(tmp_path, row(keys=10, values=2, rq="True"), row(head=1, tk="True", k=5))
    status, out, _ = lego(capsys, path, "--json", "--fetch-rule", "reference", "--topk",
                          "reference", "--seed", "3")
    result = json.loads(out)
    assert status == 0
    # counts rounded up to 8: keys 16 x 64 x (6 + 4) + values 8 x 64 x 6 for the re-fetched
    # head, keys 16 x 64 x 6 + values 8 x 64 x 6 for the other
    assert result["totals"]["bytes"]["total"] == (16 * 64 * 10 + 8 * 64 * 6 +
                                                  16 * 64 * 6 + 8 * 64 * 6) // 8
    assert result["stages"]["cascade_topk"]["busy"] > 0


def test_plot_writes_a_png(capsys, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "ladder.png"
    path = write(tmp_path, row(), row(layer=1, keys=5, values=1))
    assert lego(capsys, path, "--plot", target)[0] == 0
    first = target.read_bytes()
    assert first.startswith(b"\x89PNG")
    lego(capsys, path, "--plot", target)
    assert target.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("argv, message", [
    (["--dense-bits", "0"], r"--dense-bits must be in \[1, 32\], got 0"),
    (["--heads", "0"], r"--heads must be >= 1, got 0"),
    (["--hw", "nope.yaml"], r"nope.yaml: not a preset \(full, eighth\) and no such file"),
    (["--layers", "1"], r".*t.csv:3: layer_id: id 1 out of range for 1 layers"),
])
def test_bad_arguments_are_one_line(capsys, tmp_path, argv, message):
    path = write(tmp_path, row(), row(layer=1))
    status, out, err = lego(capsys, path, *argv)
    assert (status, out) == (2, "")
    assert re.fullmatch(rf"lego: error: {message}\n", err)


def test_bad_trace_is_one_line_and_writes_no_plot(capsys, tmp_path):
    path = write(tmp_path, row(), row(head=1, keys=11))
    target = tmp_path / "p.png"
    status, out, err = lego(capsys, path, "--plot", target)
    assert (status, out, target.exists()) == (2, "", False)
    assert err == f"lego: error: {path}:3: key_fetch_num: 11 keys exceed the sentence length " \
                  "L=10\n"
