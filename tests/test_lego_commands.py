"""`lego check` and `lego golden` (lego/commands.py) through the real CLI entry point."""

from pathlib import Path

import numpy as np
import yaml

from lego import evaluate, load_spec, parse_spec, random_inputs
from lego.cli import main
from lego.golden import checksum

SPECS = Path(__file__).parents[1] / "examples" / "specs"
GEMM = str(SPECS / "gemm_os_4x4.yaml")

GEMM_SUMMARY = f"""\
spec gemm_os_4x4 ({GEMM})
  statement: C[i, j] += A[i, k] * B[k, j]
  loops: i in [0, 8), j in [0, 8), k in [0, 8)  (512 points)
  tensor A: input, int8, shape [8, 8], f(I) = A I + b with I = (i, j, k)
    [1 0 0] + 0
    [0 0 1] + 0
  tensor B: input, int8, shape [8, 8], f(I) = A I + b with I = (i, j, k)
    [0 0 1] + 0
    [0 1 0] + 0
  tensor C: output, int32, shape [8, 8], f(I) = A I + b with I = (i, j, k)
    [1 0 0] + 0
    [0 1 0] + 0
  dataflow os: array 4x4 (16 FUs), 32 temporal steps
    temporal (outermost first): ti<2, tj<2, tk<8; spatial: p<4, q<4
    I = M [t; s] + c with [t; s] = (ti, tj, tk, p, q):
    [4 0 0 1 0] + 0
    [0 4 0 0 1] + 0
    [0 0 1 0 0] + 0
ok
"""


def test_check_prints_the_ir(capsys):
    assert main(["check", GEMM]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == (GEMM_SUMMARY, "")


def test_check_expand_prints_the_general_form(capsys):
    path = SPECS / "gemm_preset_4x4.yaml"
    assert main(["check", str(path), "--expand"]) == 0
    out = capsys.readouterr().out
    expanded = yaml.safe_load(out)
    assert "preset" not in expanded and len(expanded["dataflows"]) == 2
    assert parse_spec(expanded, str(path)) == load_spec(path)


def test_golden_prints_checksums(capsys):
    assert main(["golden", GEMM, "--seed", "1"]) == 0
    spec = load_spec(GEMM)
    inputs = random_inputs(spec, 1)
    assert capsys.readouterr().out == (
        f"A: int8 [8, 8] checksum {checksum(inputs['A'])}\n"
        f"B: int8 [8, 8] checksum {checksum(inputs['B'])}\n"
        f"C: int32 [8, 8] checksum {checksum(evaluate(spec, inputs))}\n")
    # the value itself is pinned once, declared as such, in
    # tests/test_lego_golden.py::test_golden_checksum_is_stable


def test_golden_default_seed_is_zero(capsys):
    assert main(["golden", GEMM]) == 0
    default = capsys.readouterr().out
    assert main(["golden", GEMM, "--seed", "0"]) == 0
    assert capsys.readouterr().out == default
    assert main(["golden", GEMM, "--seed", "1"]) == 0
    assert capsys.readouterr().out != default


def test_golden_save(tmp_path, capsys):
    target = tmp_path / "gemm.npz"
    assert main(["golden", GEMM, "--seed", "3", "--save", str(target)]) == 0
    spec = load_spec(GEMM)
    with np.load(target) as saved:
        assert sorted(saved.files) == ["A", "B", "C"]
        inputs = {name: saved[name] for name in ("A", "B")}
        assert np.array_equal(saved["C"], evaluate(spec, inputs))
        assert np.array_equal(saved["A"], random_inputs(spec, 3)["A"])


def test_golden_save_to_missing_directory(tmp_path, capsys):
    target = tmp_path / "no" / "such" / "dir.npz"
    assert main(["golden", GEMM, "--save", str(target)]) == 2
    err = capsys.readouterr().err
    assert err == f"lego: error: {target}: cannot write: No such file or directory\n"
