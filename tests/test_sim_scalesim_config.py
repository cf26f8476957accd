"""SCALE-Sim config reading: the sample file, and one pinned message per kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lego.errors import LegoError
from sim.scalesim import read_config

DATA = Path(__file__).parent / "data" / "scalesim"
BASE = (DATA / "base_scale.cfg").read_text()


def test_reads_scalesim_sample_config():
    config = read_config(DATA / "base_scale.cfg")
    assert (config.rows, config.cols, config.dataflow) == (32, 32, "os")
    assert (config.ifmap_sram_kb, config.filter_sram_kb, config.ofmap_sram_kb) == (64, 64, 64)
    assert config.run_name == "scale_example_run_32x32_ws"


def _write(tmp_path, text):
    path = tmp_path / "bad.cfg"
    path.write_text(text)
    return path


def _line_of(text, prefix):
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(prefix))


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("ArrayHeight:    32", "ArrayHeight:    abc"),
     r"bad.cfg:5: architecture_presets.ArrayHeight: expected a positive integer, got 'abc'$"),
    (lambda t: t.replace("ArrayWidth:     32", "ArrayWidth:     0"),
     r"bad.cfg:6: architecture_presets.ArrayWidth: expected a positive integer, got '0'$"),
    (lambda t: t.replace("OfmapSramSzkB:   64", "OfmapSramSzkB:   -4"),
     r"bad.cfg:9: architecture_presets.OfmapSramSzkB: expected a positive integer, got '-4'$"),
    (lambda t: t.replace("Dataflow : os", "Dataflow : rs"),
     r"bad.cfg:14: architecture_presets.Dataflow: expected one of os, ws, is, got 'rs'$"),
    (lambda t: t.replace("Dataflow : os\n", ""),
     r"bad.cfg:4: architecture_presets.Dataflow: missing key in \[architecture_presets\]$"),
    (lambda t: t.replace("[general]\nrun_name = scale_example_run_32x32_ws\n", ""),
     r"bad.cfg: general: missing section \[general\]$"),
    (lambda t: t.replace("InterfaceBandwidth: CALC", "InterfaceBandwidth: USER"),
     r"bad.cfg:37: run_presets.InterfaceBandwidth: USER bandwidth adds SCALE-Sim's DRAM stall "
     r"model, which the compatibility mode does not reproduce; use CALC$"),
    (lambda t: t.replace("SparsitySupport : false", "SparsitySupport : true"),
     r"bad.cfg:30: sparsity.SparsitySupport: sparse mappings are not reproduced"),
    (lambda t: t.replace("ArrayWidth:     32", "ArrayWidth:     32\nArrayheight: 8"),
     r"bad.cfg:7: architecture_presets.Arrayheight: duplicate key$"),
    (lambda t: "ArrayHeight: 4\n" + t,
     r"bad.cfg:1: expected a '\[section\]' header first, got 'ArrayHeight: 4'$"),
    (lambda t: t.replace("Bandwidth : 10", "Bandwidth 10"),
     r"bad.cfg:13: expected a 'key: value' line, got 'Bandwidth 10'$"),
])
def test_bad_config_is_one_located_line(tmp_path, edit, message):
    with pytest.raises(LegoError) as caught:
        read_config(_write(tmp_path, edit(BASE)))
    assert "\n" not in str(caught.value)
    assert re.search(message, str(caught.value)), str(caught.value)


def test_line_numbers_in_pins_match_the_sample():
    assert _line_of(BASE, "ArrayHeight") == 5 and _line_of(BASE, "Dataflow") == 14
    assert _line_of(BASE, "InterfaceBandwidth") == 37 and _line_of(BASE, "SparsitySupport") == 30


def test_missing_config_file(tmp_path):
    with pytest.raises(LegoError, match=r"nope.cfg: SCALE-Sim config file not found$"):
        read_config(tmp_path / "nope.cfg")
