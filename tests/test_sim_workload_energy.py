"""Energy: the documented default table, YAML overrides and their errors, and the sum."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from lego.errors import LegoError
from sim.workload.arch import Accelerator
from sim.workload.energy import DEFAULTS_PATH, load_table
from sim.workload.layer import conv
from sim.workload.simulate import simulate_layer


def test_defaults_are_documented_estimates():
    text = DEFAULTS_PATH.read_text()
    assert "ESTIMATES" in text and "Horowitz" in text and "45 nm" in text
    table = load_table()
    assert set(table) == {"mac_pj", "register_pj", "sram_bank_width_bits", "sram_read_pj",
                          "sram_write_pj", "dram_pj_per_byte"}
    for key in table:  # every key is explained by a comment line above it
        assert re.search(rf"#[^\n]*\n(#[^\n]*\n)*{key}:", text), key


def test_energy_is_counts_times_table(tmp_path):
    override = tmp_path / "e.yaml"
    override.write_text("dram_pj_per_byte: 100\nsram_bank_width_bits: 32\n")
    table = load_table(override)
    defaults = yaml.safe_load(DEFAULTS_PATH.read_text())
    assert table == defaults | {"dram_pj_per_byte": 100, "sram_bank_width_bits": 32}
    layer = conv("c", 30, 30, 16, 24, 3, 3, 1)
    acc = Accelerator(8, 8, "ws", sram_bytes=(4096, 2048, 4096), word_bytes=2)
    result = simulate_layer(layer, acc, table)
    # Recomputed here from the layer, the access counts and the YAML files.
    bits = 2 * 8

    def banks(elements):
        return math.ceil(elements * bits / 32)

    expected = (layer.m * layer.n * layer.k * (defaults["mac_pj"] + 3 * defaults["register_pj"])
                + sum(banks(s["read"]) for s in result.sram.values()) * defaults["sram_read_pj"]
                + sum(banks(s["write"]) for s in result.sram.values()) * defaults["sram_write_pj"]
                + result.dram.total * 100)
    assert result.energy_pj["total"] == pytest.approx(expected, rel=1e-12)
    assert result.energy_pj["total"] == pytest.approx(
        sum(v for k, v in result.energy_pj.items() if k != "total"), rel=1e-12)


@pytest.mark.parametrize("text,message", [
    ("mac_pj: 1\nflux_pj: 2\n", "e.yaml: flux_pj: unknown energy key (known: dram_pj_per_byte, "),
    ("dram_pj_per_byte: -1\n", "e.yaml: dram_pj_per_byte: must not be negative, got -1"),
    ("mac_pj: fast\n", "e.yaml: mac_pj: expected a number, got 'fast'"),
    ("mac_pj: true\n", "e.yaml: mac_pj: expected a number, got True"),
    ("sram_bank_width_bits: 0\n", "e.yaml: sram_bank_width_bits: expected a positive integer"),
    ("- 1\n", "e.yaml: expected a mapping of energy keys to numbers, got list"),
    ("mac_pj: [1\n", "e.yaml:2: not valid YAML"),
])
def test_bad_tables_are_one_line_errors(tmp_path, text, message):
    path = tmp_path / "e.yaml"
    path.write_text(text)
    with pytest.raises(LegoError) as info:
        load_table(path)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_missing_table_file():
    with pytest.raises(LegoError, match="nope.yaml: energy table file not found"):
        load_table(Path("nope.yaml"))
