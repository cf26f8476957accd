import json
from pathlib import Path

import pytest

from lego.cli import main

SPECS = Path(__file__).parent.parent / "examples" / "specs"


def test_gen_writes_the_adg_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "os"
    assert main(["gen", str(SPECS / "gemm_os_4x4.yaml"), "--stage", "adg", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert {"adg.json", "adg.dot"} <= {p.name for p in out.iterdir()}
    assert json.loads((out / "adg.json").read_text())["graph"]["name"] == "gemm_os_4x4"
    lines = printed.splitlines()
    assert lines[0].split() == ["dataflow", "tensor", "reuse", "direct", "delay", "fifo",
                                "ports", "banks"]
    assert lines[1].split() == ["os", "A", "direct", "12", "0", "0", "4", "4"]
    assert lines[3].split() == ["os", "C", "stationary", "0", "0", "0", "16", "16"]


def test_gen_output_is_byte_identical_across_runs(tmp_path, capsys):
    spec = str(SPECS / "conv2d_os_4x4.yaml")
    assert main(["gen", spec, "-o", str(tmp_path / "a")]) == 0
    assert main(["gen", spec, "-o", str(tmp_path / "b")]) == 0
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert {"adg.json", "adg.dot", "conv2d_os_4x4.v", "manifest.json"} <= set(names)
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in set(names) - {"timings.json"}:  # measured seconds per pass, by design
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_fused_summary_reports_muxes(tmp_path, capsys):
    assert main(["gen", str(SPECS / "gemm_os_bcast_fused_4x4.yaml"), "-o",
                 str(tmp_path / "f")]) == 0
    assert "muxes: 15 (naive union: 48; independent forests: 24)" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["reuse", "interconnect", "fusion", "memory", "adg"])
def test_dump_after_every_pass_is_stable(name, capsys):
    args = ["gen", str(SPECS / "gemm_ws_4x4.yaml"), "--dump-after", name]
    assert main(args) == 0
    first = capsys.readouterr().out
    main(args)
    assert capsys.readouterr().out == first and first.strip()


def test_dump_after_reuse_text():
    from lego.frontend.passes import dump_after, run_passes
    from lego.spec import load_spec
    text = dump_after(run_passes(load_spec(SPECS / "gemm_ws_4x4.yaml"), "reuse"), "reuse")
    assert "reuse ws/C (output): kinds reduction" in text
    assert "  reduction ds=[1, 0] dt=[0, 0, 0] delay=0 valid always" in text


def test_unknown_pass_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["gen", str(SPECS / "gemm_ws_4x4.yaml"), "--dump-after", "nope"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def test_help_lists_the_passes(capsys):
    with pytest.raises(SystemExit):
        main(["gen", "--help"])
    assert "reuse, interconnect, fusion, memory, adg" in capsys.readouterr().out


def test_bad_fusion_is_one_line_exit_2_and_writes_nothing(tmp_path, capsys):
    spec = tmp_path / "mixed.yaml"
    spec.write_text(
        "name: mixed\nloops: {i: 4, j: 4, k: 4}\nstatement: C[i, j] += A[i, k] * B[k, j]\n"
        "dtypes: {A: int8, B: int8, C: int32}\ndataflows:\n"
        "  - {name: os, spatial: {p: 4, q: 4}, temporal: {tk: 4}, map: {i: p, j: q, k: tk}}\n"
        "  - {name: row, spatial: {p: 4}, temporal: {tj: 4, tk: 4}, "
        "map: {i: p, j: tj, k: tk}}\n")
    out = tmp_path / "out"
    assert main(["gen", str(spec), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err == (f"lego: error: {spec}:7: dataflows[1].spatial: array shape 4 differs from "
                   "4x4 of dataflows[0] ('os'): the dataflows of a spec are fused onto one "
                   "array\n")
    assert not out.exists()
