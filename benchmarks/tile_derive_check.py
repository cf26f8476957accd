"""Every tile ``lego sim design --layers`` derives (sim.spec_layers.tile_derive) against the tile
design lowered and scheduled in full, on the 16x16 designs of benchmarks/spec_layers_speed.py
and the WS 16x16: its 50 layers plus 20 random GEMMs (ragged sizes, edge tiles), 256 KiB per
tensor. Prints a table, writes JSON, exits 1 if any derived tile differs (steps, drain, cycles,
SRAM reads and writes per tensor and bank).

    nice -n 10 python benchmarks/tile_derive_check.py [--period NS] [--out JSON]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.spec_layers_speed import SRAM, layers  # noqa: E402
from lego.outputs import stable_json  # noqa: E402
from lego.spec import load_spec  # noqa: E402
from lego.tables import format_table  # noqa: E402
from sim.spec_layers import TileTimer, analyse, simulate_network  # noqa: E402
from sim.workload.layer import gemm  # noqa: E402

DESIGNS = {"OS 16x16": ROOT / "examples/specs/gemm_os_16x16.yaml",
           "WS 16x16": ROOT / "examples/specs/gemm_ws_16x16.yaml",
           "fused OS+WS 16x16": ROOT / "benchmarks/specs/gemm_os_ws_fused_16x16.yaml"}
RESULTS = ROOT / "benchmarks/results"


def _random_gemms(count: int = 20, seed: int = 15) -> list:
    rng = random.Random(seed)
    return [gemm(f"random{i}", rng.randint(1, 700), rng.randint(1, 700), rng.randint(1, 3000))
            for i in range(count)]


def check(spec: Path, network: list, period: float | None) -> dict:
    template = analyse(load_spec(spec))
    timer = TileTimer(template, period, cache=None)
    simulate_network(spec, network, sram=SRAM, timer=timer, period_ns=period)
    full = TileTimer(template, period, cache=None, derive=False)
    differ = []
    for key, runs in sorted(timer._runs.items()):
        if runs != full.runs(dict(zip(template.spec.loop_names, key, strict=True))):
            differ.append(list(key))
    return {"tiles": len(timer._runs), "lowered": timer.lowered_in_full,
            "derived": timer.derived, "differ": differ}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", type=float, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    suffix = "" if args.period is None else f"_{args.period:g}ns"
    out = args.out or RESULTS / f"tile_derive_check{suffix}.json"
    network = layers() + _random_gemms()
    rows = {name: check(spec, network, args.period) for name, spec in DESIGNS.items()}
    print(format_table([("design", "layers", "distinct tiles", "lowered (class representatives)",
                         "derived", "derived != full lowering")] + [
        (name, len(network), r["tiles"], r["lowered"], r["derived"], len(r["differ"]))
        for name, r in rows.items()], "lrrrrr"))
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".tmp")
    temporary.write_text(stable_json({"period_ns": args.period, "layers": len(network),
                                      "rows": rows}))
    os.replace(temporary, out)
    print(f"wrote {out}")
    return 1 if any(r["differ"] for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
