"""The closed-form model against SCALE-Sim 3.0.0's recorded reports, field by field."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from sim.scalesim import Layer, ScaleSimConfig, read_config, read_topology, simulate, simulate_layer

DATA = Path(__file__).parent / "data" / "scalesim"
REFERENCE = json.loads((DATA / "reference.json").read_text())

# SCALE-Sim report field -> our LayerReport field. Compared with ==, floats included.
FIELDS = {
    "total_cycles": "total_cycles",
    "stall_cycles": "stall_cycles",
    "overall_util": "overall_util",
    "mapping_efficiency": "mapping_efficiency",
    "compute_util": "compute_util",
    "sram_ifmap_accesses": "sram_ifmap_reads",
    "sram_filter_accesses": "sram_filter_reads",
    "sram_ofmap_accesses": "sram_ofmap_writes",
}


def _expected(recorded: dict) -> dict:
    """The recorded values; floats exactly when this is the Python that recorded them (SCALE-Sim
    averages with the builtin ``sum``, which is compensated from Python 3.12 on, as is ours)."""
    expected = {key: recorded[key] for key in FIELDS}
    if f"{sys.version_info.major}.{sys.version_info.minor}" != REFERENCE["python"]:
        expected = {key: pytest.approx(value, rel=1e-13) if isinstance(value, float) else value
                    for key, value in expected.items()}
    return expected


def _runs(dataflow: str) -> list[dict]:
    """Runs SCALE-Sim completed (those it crashed on carry an 'error' and no layers)."""
    return [run for run in REFERENCE["runs"]
            if read_config(DATA / run["config"]).dataflow == dataflow and "error" not in run]


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_identical_to_scalesim(dataflow):
    runs = _runs(dataflow)
    assert len(runs) >= 10  # conv and GEMM topologies on several array shapes
    for run in runs:
        config = read_config(DATA / run["config"])
        reports = simulate(read_topology(DATA / run["topology"], gemm=run["gemm"]), config)
        assert [r.name for r in reports] == [layer["name"] for layer in run["layers"]]
        for report, recorded in zip(reports, run["layers"], strict=True):
            ours = {theirs: getattr(report, mine) for theirs, mine in FIELDS.items()}
            assert ours == _expected(recorded), (run["config"], run["topology"], report.name)


@pytest.mark.parametrize("dataflow", ["os", "ws", "is"])
def test_reference_covers_degenerate_shapes(dataflow):
    arrays = {(c.rows, c.cols) for c in (read_config(DATA / r["config"]) for r in _runs(dataflow))}
    assert {(1, 1), (1, 4), (4, 1)} <= arrays
    layers = [layer for run in _runs(dataflow) for layer in
              read_topology(DATA / run["topology"], gemm=run["gemm"])]
    for dim in ("m", "n", "k"):
        assert any(getattr(layer, dim) == 1 for layer in layers), dim


def test_one_cycle_layer_where_scalesim_crashes():
    # SCALE-Sim 3.0.0 divides by the index of the last cycle, 0 for a one-cycle layer, and
    # crashes; its compute model has by then counted the numbers below (read from its objects
    # once by hand). Ours divides the overall utilisation by the one cycle instead: 100 %.
    crashed = [run for run in REFERENCE["runs"] if "error" in run]
    assert [(r["config"], r["topology"]) for r in crashed] == \
        [("configs/os_1x1.cfg", "topologies/gemm_one.csv")]
    assert crashed[0]["error"] == "ZeroDivisionError: division by zero"
    (layer,) = read_topology(DATA / "topologies" / "gemm_one.csv", gemm=True)
    report = simulate_layer(layer, read_config(DATA / "configs" / "os_1x1.cfg"))
    assert (report.folds, report.total_cycles, report.stall_cycles) == (1, 0, 0)
    assert (report.overall_util, report.mapping_efficiency, report.compute_util) == \
        (100.0, 100.0, 100.0)
    assert (report.sram_ifmap_reads, report.sram_filter_reads, report.sram_ofmap_writes) == \
        (1, 1, 1 + (1 + 1))  # the OS ofmap over-count of R + C per fold


def test_reference_covers_gemm_conv_and_remainder_folds():
    gemm = {run["topology"] for run in REFERENCE["runs"] if run["gemm"]}
    conv = {run["topology"] for run in REFERENCE["runs"] if not run["gemm"]}
    assert gemm and conv
    assert REFERENCE["scalesim_version"] == "3.0.0"
    utils = [layer["mapping_efficiency"] for run in REFERENCE["runs"] for layer in run["layers"]]
    assert min(utils) < 100.0 and max(utils) == 100.0


def _config(rows, cols, dataflow):
    return ScaleSimConfig("t", rows, cols, dataflow, 64, 64, 64)


def test_hand_computed_output_stationary():
    # GEMM M=3, N=3, K=2 on 2x2: 2x2 folds of R + C + T - 2 = 4 cycles; last index 15.
    layer = Layer(name="g", ifmap_h=3, ifmap_w=2, filter_h=1, filter_w=2, channels=1, filters=3,
                  stride=1)
    report = simulate_layer(layer, _config(2, 2, "os"))
    assert (report.folds, report.total_cycles) == (4, 15)
    assert report.sram_ifmap_reads == 2 * 3 * 2    # M x K once per column fold
    assert report.sram_filter_reads == 2 * 2 * 3   # K x N once per row fold
    assert report.sram_ofmap_writes == 3 * 3 + 4 * (2 + 2)  # the per-fold R + C over-count
    assert report.mapping_efficiency == (4 + 2 + 2 + 1) / 4 / 4 * 100


@pytest.mark.parametrize("dataflow", ["ws", "is"])
def test_hand_computed_stationary_operand_loaded_first(dataflow):
    # M=3, N=3, K=2 on 2x2: WS/IS folds take 2R + C + T - 2 cycles.
    layer = Layer(name="g", ifmap_h=3, ifmap_w=2, filter_h=1, filter_w=2, channels=1, filters=3,
                  stride=1)
    report = simulate_layer(layer, _config(2, 2, dataflow))
    folds = 1 * 2  # Sr = K = 2 fits; Sc = N (WS) or M (IS) = 3 needs two column folds
    assert (report.folds, report.total_cycles) == (folds, folds * (4 + 2 + 3 - 2) - 1)
    stationary = 2 * 3
    assert (report.sram_filter_reads if dataflow == "ws" else report.sram_ifmap_reads) \
        == stationary


def test_conv_output_size_has_no_padding():
    layer = Layer(name="c", ifmap_h=11, ifmap_w=6, filter_h=4, filter_w=2, channels=5, filters=7,
                  stride=3)
    assert (layer.ofmap_h, layer.ofmap_w) == (4, 3)   # ceil((H - F + S) / S)
    assert (layer.m, layer.n, layer.k) == (12, 7, 40)
