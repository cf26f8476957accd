"""Sweep files: every mistake is one line naming the file, the line and the field, exit 2,
and nothing is written."""

import re
from pathlib import Path

import pytest

from lego.cli import main

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ROOT / "tests" / "data" / "scalesim" / "topologies" / "resnet18_five.csv"

GOOD = f"""\
name: t
base:
  preset: gemm-os
  name: t
  size: {{M: 64, N: 64, K: 64}}
  array: [4, 4]
axes:
  array: [[4, 4], [8, 8]]
  workload.sram_kib: [8, 32]
where: "array[0] <= 8"
workload: {{layers: {LAYERS}}}
stages:
  sim: {{}}
  gen: {{promote: {{top: 1, by: cycles}}}}
objectives: {{cycles: min, energy_uj: min}}
"""


def _replace(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new)


@pytest.mark.parametrize("text, line, field, message", [
    (_replace("name: t\nbase", "nme: t\nbase"), 1, "nme", r"unknown field 'nme' \(fields: "),
    (_replace("where: \"array[0] <= 8\"", "where: \"array[0] <= 8 and\""), 10, "where",
     r"expected a value but found the end"),
    (_replace("where: \"array[0] <= 8\"", "where: \"arrray[0] <= 8\""), 10, "where",
     r"unknown name 'arrray' in 'arrray\[0\] <= 8' \(axes: array, workload.sram_kib\)"),
    (_replace("array: [[4, 4], [8, 8]]", "arry: [[4, 4], [8, 8]]"), 8, "axes.arry",
     r"not a spec field, workload.FIELD or period"),
    (_replace("array: [[4, 4], [8, 8]]", "array: 4"), 8, "axes.array",
     r"must be a non-empty list of values, not 4"),
    (_replace("array: [[4, 4], [8, 8]]", "array: [[4, 4], [4, 4]]"), 8, r"axes.array\[1\]",
     r"value \[4, 4\] is listed twice"),
    (_replace("workload.sram_kib: [8, 32]", "workload.sram_kib: [8, -1]"), 9,
     r"axes\['workload.sram_kib'\]\[1\]", r"must be a positive integer"),
    (_replace("workload.sram_kib", "workload.sram"), 9, r"axes\['workload.sram'\]",
     r"unknown workload field"),
    (_replace("sim: {}", "simulate: {}"), 13, "stages.simulate", r"unknown stage"),
    (_replace("sim: {}", "sim: {model: magic}"), 13, "stages.sim.model",
     r"unknown sim model 'magic' \(models: workload, design, spec_layers\)"),
    (_replace("{top: 1, by: cycles}", "{top: 1, by: lut4}"), 14, "stages.gen.promote",
     r"'lut4' is not recorded by an earlier stage"),
    (_replace("{top: 1, by: cycles}", "{best: 1}"), 14, "stages.gen.promote",
     r"must be \{pareto: \[METRIC, ...\]\} or \{top: K, by: METRIC\}"),
    (_replace("  sim: {}\n  gen: {promote: {top: 1, by: cycles}}", "  gen: {}\n  sim: {}"), 12,
     "stages", r"list the stages cheapest first: sim, gen"),
    (_replace("sim: {}", "sim: {promote: {pareto: [cycles]}}"), 13, "stages.sim.promote",
     r"the first stage runs on every point"),
    (_replace("cycles: min, energy", "cycles: least, energy"), 15, "objectives.cycles",
     r"must be min or max, not 'least'"),
    (_replace("cycles: min, energy", "fmax_mhz: max, energy"), 15, "objectives.fmax_mhz",
     r"no stage of this sweep records it"),
    (_replace(f"layers: {LAYERS}", "layers: nosuch.csv"), 11, "workload.layers",
     r"no such file: '.*nosuch.csv'"),
    (_replace("base:\n  preset: gemm-os\n  name: t\n  size: {M: 64, N: 64, K: 64}\n"
              "  array: [4, 4]\n", "base: nosuch.yaml\n"), 2, "base",
     r"cannot read spec file '.*nosuch.yaml': No such file"),
    (_replace("stages:", "search: {nsga2: {generations: 2, population: 1, seed: 0}}\n"
                         "stages:"), 12, "search.nsga2.population",
     r"must be an integer >= 2, not 1"),
    (_replace("stages:", "search: {nsga: 3}\nstages:"), 12, "search",
     r"must be \{nsga2: \{generations: G, population: P, seed: S\}\}, not"),
    (_replace("stages:", "sample: {random: 2, seed: 1}\nsearch: {nsga: 3}\nstages:"), 13,
     "search", r"use either sample: or search:, not both"),
    ("[1, 2]\n", 1, None, r"a sweep file must be a mapping of fields"),
    ("a: [1\n", 2, None, r"not valid YAML"),
])
def test_errors_are_one_located_line(text, line, field, message, tmp_path, capsys):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(text)
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    pattern = (re.escape(f"lego: error: {sweep}:{line}: ") + (f"{field}: " if field else "")
               + message + ".*\n")
    assert re.fullmatch(pattern, err), err
    assert not (tmp_path / "out").exists()


def test_a_where_that_is_not_true_or_false_is_located(tmp_path, capsys):
    sweep = tmp_path / "s.yaml"
    sweep.write_text(_replace('where: "array[0] <= 8"', 'where: "array[0] + 1"'))
    assert main(["sweep", str(sweep), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"lego: error: {sweep}:10: where: must be true or false, but is 5 for "
        "array=[4, 4], workload.sram_kib=8\n")
    assert not (tmp_path / "out").exists()


def test_a_missing_sweep_file(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "no.yaml")]) == 2
    assert capsys.readouterr().err == f"lego: error: {tmp_path / 'no.yaml'}: no such file\n"
