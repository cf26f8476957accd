"""The cycles ``lego sim design SPEC --layers`` charges per tile are the RTL's: for one layer per
example kind (GEMM, conv, fused OS+WS), the tile the model chose is regenerated as a design
(the spec at the tile's loop bounds; in a fused design each dataflow at its own bounds), built
once on Verilator and run for every dataflow; the measured start-to-done cycles equal the
model's tile cycles, and the values the golden model's (each dataflow over its own box)."""

from pathlib import Path

import pytest
import yaml

from lego.spec import load_spec
from lego.verify import verify
from sim.spec_layers import UNBOUNDED, TileTimer, analyse, simulate_network
from sim.workload.layer import conv, gemm

pytestmark = pytest.mark.rtl

SPECS = Path(__file__).resolve().parent.parent.parent / "examples" / "specs"


@pytest.mark.parametrize("name, layer, period", [
    # ragged sizes: the tile is padded (i 10 -> 12, j 7 -> 8 on the 4x4 array) and grown (k 13)
    ("gemm_os_4x4", gemm("ragged", 10, 7, 13), None),
    ("conv2d_os_4x4", conv("conv", 6, 6, 3, 5, 3, 3), None),
    ("gemm_os_ws_fused_4x4", gemm("ragged", 10, 7, 13), None),
    # the fused design picks WS at i = 10 above (its OS dataflow, i in steps of 4, runs i = 8
    # in the same RTL) and OS at k = 13 here (WS, k in steps of 4, runs k = 12): each dataflow
    # at its own loop bounds
    ("gemm_os_ws_fused_4x4", gemm("deep", 8, 8, 13), None),
    # at 10 ns the fused design's dataflows drain in different cycles on this tile (OS 4, WS
    # 5, its C banks deep; on smaller tiles, such as i, j, k = 10, 8, 40, both drain in 4
    # since WS's stationary B is held in its RAM's read register): each run ends with its own
    ("gemm_os_ws_fused_4x4", gemm("wide", 10, 32, 40), 10.0),
])
def test_model_tile_cycles_equal_the_rtl(tmp_path, name, layer, period):
    spec_path = SPECS / f"{name}.yaml"
    timer = TileTimer(analyse(load_spec(spec_path)), period)
    result = simulate_network(spec_path, [layer], sram=UNBOUNDED, timer=timer, period_ns=period)
    tile = dict(result.layers[0].chosen.tile)
    assert tile != dict(timer.template.spec.loops)  # a tile size the example never had
    if period is not None:
        assert len({run.drain for run in timer.runs(tile)}) == 2
    data = timer.template.tile_spec(tile)
    if "fused" in name:  # the chosen dataflow runs a size the other one's granularity forbids
        assert any(size % 4 for size in tile.values())
        assert [bool(d.get("loops")) for d in data["dataflows"]].count(True) == 1
    tile_spec = tmp_path / f"{name}.yaml"
    tile_spec.write_text(yaml.safe_dump(data, sort_keys=False))
    summary = verify(str(tile_spec), seeds=1, period=period, out=str(tmp_path / "design"),
                     build_dir=tmp_path / "build")
    assert summary["passed"]
    measured = {flow: data["rtl_cycles"] for flow, data in summary["dataflows"].items()}
    assert measured == {run.dataflow: run.cycles for run in timer.runs(tile)}
    assert measured[result.layers[0].chosen.dataflow] == result.layers[0].chosen.tile_cycles
