"""SRAM reads and writes per tensor and bank of a generated design (sim/sram.py), against counts
derived by hand from the loop nests (the RTL cross-check is tests/rtl/test_verify_examples.py)."""

from pathlib import Path

import numpy as np
import pytest

from lego.backend.lower import lower
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from sim.design import simulate_spec
from sim.sram import count_accesses

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
M = N = K = 8  # the 4x4 GEMM examples; the array is 4x4


def _totals(name: str, period_ns: float | None = None) -> dict:
    return {run.dataflow: {a.tensor: (sum(a.reads), sum(a.writes)) for a in run.sram}
            for run in simulate_spec(str(SPECS / name), period_ns)}


def test_output_stationary_gemm_streams_inputs_from_the_edges_and_writes_each_output_once():
    # A enters at the 4 row edges, B at the 4 column edges, every step; each output is written
    # once, at the last k step, and never read
    assert _totals("gemm_os_4x4.yaml")["os"] == {"A": (M * K * N // 4, 0),
                                                  "B": (K * N * M // 4, 0), "C": (0, M * N)}


def test_weight_stationary_reads_each_weight_once_and_accumulates_outputs_in_memory():
    # B is held in the array for all 8 i steps: one read per element (not one per step);
    # the K/4 tiles of partial sums are read, added to and written back at every step
    assert _totals("gemm_ws_4x4.yaml")["ws"] == {"A": (M * K * N // 4, 0), "B": (K * N, 0),
                                                  "C": (M * N * K // 4, M * N * K // 4)}


def test_input_stationary_reads_each_input_once():
    totals = _totals("gemm_is_4x4.yaml")["is"]
    assert totals["A"] == (M * K, 0)
    assert totals["B"] == (K * N * M // 4, 0)
    assert totals["C"] == (M * N * K // 4, M * N * K // 4)


def test_a_fused_design_counts_each_dataflow_as_its_own_design_does():
    fused = _totals("gemm_os_ws_fused_4x4.yaml")
    assert fused["os"] == _totals("gemm_os_4x4.yaml")["os"]
    assert fused["ws"] == _totals("gemm_ws_4x4.yaml")["ws"]


def test_pipelining_moves_accesses_in_time_but_does_not_change_them():
    assert _totals("gemm_os_ws_fused_4x4.yaml", 5.0) == _totals("gemm_os_ws_fused_4x4.yaml")


def test_per_bank_counts_of_the_output_stationary_gemm():
    (run,) = simulate_spec(str(SPECS / "gemm_os_4x4.yaml"))
    a, b, c = run.sram
    # one bank per array row (A) or column (B); each of the 16 output banks takes 4 results
    assert a.reads == (M * K * N // 16,) * 4 and b.reads == (K * N * M // 16,) * 4
    assert c.writes == (M * N // 16,) * 16 and c.reads == (0,) * 16


def test_conv_delay_edges_fall_back_to_memory_only_where_the_edge_is_not_valid():
    spec = load_spec(str(SPECS / "conv2d_os_4x4.yaml"))
    design = lower(run_passes(spec).adg)
    reads = {a.tensor: sum(a.reads) for a in count_accesses(design, 0)}
    writes = {a.tensor: sum(a.writes) for a in count_accesses(design, 0)}
    steps, fus = design.flows[0].num_steps, design.num_fus
    assert reads["W"] == steps  # one weight a step, broadcast to the array
    assert writes["O"] == int(np.prod(spec.tensor("O").shape))
    # every FU needs an input each step; the delay edges serve most of them
    touched = len({(c, y + r, x + s) for c in range(2) for y in range(4) for x in range(4)
                   for r in range(3) for s in range(3)})
    assert touched <= reads["I"] < steps * fus // 2


@pytest.mark.parametrize("name", ["mttkrp_4x4.yaml", "attention_scores_4x4.yaml",
                                  "depthwise_conv2d_4x4.yaml", "conv2d_rs_4x3.yaml"])
def test_every_output_element_is_written_at_least_once(name):
    spec = load_spec(str(SPECS / name))
    for run in simulate_spec(str(SPECS / name)):
        out = next(a for a in run.sram if a.tensor == spec.output.name)
        assert sum(out.writes) >= int(np.prod(spec.output.shape))
        assert all(sum(a.reads) > 0 for a in run.sram if a.tensor != spec.output.name)
