"""sim.spec_layers.tile_cycles: a tile's runs are those of the design lowered at its bounds, and
the stage hint one tile gives the next changes nothing but the time the LP takes."""

import pytest

from lego.backend import lp_solve
from lego.spec import load_spec
from sim.spec_layers import TileTimer, analyse

SPECS = "examples/specs/"
# different temporal bounds, so different counter and address widths (and LP costs); the last
# two differ only where the widths stay the same
TILES = {"gemm_os_ws_fused_4x4": [(8, 8, 8), (4, 12, 64), (28, 8, 4), (8, 40, 12), (8, 44, 12)],
         "gemm_os_4x4": [(8, 8, 8), (4, 12, 63), (28, 8, 5), (8, 40, 17)]}


@pytest.mark.parametrize("period", [None, 10.0])
@pytest.mark.parametrize("name", ["gemm_os_ws_fused_4x4", "gemm_os_4x4"])
def test_hinted_tiles_equal_fresh_lowerings_and_skip_the_solver(monkeypatch, name, period):
    template = analyse(load_spec(SPECS + name + ".yaml"))
    tiles = [dict(zip(template.spec.loop_names, t, strict=True)) for t in TILES[name]]
    fresh = [TileTimer(template, period, cache=None, derive=False).runs(t) for t in tiles]
    solves = []
    solve = lp_solve._optimal_dual
    monkeypatch.setattr(lp_solve, "_optimal_dual", lambda lp: solves.append(1) or solve(lp))
    chained = TileTimer(template, period, cache=None, derive=False)  # every tile lowered
    assert [chained.runs(t) for t in tiles] == fresh
    # the first tile has no hint; a later one needs the solver only if its stages moved
    assert 1 <= len(solves) < len(tiles)
