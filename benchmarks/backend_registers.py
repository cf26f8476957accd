"""Back-end benchmark: LP vs hand-style pipeline register bits on the 16x16 GEMMs at a few clock
periods, and `lego gen` (front end + back end + Verilog) time for 16x16 and 32x32 GEMM.

Run: python benchmarks/backend_registers.py  (prints tables, writes
benchmarks/results/backend_registers.json)
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from lego.backend.generate import generate, hand_style_register_bits
from lego.backend.lower import lower
from lego.backend.pipeline import pipeline
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from lego.tables import format_table

ROOT = Path(__file__).resolve().parent.parent
PERIODS = (100.0, 6.0, 5.0)


def _registers() -> list[dict]:
    rows = []
    for name in ("gemm_os_16x16", "gemm_ws_16x16"):
        adg = run_passes(load_spec(ROOT / "examples" / "specs" / f"{name}.yaml")).adg
        design, hand = lower(adg), hand_style_register_bits(adg)
        for period in PERIODS:
            s = pipeline(design.graph, period)
            rows.append({"design": name, "period_ns": period, "lp_bits": s.register_bits,
                         "hand_bits": hand, "lp_over_hand": round(s.register_bits / hand, 3),
                         "per_primitive_bits": s.per_primitive_bits,
                         "lp_seconds": s.solve_seconds})
    return rows


def _gemm(size: int) -> Path:
    """The 64^3 output-stationary GEMM of gemm_os_16x16.yaml on a size x size array."""
    tiles = 64 // size
    text = (ROOT / "examples" / "specs" / "gemm_os_16x16.yaml").read_text()
    path = Path("/tmp") / f"lego_bench_gemm_os_{size}x{size}.yaml"
    path.write_text(text.replace("16x16", f"{size}x{size}").replace("p: 16", f"p: {size}")
                    .replace("q: 16", f"q: {size}").replace("16*t", f"{size}*t")
                    .replace("ti: 4, tj: 4", f"ti: {tiles}, tj: {tiles}"))
    return path


def _gen_time(size: int) -> dict:
    path = _gemm(size)
    started = time.perf_counter()
    spec = load_spec(path)
    gen = generate(run_passes(spec).adg)
    return {"design": spec.name, "fus": gen.design.num_fus,
            "gen_seconds": round(time.perf_counter() - started, 2),
            "lp_seconds": round(gen.lp_seconds, 2),
            "verilog_lines": len(gen.verilog.splitlines())}


def _table(rows: list[dict], columns: tuple[str, ...]) -> str:
    return format_table([columns] + [tuple(row[c] for c in columns) for row in rows],
                        "r" * len(columns))


def main() -> None:
    result = {"registers": _registers(), "gen_time": [_gen_time(16), _gen_time(32)]}
    out = ROOT / "benchmarks" / "results" / "backend_registers.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("Pipeline registers: LP (fewest bits meeting the period) vs hand style (a register "
          "on every FU-to-FU edge and FU output) and per primitive (an upper bound)")
    print(_table(result["registers"], ("design", "period_ns", "lp_bits", "hand_bits",
                                       "lp_over_hand", "per_primitive_bits", "lp_seconds")))
    print("\nlego gen (front end + back end + Verilog), 64^3 GEMM, output stationary")
    print(_table(result["gen_time"], ("design", "fus", "gen_seconds", "lp_seconds",
                                      "verilog_lines")))
    print(f"\nwrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
