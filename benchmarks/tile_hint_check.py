"""Do stage hints change any tile? Every distinct tile the 50 layers of spec_layers_speed.py use,
on the OS, WS and fused OS+WS 16x16 designs, timed twice: by one TileTimer lowering the tiles in
turn (each pipelining LP hinted with the previous tile's stages, as a cold ``--layers`` run
does), and by a fresh TileTimer per tile (no hint: lego.backend.lp_solve's solver solves every
LP). The runs (steps, drain, cycles, SRAM reads/writes per bank) must be equal; the LP
certificate says they are, this checks it on every tile. Also counts the LPs the solver still
had to solve with hints.

    nice -n 10 python benchmarks/tile_hint_check.py [--period NS] [--out JSON]

Writes benchmarks/results/tile_hint_check.json (whole, through a temporary file); exits 1 when a
tile differs.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from spec_layers_speed import SRAM, layers  # noqa: E402

from lego.backend import lp_solve  # noqa: E402
from lego.outputs import stable_json  # noqa: E402
from lego.spec import load_spec  # noqa: E402
from lego.tables import format_table  # noqa: E402
from sim.spec_layers import TileTimer, analyse, simulate_network  # noqa: E402

DESIGNS = {"OS 16x16": ROOT / "examples/specs/gemm_os_16x16.yaml",
           "WS 16x16": ROOT / "examples/specs/gemm_ws_16x16.yaml",
           "fused OS+WS 16x16": ROOT / "benchmarks/specs/gemm_os_ws_fused_16x16.yaml"}
RESULTS = ROOT / "benchmarks/results/tile_hint_check.json"


class _Solves:
    """Counts the LPs the solver solves (cut canceling, HiGHS where that does not apply; the
    hint spares the others)."""

    def __init__(self):
        self.count, self._solve = 0, lp_solve._optimal_dual
        lp_solve._optimal_dual = self._counted

    def _counted(self, lp):
        self.count += 1
        return self._solve(lp)


def check(spec: Path, network: list, period: float | None, solves: _Solves) -> dict:
    template = analyse(load_spec(spec))
    hinted = TileTimer(template, period, cache=None, derive=False)  # every tile lowered
    before, started = solves.count, time.process_time()
    simulate_network(spec, network, sram=SRAM, timer=hinted, period_ns=period)
    hinted_cpu, hinted_solves = time.process_time() - started, solves.count - before
    tiles = sorted(hinted._runs)  # every distinct tile shape the network used
    differ, started = [], time.process_time()
    for key in tiles:
        tile = dict(zip(template.spec.loop_names, key, strict=True))
        if TileTimer(template, period, cache=None, derive=False).runs(tile) != hinted.runs(tile):
            differ.append(list(key))
    return {"tiles": len(tiles), "differ": differ, "hinted_cpu_s": round(hinted_cpu, 3),
            "hinted_solver_lps": hinted_solves,
            "fresh_cpu_s": round(time.process_time() - started, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", type=float, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    network, solves = layers(), _Solves()
    rows = {name: check(spec, network, args.period, solves) for name, spec in DESIGNS.items()}
    print(format_table([("design", "distinct tiles", "differ", "LPs solved (hinted)",
                         "hinted CPU s", "unhinted CPU s")] + [
        (n, r["tiles"], len(r["differ"]), r["hinted_solver_lps"], r["hinted_cpu_s"],
         r["fresh_cpu_s"]) for n, r in rows.items()], "l" + "r" * 5))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(args.out.name + ".tmp")
    temporary.write_text(stable_json({"period_ns": args.period, "layers": len(network),
                                      "rows": rows}))
    os.replace(temporary, args.out)
    print(f"wrote {args.out}")
    return 1 if any(r["differ"] for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
