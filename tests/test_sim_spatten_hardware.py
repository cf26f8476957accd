"""Hardware presets and YAML overrides, with located errors."""

import re

import pytest

from lego.errors import LegoError
from sim.spatten.hardware import PRESETS, load_hardware


def test_presets_match_the_paper_and_the_reference_eighth():
    full, eighth = PRESETS["full"], PRESETS["eighth"]
    assert (full.dram_bytes_per_cycle, full.qk_multipliers, full.pv_multipliers,
            full.topk_parallelism) == (16 * 32, 512, 512, 16)
    assert (eighth.dram_bytes_per_cycle, eighth.qk_multipliers, eighth.pv_multipliers,
            eighth.topk_parallelism) == (2 * 32, 64, 64, 16)
    assert load_hardware("eighth") is eighth


def test_yaml_overrides_a_preset(tmp_path):
    path = tmp_path / "hw.yaml"
    path.write_text("preset: eighth\ndram_channels: 4\nsoftmax_units: 2\n")
    hw = load_hardware(str(path))
    assert (hw.dram_channels, hw.softmax_units, hw.qk_multipliers) == (4, 2, 64)
    assert hw.name == "hw.yaml (eighth)"


@pytest.mark.parametrize("text, line, field, what", [
    ("dram_channels: 0\n", 1, "dram_channels", "expected an integer in"),
    ("x: 1\ntopk_parallelism: 12\n", 1, "x", "unknown hardware field"),
    ("topk_parallelism: 12\n", 1, "topk_parallelism", "must be a power of two, got 12"),
    ("preset: half\n", 1, "preset", "expected one of full, eighth, got 'half'"),
    ("qk_multipliers: 64\nfrequency_ghz: -1\n", 2, "frequency_ghz", "expected a positive"),
    ("frequency_ghz: .inf\n", 1, "frequency_ghz", "expected a positive"),
    ("[1, 2]\n", 1, "", "expected a mapping"),
])
def test_bad_yaml_is_located(tmp_path, text, line, field, what):
    path = tmp_path / "hw.yaml"
    path.write_text(text)
    where = f"{field}: " if field else ""
    with pytest.raises(LegoError, match=rf"^{re.escape(str(path))}:{line}: {where}{what}"):
        load_hardware(str(path))


def test_unknown_preset_or_file():
    with pytest.raises(LegoError, match=r"^half: not a preset \(full, eighth\) and no such"):
        load_hardware("half")
