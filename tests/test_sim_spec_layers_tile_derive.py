"""sim.spec_layers.tile_derive: every tile a network run derives from its class's representative
equals the tile design lowered and scheduled in full (steps, drain, cycles, SRAM reads and
writes per tensor and bank), on OS, WS, IS, conv and fused designs, ResNet-18, a GPT-2 block
and random layers with ragged edge tiles, at lego's default period and at 10 ns. The 16x16
designs' whole benchmark networks are checked by benchmarks/tile_derive_check.py."""

import random
from pathlib import Path

import pytest

from lego.spec import load_spec, parse_spec
from sim.scalesim import read_topology
from sim.spec_layers import TileTimer, analyse, simulate_network, tile_derive
from sim.workload.layer import conv, gemm

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "examples" / "specs"


def _gemms(seed: int, count: int) -> list:
    rng = random.Random(seed)
    return [gemm(f"g{i}", rng.randint(1, 90), rng.randint(1, 90), rng.randint(1, 200))
            for i in range(count)]


def _convs(seed: int, count: int) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        f = rng.choice((1, 2, 3))
        out.append(conv(f"c{i}", rng.randint(f, 14), rng.randint(f, 14), rng.randint(1, 9),
                        rng.randint(1, 20), f, f))
    return out


def _network(name: str) -> list:
    if name.startswith("conv"):
        return _convs(7, 12)
    resnet = read_topology(ROOT / "benchmarks/topologies/resnet18.csv")
    block = read_topology(ROOT / "benchmarks/topologies/gpt2_small_block.csv", gemm=True)
    # small copies of the real shapes: a 4x4 design's tiles stay quick to lower in full
    small = [gemm(f"r{i}", max(1, layer.m // 64), max(1, layer.n // 16),
                  max(1, layer.k // 32)) for i, layer in enumerate(resnet + block)]
    return small + _gemms(3, 12)


def _template(name: str):
    path = SPECS / f"{name}.yaml"
    return analyse(load_spec(path if path.exists() else ROOT / "benchmarks/specs" / path.name))


def _tiles_equal_full_lowerings(spec_path: Path, network: list, period, sram) -> TileTimer:
    template = analyse(load_spec(spec_path))
    timer = TileTimer(template, period, cache=None)
    simulate_network(spec_path, network, sram=sram, timer=timer, period_ns=period)
    full = TileTimer(template, period, cache=None, derive=False)
    for key, runs in timer._runs.items():
        tile = dict(zip(template.spec.loop_names, key, strict=True))
        assert runs == full.runs(tile), tile
    return timer


# fewest tiles derived per (design, period) (as measured: the key is deterministic). At 10 ns
# a class also fixes which memories are block RAM and the partial sums' width (their delays
# differ), so fewer tiles share one; the WS and IS designs read-modify-write their outputs, so
# short revisits split classes;
# the conv design's input ports move between banks and read through delay-edge fallbacks (an
# enable with a box), which tile_derive does not count: all of its tiles are lowered in full
DERIVED = {"gemm_os_4x4": (27, 14), "gemm_ws_4x4": (12, 9), "gemm_is_4x4": (12, 8),
           "gemm_os_ws_fused_4x4": (31, 19), "gemm_os_bcast_fused_4x4": (52, 38),
           "conv2d_os_4x4": (0, 0)}


@pytest.mark.parametrize("period", [None, 10.0])
@pytest.mark.parametrize("name", sorted(DERIVED))
def test_derived_tiles_equal_full_lowerings(name, period):
    spec_path = SPECS / f"{name}.yaml"
    spec = load_spec(spec_path)
    sram = {t.name: 8192 for t in spec.tensors}
    timer = _tiles_equal_full_lowerings(spec_path, _network(name), period, sram)
    assert timer.derived >= DERIVED[name][period is not None]
    assert timer.lowered_shapes == len(timer._runs)
    assert timer.lowered_in_full == timer.lowered_shapes - timer.derived
    if name.startswith("conv"):
        assert timer.derived == 0 and not timer._classes


@pytest.mark.parametrize("name, tiles", [
    ("gemm_os_16x16", [(16, 16, 130), (16, 48, 64), (80, 32, 9), (64, 64, 64)]),
    ("gemm_ws_16x16", [(64, 64, 64), (7, 16, 16), (100, 48, 32), (64, 32, 48)]),
    # WS runs i = 100 (OS 96 in the same design), OS k = 37 (WS 32)
    ("gemm_os_ws_fused_16x16", [(64, 64, 64), (100, 48, 32), (64, 32, 37)]),
])
def test_derived_16x16_tiles_equal_full_lowerings(name, tiles):
    template = _template(name)
    timer = TileTimer(template, cache=None)
    full = TileTimer(template, cache=None, derive=False)
    for t in tiles:
        tile = dict(zip(template.spec.loop_names, t, strict=True))
        assert timer.runs(tile) == full.runs(tile), tile
    assert timer.derived >= 2


@pytest.mark.parametrize("name, period, main, other", [
    # k = 1: the output is written at every step (its counts differ)
    ("gemm_os_4x4", None, (8, 8, 8), (8, 4, 1)),
    # i = 4 on the fused array: WS's C read-modify-write comes back after 1 step; at 10 ns
    # that tile drains in 3 (OS) and 4 (WS) cycles, the other class in 5
    ("gemm_os_ws_fused_4x4", 10.0, (8, 8, 8), (1, 4, 4)),
])
def test_a_tile_of_another_class_is_lowered_and_would_differ(name, period, main, other):
    """The key has teeth: a tile it puts in another class really has other runs."""
    template = analyse(load_spec(SPECS / f"{name}.yaml"))
    tiles = [dict(zip(template.spec.loop_names, t, strict=True)) for t in (main, other)]
    specs = [parse_spec(template.tile_spec(t), "") for t in tiles]
    keys = [tile_derive.structure_key(s, period) for s in specs]
    assert keys[0] != keys[1]
    timer = TileTimer(template, period, cache=None)
    timer.runs(tiles[0])
    truth = timer.runs(tiles[1])
    assert timer.lowered_in_full == 2 and timer.derived == 0
    (rep,), = timer._classes[keys[0]],
    wrong = tile_derive.derive(rep, tuple(f.temporal_bounds for f in specs[1].dataflows),
                               tuple(f.name for f in specs[1].dataflows))
    assert wrong != truth


def test_capacity_of_a_derived_spec_tile_is_the_lowered_designs():
    template = analyse(load_spec(SPECS / "gemm_os_4x4.yaml"))
    timer = TileTimer(template, cache=None)
    timer.runs({"i": 12, "j": 16, "k": 5})  # the representative of the spec's own class
    own = dict(template.spec.loops)
    assert timer.runs(own)[0].steps == 2 * 2 * 8
    assert timer.derived == 1 and timer.lowered_in_full == 1
    full = TileTimer(template, cache=None, derive=False)
    full.runs(own)  # lowered: its memories are the design's own
    assert timer.capacity() == full.capacity()
    assert timer.lowered_in_full == 1  # the front end's memory geometry, nothing lowered


@pytest.mark.parametrize("name", ["gemm_os_ws_fused_4x4", "gemm_ws_4x4", "conv2d_os_4x4"])
def test_capacity_without_any_tile_timed_lowers_nothing(name):
    template = analyse(load_spec(SPECS / f"{name}.yaml"))
    timer = TileTimer(template, cache=None)
    capacity = timer.capacity()
    assert timer.lowered_in_full == 0
    full = TileTimer(template, cache=None, derive=False)
    full.runs(dict(template.spec.loops))
    assert capacity == full.capacity()


def test_derived_tiles_round_trip_through_the_disk_cache(tmp_path):
    spec_path = SPECS / "gemm_os_ws_fused_4x4.yaml"
    template = analyse(load_spec(spec_path))
    first = TileTimer(template, cache=tmp_path)
    layers = _gemms(11, 6)
    sram = {"A": 4096, "B": 4096, "C": 16384}
    cold = simulate_network(spec_path, layers, sram=sram, timer=first)
    assert first.derived >= 1
    again = TileTimer(template, cache=tmp_path)
    warm = simulate_network(spec_path, layers, sram=sram, timer=again)
    assert warm.layers == cold.layers and again.lowered_shapes == 0


@pytest.mark.parametrize("name, layer, derived", [
    ("gemm_os_4x4", gemm("ragged", 10, 7, 13), 1),
    ("gemm_os_ws_fused_4x4", gemm("deep", 8, 8, 13), 2),
])
def test_the_verilator_tile_test_runs_derived_tiles(name, layer, derived):
    """tests/rtl/test_spec_layer_tiles.py builds these layers' chosen tiles on Verilator and
    compares the RTL's cycles with the timer's: there, the runs it compares are derived."""
    from sim.spec_layers import UNBOUNDED

    timer = TileTimer(analyse(load_spec(SPECS / f"{name}.yaml")), cache=None)
    simulate_network(SPECS / f"{name}.yaml", [layer], sram=UNBOUNDED, timer=timer)
    assert timer.derived == derived and timer.lowered_in_full == 1


def _lp(template, tile):
    from lego.backend import pipeline
    from lego.backend.passes import RELAXED_PERIOD_NS, run_backend
    from lego.backend.rmw import read_after_write
    from lego.frontend.passes import run_passes

    spec = parse_spec(template.tile_spec(dict(zip(template.spec.loop_names, tile,
                                                  strict=True))), "")
    state = run_backend(run_passes(spec).adg, stop_after="lower")
    graph = state.design.graph
    budget = RELAXED_PERIOD_NS - state.delays.reg_overhead_ns
    pairs, _ = pipeline._timing_pairs(graph, budget, state.delays)
    names, lp = pipeline._model(graph, pairs, tuple(read_after_write(state.design)))
    return graph, names, lp


@pytest.mark.parametrize("name, tiles", [
    ("gemm_os_16x16", [(64, 64, 64), (160, 144, 768), (16, 2048, 64), (848, 32, 64)]),
    ("gemm_ws_16x16", [(64, 64, 64), (160, 144, 768), (96, 512, 256), (848, 32, 64)]),
    ("gemm_os_ws_fused_16x16", [(64, 64, 64), (160, 144, 768), (848, 32, 64)]),
])
def test_a_class_schedule_does_not_depend_on_net_widths(name, tiles):
    """Why one drain serves a class, beyond the tiles compared above (default period). Tiles of
    a class have one pipelining LP up to its costs (net widths: the step counters', the
    addresses') and the right-hand sides of the read-after-write constraints. (1) Those
    constraints are slack at the representative's schedule x*, so they do not bind it. (2) x*
    stays the earliest optimum at every vertex of the box of widths the tiles span; the cost
    is affine in the widths, so each width vector in the box is a convex combination of
    vertex costs c_i, and its optimal set is the intersection of theirs (x* is in each):
    inside the least optimum's face of some c_i, whose least point is x*."""
    import itertools

    from lego.backend import lp_solve

    template = _template(name)
    keys = {tile_derive.structure_key(parse_spec(template.tile_spec(dict(zip(
        template.spec.loop_names, t, strict=True))), ""), None) for t in tiles}
    assert len(keys) == 1
    lowered = [_lp(template, t) for t in tiles]
    graph, names, lp = lowered[0]
    x = lp_solve.earliest_optimum(lp)
    for _, other_names, other in lowered[1:]:
        assert other_names == names
        assert (other.hi == lp.hi).all() and (other.lo == lp.lo).all()
        moved = other.rhs != lp.rhs
        assert (other.residual(x)[moved] > 0).all() and (lp.residual(x)[moved] > 0).all()
        assert (lp_solve.earliest_optimum(other) == x).all()
    fanouts = graph.fanouts()
    nets = [n for n in names if fanouts.get(n)]
    mirror = {n: lp.bounded + i for i, n in enumerate(nets)}
    groups: dict = {}
    for n in nets:
        widths = [g.primitive(n).width for g, _, _ in lowered]
        if len(set(widths)) > 1:
            prim = graph.primitive(n)
            span = groups.setdefault((prim.kind, getattr(prim.params, "tensor", "")), [])
            span.append((n, min(widths), max(widths)))
    assert groups  # the widths do differ across the class
    order = sorted(groups)
    for corner in itertools.product((0, 1), repeat=len(order)):
        cost = lp.cost.copy()
        for key, high in zip(order, corner, strict=True):
            for n, low, top in groups[key]:
                change = (top if high else low) - graph.primitive(n).width
                cost[mirror[n]] += change
                cost[names.index(n)] -= change
        vertex = lp_solve.DifferenceLP(cost, lp.hi, lp.lo, lp.rhs, lp.bounded)
        assert (lp_solve.earliest_optimum(vertex, x[:lp.bounded]) == x).all(), corner


def test_widths_far_outside_a_class_box_do_move_its_schedule():
    """The width box of the test above is no formality: with a 64-bit step counter and 1-bit
    output addresses the WS 16x16 LP has another earliest optimum."""
    from lego.backend import lp_solve

    graph, names, lp = _lp(_template("gemm_ws_16x16"), (64, 64, 64))
    x = lp_solve.earliest_optimum(lp)
    cost = lp.cost.copy()
    nets = [n for n in names if graph.graph.out_degree(n)]  # one mirror each, in name order
    for i, n in enumerate(nets):
        prim = graph.primitive(n)
        wide = {"counter": 64}.get(prim.kind, 1 if getattr(prim.params, "tensor", "") == "C"
                                   and prim.kind == "addr" else prim.width)
        cost[lp.bounded + i] += wide - prim.width
        cost[names.index(n)] -= wide - prim.width
    vertex = lp_solve.DifferenceLP(cost, lp.hi, lp.lo, lp.rhs, lp.bounded)
    assert (lp_solve.earliest_optimum(vertex) != x).any()


def test_a_derived_spec_tile_gets_its_memories_without_a_lowering(tmp_path):
    template = analyse(load_spec(SPECS / "gemm_os_4x4.yaml"))
    timer = TileTimer(template, cache=tmp_path)
    timer.runs({"i": 12, "j": 16, "k": 5})
    timer.runs(dict(template.spec.loops))  # derived: no memories yet
    capacity = timer.capacity()
    again = TileTimer(template, cache=tmp_path)
    assert again.capacity() == capacity and again.lowered_in_full == 0
