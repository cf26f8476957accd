"""Where an output accumulated in memory is first written (no read back, no host clearing)."""

import dataclasses
from pathlib import Path

from lego.backend.first_visit import LUT_RAM_WORDS, first_visit_box
from lego.backend.lower import lower
from lego.backend.rtl.library import host_writes
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _adg(name):
    return run_passes(load_spec(SPECS / name)).adg


def _ws_memory():
    adg = _adg("gemm_ws_4x4.yaml")
    flow = adg.flow("ws")
    return adg.memory("ws", "C"), tuple(loop.bound for loop in flow.temporal)


def test_weight_stationary_output_is_first_written_where_its_reduction_loop_is_zero():
    memory, bounds = _ws_memory()  # temporal tk, tj, ti: C[i, j] does not move with tk
    assert first_visit_box(memory, bounds, (), 16) == ((0, 0, 1),)


def test_a_word_two_ports_write_or_a_deep_bank_keeps_the_host_clearing():
    memory, bounds = _ws_memory()
    twice = dataclasses.replace(memory, ports=(memory.ports[0], memory.ports[0]))
    assert first_visit_box(twice, bounds, (), 16) is None
    assert first_visit_box(memory, bounds, (), LUT_RAM_WORDS + 1) is None
    assert first_visit_box(memory, bounds, (0,), 16) is None  # held in the FU: no revisit


def test_outputs_read_back_only_after_their_first_write_take_no_host_writes():
    for name in ("gemm_ws_4x4.yaml", "gemm_os_ws_fused_4x4.yaml", "gemm_is_4x4.yaml"):
        design = lower(_adg(name))
        reads = [p for p in design.graph.primitives()
                 if p.kind == "mem_read" and p.params.tensor == "C"]
        assert reads and not host_writes(design, "C")
