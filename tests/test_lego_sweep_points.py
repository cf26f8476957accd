"""Points of a sweep: the grid order, the seeded sample, keys that follow content (not file
names or knob names), and knob text for CSV cells."""

import shutil
from pathlib import Path

from lego.sweep.points import expand_points, knob_text
from lego.sweep.sweepfile import load_sweep

ROOT = Path(__file__).resolve().parent.parent
FIVE = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"
SWEEP = """\
base: {preset: gemm-os, name: t, size: {M: 64, N: 64, K: 64}, array: [4, 4]}
axes:
  array: [[4, 4], [8, 8], [16, 16]]
  workload.sram_kib: [8, 32]
workload: {layers: LAYERS}
"""


def _write(folder: Path, text: str, layers: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "s.yaml"
    path.write_text(text.replace("LAYERS", layers))
    return path


def test_grid_order_and_knobs(tmp_path):
    points = expand_points(load_sweep(_write(tmp_path, SWEEP, str(FIVE))))
    assert [tuple(knob_text(v) for _, v in p.knobs) for p in points] == [
        ("4x4", "8"), ("4x4", "32"), ("8x8", "8"), ("8x8", "32"), ("16x16", "8"),
        ("16x16", "32")]
    assert points[3].payload["spec"]["array"] == [8, 8]
    assert points[3].payload["workload"]["sram_kib"] == 32


def test_keys_follow_file_content_not_names(tmp_path):
    here = expand_points(load_sweep(_write(tmp_path / "a", SWEEP, str(FIVE))))
    shutil.copy(FIVE, tmp_path / "copy.csv")
    there = expand_points(load_sweep(_write(tmp_path / "b" / "c", SWEEP, "../../copy.csv")))
    assert [p.key for p in here] == [p.key for p in there]
    (tmp_path / "copy.csv").write_text(FIVE.read_text().replace("224,224", "112,112"))
    changed = expand_points(load_sweep(_write(tmp_path / "d", SWEEP,
                                              str(tmp_path / "copy.csv"))))
    assert not {p.key for p in here} & {p.key for p in changed}


def test_the_same_design_from_other_knobs_has_the_same_key(tmp_path):
    fixed = SWEEP.replace("  workload.sram_kib: [8, 32]\n", "").replace(
        "workload: {layers: LAYERS}", "workload: {layers: LAYERS, sram_kib: 32}")
    grid = expand_points(load_sweep(_write(tmp_path / "grid", SWEEP, str(FIVE))))
    one = expand_points(load_sweep(_write(tmp_path / "one", fixed, str(FIVE))))
    assert [p.key for p in one] == [p.key for p in grid if dict(p.knobs)[
        "workload.sram_kib"] == 32]


def test_seeded_sample(tmp_path):
    text = SWEEP + "sample: {random: 4, seed: 3}\n"
    first = expand_points(load_sweep(_write(tmp_path / "x", text, str(FIVE))))
    again = expand_points(load_sweep(_write(tmp_path / "y", text, str(FIVE))))
    other = expand_points(load_sweep(_write(tmp_path / "z", text.replace("seed: 3", "seed: 4"),
                                            str(FIVE))))
    assert len(first) == 4 and [p.key for p in first] == [p.key for p in again]
    assert [p.key for p in first] != [p.key for p in other]
    whole = [p.key for p in expand_points(load_sweep(_write(tmp_path / "w", SWEEP, str(FIVE))))]
    assert [whole.index(p.key) for p in first] == sorted(whole.index(p.key) for p in first)


def test_knob_text():
    assert knob_text([8, 16]) == "8x16"
    assert knob_text("gemm-os") == "gemm-os"
    assert knob_text({"B": "int8", "A": "int16"}) == '{"A":"int16","B":"int8"}'
    assert knob_text(["gemm-os", "gemm-ws"]) == '["gemm-os","gemm-ws"]'
    assert knob_text(2.5) == "2.5"
