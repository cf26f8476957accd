"""Properties of the workload model over random layers, arrays and buffers (hypothesis).

- unbounded buffers and bandwidth: compute cycles are the SCALE-Sim compatible model's, every
  tensor moves exactly once;
- DRAM traffic is bounded below by the tensor sizes and never decreases when a buffer shrinks;
- the closed form the tiling search uses agrees with the per-step-class model;
- stalls: none at unlimited bandwidth, only the fill once bandwidth covers every step, never
  more with double buffering than without (same tiling), total >= the roofline bound.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lego.errors import LegoError
from sim.scalesim import ScaleSimConfig
from sim.scalesim import simulate_layer as scalesim_layer
from sim.workload.arch import Accelerator
from sim.workload.energy import load_table
from sim.workload.layer import Layer, conv, gemm, ifmap_elems
from sim.workload.memory import compute_cycles, step_classes, timing, traffic
from sim.workload.simulate import simulate_layer
from sim.workload.tiling import Tiling, choose_tiling, evaluate, extents

TABLE = load_table()
UNBOUNDED = (10**12,) * 3
settings.register_profile("workload", max_examples=60, deadline=None)
settings.load_profile("workload")


@st.composite
def layers(draw) -> Layer:
    if draw(st.booleans()):
        return gemm("g", draw(st.integers(1, 300)), draw(st.integers(1, 70)),
                    draw(st.integers(1, 200)))
    h, w = draw(st.integers(1, 30)), draw(st.integers(1, 30))
    return conv("c", h, w, draw(st.integers(1, 20)), draw(st.integers(1, 40)),
                draw(st.integers(1, h)), draw(st.integers(1, w)), draw(st.integers(1, 4)))


@st.composite
def accelerators(draw, sram=True, bw=True, smallest_array=1) -> Accelerator:
    sizes = tuple(draw(st.integers(1, 1 << 14)) for _ in range(3)) if sram else UNBOUNDED
    return Accelerator(draw(st.integers(smallest_array, 20)),
                       draw(st.integers(smallest_array, 20)),
                       draw(st.sampled_from(("os", "ws", "is"))), sram_bytes=sizes,
                       dram_bw=Fraction(draw(st.integers(1, 400)), 8) if bw else None,
                       double_buffer=draw(st.booleans()), word_bytes=draw(st.sampled_from((1, 2))))


def _fits(layer, acc) -> bool:
    try:
        choose_tiling(layer, acc)
    except LegoError:
        return False
    return True


def _scalesim(layer: Layer, acc: Accelerator):
    return scalesim_layer(layer, ScaleSimConfig("x", acc.rows, acc.cols, acc.dataflow, 1, 1, 1))


# A 1 x 1 array running a 1-element OS layer makes the SCALE-Sim model divide by its
# "last cycle index" 0, hence arrays of at least 2 x 2 here.
@given(layers(), accelerators(sram=False, bw=False, smallest_array=2))
def test_unbounded_compute_is_scalesim_and_tensors_move_once(layer, acc):
    result = simulate_layer(layer, acc, TABLE)
    theirs = _scalesim(layer, acc)
    # SCALE-Sim reports the index of the last cycle, one less than the number of cycles.
    assert result.timing.compute_cycles == theirs.total_cycles + 1
    assert result.timing.total_cycles == result.timing.compute_cycles
    assert result.timing.stall_cycles == 0
    assert result.sram["ifmap"]["read"] == theirs.sram_ifmap_reads
    assert result.sram["filter"]["read"] == theirs.sram_filter_reads
    word = acc.word_bytes
    assert result.dram.as_dict() == {
        "ifmap_read": ifmap_elems(layer) * word, "filter_read": layer.filter_elems * word,
        "ofmap_write": layer.ofmap_elems * word, "ofmap_read": 0,
        "total": (ifmap_elems(layer) + layer.filter_elems + layer.ofmap_elems) * word}


@given(layers(), accelerators())
def test_tiles_fit_and_traffic_is_at_least_the_tensors(layer, acc):
    assume(_fits(layer, acc))
    tiling = choose_tiling(layer, acc)
    tile_bytes = evaluate(layer, acc, tiling.rows, tiling.filters, tiling.channels)["tile_bytes"]
    for operand, size in tile_bytes.items():
        assert size <= acc.tile_capacity(operand)
    dram, word = simulate_layer(layer, acc, TABLE).dram, acc.word_bytes
    assert dram.ifmap_read >= ifmap_elems(layer) * word
    assert dram.filter_read >= layer.filter_elems * word
    assert dram.ofmap_write >= layer.ofmap_elems * word
    assert dram.ofmap_write - dram.ofmap_read == layer.ofmap_elems * word


@given(layers(), accelerators(), st.integers(0, 2), st.floats(0.05, 1.0))
def test_shrinking_a_buffer_never_decreases_traffic(layer, acc, operand, factor):
    smaller = list(acc.sram_bytes)
    smaller[operand] = max(1, int(smaller[operand] * factor))
    small = Accelerator(acc.rows, acc.cols, acc.dataflow, sram_bytes=tuple(smaller),
                        dram_bw=acc.dram_bw, double_buffer=acc.double_buffer,
                        word_bytes=acc.word_bytes)
    assume(_fits(layer, small))
    big_traffic = simulate_layer(layer, acc, TABLE).dram.total
    assert simulate_layer(layer, small, TABLE).dram.total >= big_traffic


@given(layers(), accelerators(), st.data())
def test_closed_form_matches_step_classes(layer, acc, data):
    ext = extents(layer)
    tiling = Tiling(*(data.draw(st.integers(1, ext[loop])) for loop in ("m", "n", "k")))
    closed = evaluate(layer, acc, tiling.rows, tiling.filters, tiling.channels)
    classes = step_classes(layer, acc, tiling)
    moved = traffic(classes)
    assert {key: int(value) for key, value in closed["dram"].items()} == \
        {key: value for key, value in moved.as_dict().items() if key != "total"}
    assert int(closed["compute_cycles"]) == compute_cycles(classes)
    assert int(closed["steps"]) == sum(c.count for c in classes)


def _with(acc: Accelerator, **changes) -> Accelerator:
    fields = {"rows": acc.rows, "cols": acc.cols, "dataflow": acc.dataflow,
              "sram_bytes": acc.sram_bytes, "dram_bw": acc.dram_bw,
              "double_buffer": acc.double_buffer, "word_bytes": acc.word_bytes}
    return Accelerator(**{**fields, **changes})


@given(layers(), accelerators())
def test_stalls_and_roofline(layer, acc):
    acc = _with(acc, double_buffer=True)
    assume(_fits(layer, acc))
    tiling = choose_tiling(layer, acc)
    classes = step_classes(layer, acc, tiling)
    moved = traffic(classes).total
    overlapped = timing(acc, classes)
    serial = timing(_with(acc, double_buffer=False), classes)
    for t in (overlapped, serial):
        assert t.total_cycles == t.compute_cycles + t.stall_cycles
        assert t.total_cycles >= t.compute_cycles
        assert t.total_cycles >= Fraction(moved) / acc.dram_bw  # roofline
        assert t.stall_cycles >= t.fill_cycles > 0
    assert overlapped.stall_cycles <= serial.stall_cycles
    assert timing(_with(acc, dram_bw=None), classes).stall_cycles == 0
    # Once every step's transfer fits in its compute time only the fill is left.
    fast = timing(_with(acc, dram_bw=Fraction(moved)), classes)
    assert fast.stall_cycles == fast.fill_cycles <= 2


def test_double_buffering_hides_transfers_of_a_compute_bound_layer():
    layer = gemm("g", 512, 512, 512)
    acc = Accelerator(16, 16, "os", sram_bytes=(16384,) * 3, dram_bw=Fraction(8))
    on = simulate_layer(layer, acc, TABLE)
    off = simulate_layer(layer, _with(acc, double_buffer=False), TABLE, tiling=on.tiling)
    assert on.timing.stall_cycles == on.timing.fill_cycles
    assert off.timing.stall_cycles == -(-off.dram.total // 8)


def test_a_smaller_buffer_costs_partial_sums_under_ws():
    layer = conv("c", 28, 28, 128, 128, 3, 3, 1)
    big = simulate_layer(layer, Accelerator(16, 16, "ws", sram_bytes=UNBOUNDED), TABLE)
    small = simulate_layer(layer, Accelerator(16, 16, "ws", sram_bytes=(8192,) * 3), TABLE)
    assert big.dram.ofmap_read == 0
    assert small.dram.total > big.dram.total
    assert small.timing.compute_cycles > big.timing.compute_cycles  # split reductions refill


@pytest.mark.parametrize("operand,size,message", [
    # One output row of a 3x3 window reads 3 input rows of all 20 columns: 60 bytes.
    ("A", 100, "layer c: sram A (ifmap) 100 bytes cannot hold the smallest ifmap tile "
               "(1 output row, 1 filter, 1 channel): 60 bytes needed, 50 available "
               "(half the buffer: double buffering)"),
    ("B", 17, "sram B (filter) 17 bytes cannot hold the smallest filter tile (1 output row, "
              "1 filter, 1 channel): 9 bytes needed, 8 available"),
    ("C", 1, "sram C (ofmap) 1 bytes cannot hold the smallest ofmap tile"),
])
def test_a_tile_that_cannot_fit_is_an_error(operand, size, message):
    sizes = dict(zip("ABC", UNBOUNDED, strict=True)) | {operand: size}
    acc = Accelerator(8, 8, "os", sram_bytes=tuple(sizes.values()))
    with pytest.raises(LegoError) as info:
        choose_tiling(conv("c", 20, 20, 4, 4, 3, 3, 1), acc)
    assert message in str(info.value) and "\n" not in str(info.value)
