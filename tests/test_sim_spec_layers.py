"""sim.spec_layers: a spec as a template for layers (``lego sim design SPEC --layers``)."""

import math
import re

import pytest

from lego.errors import LegoError
from lego.spec import load_spec
from sim.scalesim.compute import simulate_layer as scalesim_layer
from sim.scalesim.config import ScaleSimConfig
from sim.scalesim.mapping import folds, skew
from sim.spec_layers import UNBOUNDED, TileTimer, analyse, simulate_network
from sim.spec_layers.tiling import dram_elements, gemm_view
from sim.workload.layer import conv, gemm

SPECS = "examples/specs/"
LAYERS = [gemm("square", 64, 64, 64), gemm("ragged", 37, 21, 53), gemm("thin", 5, 100, 3),
          conv("conv", 14, 14, 8, 12, 3, 3), conv("strided", 15, 15, 3, 8, 3, 3, 2)]


@pytest.mark.parametrize("name, dataflow", [("gemm_os_4x4", "os"), ("gemm_ws_4x4", "ws"),
                                            ("gemm_is_4x4", "is")])
def test_unbounded_compute_cycles_follow_the_readme_formula(name, dataflow):
    result = simulate_network(SPECS + name + ".yaml", LAYERS, sram=UNBOUNDED, dram_bw=None)
    # D: the design's pipeline drain, the same at every tile size (3 at the default period:
    # the multiply is a 2-cycle DSP primitive)
    spec = load_spec(SPECS + name + ".yaml")
    [own] = TileTimer(analyse(spec)).runs(dict(spec.loops))
    assert own.drain == 3
    for layer in result.layers:
        run, (m, n, k) = layer.chosen, (layer.layer.m, layer.layer.n, layer.layer.k)
        sr, sc, t = {"os": (m, n, k), "ws": (k, n, m), "is": (k, m, n)}[dataflow]
        steps = math.ceil(sr / 4) * math.ceil(sc / 4) * t
        assert (run.tiles, run.tile_steps, run.tile_drain) == (1, steps, own.drain)
        # 1 (the cycle start is high in) + steps + D: done rises with the last memory write
        assert run.total_cycles == run.compute_cycles == steps + run.tile_drain + 1
        # SCALE-Sim: every fold pays the array's skew, and reports the last cycle's index
        config = ScaleSimConfig(run_name="x", rows=4, cols=4, dataflow=dataflow,
                                ifmap_sram_kb=64, filter_sram_kb=64, ofmap_sram_kb=64)
        theirs = scalesim_layer(layer.layer, config).total_cycles
        fold = math.prod(folds(dataflow, 4, 4, m, n, k))
        assert theirs - run.total_cycles == fold * skew(dataflow, 4, 4) - 1 - run.tile_drain - 1


@pytest.mark.parametrize("period, drains, extras", [
    (None, [{"os": 3, "ws": 3}] * 4, [0, 0, 0, 0]),
    (10.0, [{"os": 4, "ws": 5}] * 4, [1, 0, 1, 0])])
def test_fused_is_at_most_the_better_single_design_plus_its_extra_drain(period, drains, extras):
    # at 10 ns (about the tightest these designs take once their banks are deep: a deep RAM's
    # read feeds the multiply) the fused design drains its OS runs in 4 cycles and its WS runs
    # in 5 (each dataflow waits only for its own writes; the FU adder the two dataflows share
    # has their mux in front, and the rows' adders sit a stage apart so that OS writes each
    # sum before its register: lego.backend.shared_clear), OS alone in 3 and WS alone in 4 or
    # 5 by tile: 1 extra cycle per tile on the layers where OS is the better design, none
    # where WS is (whose tiles the single design drains in 5 there)
    sram = {"A": 2048, "B": 2048, "C": 8192}
    layers = [gemm("a", 64, 64, 64), gemm("b", 128, 32, 256), gemm("c", 16, 96, 48),
              conv("d", 10, 10, 16, 8, 3, 3)]
    runs = {name: simulate_network(SPECS + name + ".yaml", layers, sram=sram, dram_bw=None,
                                   period_ns=period)
            for name in ("gemm_os_4x4", "gemm_ws_4x4", "gemm_os_ws_fused_4x4")}
    fused = runs.pop("gemm_os_ws_fused_4x4")
    for i, layer in enumerate(fused.layers):
        assert {r.dataflow: r.tile_drain for r in layer.runs} == drains[i]
        best = min((r.layers[i].chosen for r in runs.values()), key=lambda r: r.total_cycles)
        same = next(r for r in layer.runs if r.dataflow == best.dataflow)
        assert same.tile_drain - best.tile_drain == extras[i]
        extra = same.tile_drain - best.tile_drain
        assert layer.chosen.total_cycles <= best.total_cycles + extra * best.tiles
        # aligned layers, same memories: the same tiles, so the drain is the whole difference
        assert same.tile == best.tile
        assert same.total_cycles == best.total_cycles + extra * best.tiles


@pytest.mark.parametrize("period", [None, 10.0])
def test_the_fused_bound_holds_on_layers_only_one_dataflow_tiles_evenly(period):
    # i = 25, 37, 6 (WS tiles i in steps of 1, OS in steps of 4) and k = 147, 53, 9 (the other
    # way round): each dataflow of the fused design runs at its own loop bounds, so it takes the
    # single design's tile and pays only its own extra drain per tile (0 or 1 cycle at 10 ns)
    sram = {"A": 2048, "B": 2048, "C": 8192}
    layers = [gemm("a", 25, 64, 147), gemm("b", 37, 21, 53), gemm("c", 6, 40, 90),
              conv("d", 7, 7, 10, 12, 3, 3), gemm("e", 130, 12, 9)]
    runs = {name: simulate_network(SPECS + name + ".yaml", layers, sram=sram, dram_bw=None,
                                   period_ns=period)
            for name in ("gemm_os_4x4", "gemm_ws_4x4", "gemm_os_ws_fused_4x4")}
    fused = runs.pop("gemm_os_ws_fused_4x4")
    extras = []
    for i, layer in enumerate(fused.layers):
        best = min((r.layers[i].chosen for r in runs.values()), key=lambda r: r.total_cycles)
        same = next(r for r in layer.runs if r.dataflow == best.dataflow)
        extra = same.tile_drain - best.tile_drain
        assert same.tile == best.tile  # no rounding to the other dataflow's granularity
        assert same.total_cycles == best.total_cycles + extra * best.tiles
        assert layer.chosen.total_cycles <= best.total_cycles + extra * best.tiles
        extras.append(extra)
    assert [sum(1 for loop, size in layer.chosen.tile if size % 4) for layer in fused.layers] \
        == [1, 1, 1, 1, 1]  # every pick is at a size the other dataflow could not run
    assert extras == ([0] * 5 if period is None else [0, 0, 1, 0, 1])


def test_tiles_fit_and_dram_matches_the_workload_model():
    sram = {"A": 512, "B": 512, "C": 2048}
    result = simulate_network(SPECS + "gemm_ws_4x4.yaml", LAYERS[:3], sram=sram)
    template = analyse(load_spec(SPECS + "gemm_ws_4x4.yaml"))
    for layer in result.layers:
        tile, extents = dict(layer.chosen.tile), dict(layer.extents)
        assert template.footprint("A", tile) * 2 <= 512
        assert template.footprint("C", tile) * 2 <= 2048 // 4
        moved = dram_elements(template, "ws", gemm_view(template, extents, tile))
        bytes_ = {t.tensor: t for t in layer.chosen.tensors}
        assert bytes_["A"].dram_read_bytes == moved["A"]
        assert bytes_["B"].dram_read_bytes == moved["B"]
        assert bytes_["C"].dram_write_bytes == 4 * moved["C_write"]
        assert bytes_["C"].dram_read_bytes == 4 * moved["C_read"]


def test_output_stationary_never_splits_the_reduction():
    result = simulate_network(SPECS + "gemm_os_4x4.yaml", [gemm("g", 32, 32, 200)],
                              sram={"A": 4096, "B": 4096, "C": 4096})
    assert dict(result.layers[0].chosen.tile)["k"] == 200


def test_lowered_tiles_are_cached_per_shape():
    timer = TileTimer(analyse(load_spec(SPECS + "gemm_os_4x4.yaml")))
    first = simulate_network(SPECS + "gemm_os_4x4.yaml", LAYERS[:2] * 3, sram=UNBOUNDED,
                             timer=timer)
    again = simulate_network(SPECS + "gemm_os_4x4.yaml", LAYERS[:2], sram=UNBOUNDED,
                             timer=timer)
    assert first.lowered_shapes == 3 and again.lowered_shapes == 0  # the spec's own + 2 shapes
    assert again.layers == first.layers[:2]


def test_sram_for_every_tensor_needs_no_design_memories(monkeypatch):
    sram = {"A": 1024, "B": 1024, "C": 4096}
    spec = SPECS + "gemm_ws_4x4.yaml"
    expected = simulate_network(spec, LAYERS[:2], sram=sram)
    monkeypatch.setattr(TileTimer, "capacity", lambda self: pytest.fail("memories asked"))
    assert simulate_network(spec, LAYERS[:2], sram=sram).layers == expected.layers
    with pytest.raises(LegoError, match=re.escape("--sram X: not a tensor of")):
        simulate_network(spec, LAYERS[:1], sram={**sram, "X": 8})


def test_energy_objective_picks_the_least_energy():
    result = simulate_network(SPECS + "gemm_os_ws_fused_4x4.yaml", LAYERS[:3],
                              sram={"A": 4096, "B": 4096, "C": 16384}, objective="energy")
    for layer in result.layers:
        assert layer.chosen.energy == min(r.energy for r in layer.runs)


@pytest.mark.parametrize("spec, layer, message", [
    ("mttkrp_4x4", gemm("g", 4, 4, 4), r"mttkrp_4x4.yaml: statement .* cannot take layers"),
    ("depthwise_conv2d_4x4", gemm("g", 4, 4, 4), r"cannot take layers"),
    ("conv2d_stride2_4x4", conv("c", 9, 9, 2, 2, 3, 3), r"stride 1 cannot map onto .*stride 2"),
    ("gemm_os_4x4", gemm("g", 4, 4, 4), r"layer g: no tile fits the on-chip memory"),
])
def test_unmappable_layers_are_refused(spec, layer, message):
    sram = {"A": 8} if spec == "gemm_os_4x4" else None
    with pytest.raises(LegoError, match=message):
        simulate_network(SPECS + spec + ".yaml", [layer], sram=sram)


def test_bad_sram_tensor_and_dataflow_are_refused():
    with pytest.raises(LegoError, match=re.escape("--sram X: not a tensor of")):
        simulate_network(SPECS + "gemm_os_4x4.yaml", LAYERS[:1], sram={"X": 8})
    with pytest.raises(LegoError, match=r"--dataflow 'ws' is not a dataflow of the spec"):
        simulate_network(SPECS + "gemm_os_4x4.yaml", LAYERS[:1], dataflow="ws")


def _lego(capsys, *argv):
    from lego.cli import main

    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("argv, message", [
    (["--layer", "gemm:M=0,N=4,K=4"], r"field M must be a positive integer, got '0'"),
    (["--layer", "conv:H=4,W=4,C=3,K=8,Fh=5,Fw=3"], r"filter_h 5 is larger than ifmap_h 4"),
    (["--layer", "gemm:M=4,N=4,K=4", "--sram", "A=0"], r"--sram A must be a positive number"),
    (["--objective", "energy"], r"--objective: only with --layer/--layers"),
])
def test_cli_bad_layers_are_one_line_exit_2(capsys, argv, message):
    code, out, err = _lego(capsys, "sim", "design", SPECS + "gemm_os_ws_fused_4x4.yaml", *argv)
    assert code == 2 and out == ""
    assert re.fullmatch(r"lego: error: .*" + message + r".*\n", err)


def test_cli_unmappable_statement_and_bad_topology_row(capsys, tmp_path):
    code, _, err = _lego(capsys, "sim", "design", SPECS + "mttkrp_4x4.yaml", "--layer",
                         "gemm:M=4,N=4,K=4")
    assert code == 2 and re.fullmatch(r"lego: error: .*cannot take layers.*\n", err)
    topology = tmp_path / "net.csv"
    topology.write_text("Layer name, M, N, K,\nfc1, 16, 0, 8,\n")
    code, _, err = _lego(capsys, "sim", "design", SPECS + "gemm_os_4x4.yaml", "--layers",
                         str(topology), "--input-type", "gemm")
    assert code == 2 and re.fullmatch(r"lego: error: .*net.csv:2: N: expected a positive "
                                      r"integer, got '0'\n", err)


def test_cli_table_and_json_are_deterministic(capsys, tmp_path):
    topology = tmp_path / "net.csv"
    topology.write_text("Layer name, M, N, K,\nfc1, 16, 24, 8,\nfc2, 40, 8, 12,\n")
    argv = ["sim", "design", SPECS + "gemm_os_ws_fused_4x4.yaml", "--layers", str(topology),
            "--input-type", "gemm", "--sram", "A=4096,B=4096,C=16384"]
    code, table, _ = _lego(capsys, *argv)
    assert code == 0 and re.search(r"^1  fc2\s+(os|ws)\s", table, re.M)
    assert re.search(r"^total: \d+ cycles", table, re.M)
    first = _lego(capsys, *argv, "--json")[1]
    assert first == _lego(capsys, *argv, "--json")[1]
    import json
    data = json.loads(first)
    assert [layer["dataflow"] in ("os", "ws") for layer in data["layers"]] == [True, True]
    assert data["total"]["total_cycles"] == sum(layer["chosen"]["total_cycles"]
                                                for layer in data["layers"])


def test_cli_old_design_form_still_works(capsys):
    code, out, _ = _lego(capsys, "sim", "design", SPECS + "gemm_os_4x4.yaml")
    assert code == 0 and out.startswith("dataflow  steps  drain  cycles")


def test_progress_is_called_after_every_layer():
    calls = []
    simulate_network(SPECS + "gemm_os_4x4.yaml", LAYERS[:3], sram=UNBOUNDED,
                     progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_loop_mapped_to_space_alone_keeps_its_spec_size():
    # the bcast dataflow spreads j over the whole array (j = 4p + q): its tiles have j = 16;
    # the OS dataflow of the same design runs at its own bounds, j in steps of 4 (one tile)
    result = simulate_network(SPECS + "gemm_os_bcast_fused_4x4.yaml", [gemm("g", 8, 20, 8)],
                              sram=UNBOUNDED, dram_bw=None)
    os_run, bcast = result.layers[0].runs
    assert (os_run.dataflow, dict(os_run.tile), os_run.tiles) == ("os", {"i": 8, "j": 20, "k": 8},
                                                                  1)
    assert (bcast.dataflow, dict(bcast.tile), bcast.tiles) == ("bcast",
                                                               {"i": 8, "j": 16, "k": 8}, 2)
    assert bcast.tile_steps == 8 * 8  # ti x tk, j all in space


def test_a_fixed_dataflow_is_the_only_one_run():
    result = simulate_network(SPECS + "gemm_os_ws_fused_4x4.yaml", LAYERS[:2], sram=UNBOUNDED,
                              dataflow="ws")
    assert [[r.dataflow for r in layer.runs] for layer in result.layers] == [["ws"], ["ws"]]


def test_lowered_shapes_count_the_spec_design_with_or_without_its_memories(monkeypatch):
    monkeypatch.setenv("LEGO_TILE_CACHE", "off")  # else the second run reads it from disk
    for sram in ({"A": 4096, "B": 4096, "C": 4096}, UNBOUNDED):
        result = simulate_network(SPECS + "gemm_os_4x4.yaml", [gemm("g", 8, 8, 8)], sram=sram)
        assert result.lowered_shapes == 1  # the layer is the spec's own size: one design
