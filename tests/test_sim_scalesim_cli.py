"""``lego sim scalesim --config CFG --topology CSV [--json]``: output and exit codes, and the old
form ``lego sim --scalesim-config CFG --scalesim-topology CSV``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lego.cli import main
from sim.cli import _progress_bar

DATA = Path(__file__).parent / "data" / "scalesim"
CFG = str(DATA / "configs" / "ws_8x8.cfg")
CONV = str(DATA / "topologies" / "conv_mixed.csv")


def _reference(config, topology):
    runs = json.loads((DATA / "reference.json").read_text())["runs"]
    return next(r for r in runs if r["config"] == config and r["topology"] == topology)


def test_table_has_one_line_per_layer(capsys):
    assert main(["sim", "scalesim", "--config", CFG, "--topology", CONV]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("SCALE-Sim compatible run ws_8x8: 8x8 array, dataflow ws, 7 layers")
    assert out[1].split()[:4] == ["LayerID", "Layer", "Total", "Cycles"]
    recorded = _reference("configs/ws_8x8.cfg", "topologies/conv_mixed.csv")["layers"]
    for line, layer in zip(out[2:], recorded, strict=True):
        cells = line.split()
        assert cells[1] == layer["name"]
        assert int(cells[2]) == layer["total_cycles"]
        assert float(cells[6]) == layer["compute_util"]


def test_json_is_stable_and_matches_scalesim(capsys):
    gemm = str(DATA / "topologies" / "gemm_mixed.csv")
    cfg = str(DATA / "configs" / "is_3x5.cfg")
    argv = ["sim", "scalesim", "--config", cfg, "--topology", gemm, "--input-type", "gemm",
            "--json"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert main(argv) == 0
    assert capsys.readouterr().out == first
    layers = json.loads(first)["layers"]
    recorded = _reference("configs/is_3x5.cfg", "topologies/gemm_mixed.csv")["layers"]
    assert [la["total_cycles"] for la in layers] == [la["total_cycles"] for la in recorded]
    assert [la["sram_ofmap_writes"] for la in layers] == \
        [la["sram_ofmap_accesses"] for la in recorded]


def test_one_cycle_layer_where_scalesim_crashes_is_reported(capsys):
    # SCALE-Sim 3.0.0 stops with ZeroDivisionError here (see tests/data/scalesim/README.md).
    argv = ["sim", "scalesim", "--config", str(DATA / "configs" / "os_1x1.cfg"),
            "--topology", str(DATA / "topologies" / "gemm_one.csv"), "--input-type", "gemm",
            "--json"]
    assert main(argv) == 0
    (layer,) = json.loads(capsys.readouterr().out)["layers"]
    assert (layer["total_cycles"], layer["overall_util"]) == (0, 100.0)


def test_bad_input_exits_2_with_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("Layer Name, M, N, K,\nG, 1, 2, 3,\n")  # GEMM file read as conv
    assert main(["sim", "scalesim", "--config", CFG, "--topology", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("lego: error: ") and err.count("\n") == 1
    assert "bad.csv:2: a conv row needs 8" in err
    assert main(["sim", "scalesim", "--config", str(tmp_path / "x.cfg"), "--topology", CONV]) == 2
    assert "x.cfg: SCALE-Sim config file not found" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["--config", CFG], "the following arguments are required: --topology"),
    (["--config", CFG, "--topology", CONV, "--dataflow", "ws"],
     "unrecognized arguments: --dataflow ws"),
    (["--config", CFG, "--topology", CONV, "--input-type", "fc"],
     "argument --input-type/--scalesim-input-type: invalid choice: 'fc'"),
])
def test_usage_errors_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["sim", "scalesim", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_old_form_prints_one_note_and_the_same_output(capsys):
    assert main(["sim", "scalesim", "--config", CFG, "--topology", CONV, "--json"]) == 0
    new = capsys.readouterr()
    assert main(["sim", "--scalesim-config", CFG, "--scalesim-topology", CONV, "--json"]) == 0
    old = capsys.readouterr()
    assert (old.out, new.err) == (new.out, "")
    assert old.err == ('lego: note: "lego sim --scalesim-config CFG --scalesim-topology CSV" is '
                       'now "lego sim scalesim --config CFG --topology CSV"\n')


def test_old_long_names_are_aliases_without_a_note(capsys):
    assert main(["sim", "scalesim", "--scalesim-config", CFG, "--scalesim-topology", CONV,
                 "--scalesim-input-type", "conv"]) == 0
    assert capsys.readouterr().err == ""


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal_and_for_many_layers():
    assert _progress_bar(io.StringIO()) is None
    stream = _Tty()
    draw = _progress_bar(stream)
    draw(1, 3)
    assert stream.getvalue() == ""  # few layers: no bar
    for done in range(1, 41):
        draw(done, 40)
    text = stream.getvalue()
    assert text.endswith("] 40/40 layers\n") and "\r[" + "#" * 15 + "." * 15 + "] 20/40" in text
