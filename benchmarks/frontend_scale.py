"""Front-end scaling: GEMM output- and weight-stationary on 16x16, 32x32 and 64x64 arrays.

Times every front-end pass (specs are built in memory with lego.spec.parse_spec), prints a
table and writes benchmarks/results/frontend_scale.json. Run: python benchmarks/frontend_scale.py
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from lego.frontend.passes import PASS_NAMES, run_passes
from lego.spec import parse_spec

SIZES = (16, 32, 64)
RESULTS = Path(__file__).parent / "results" / "frontend_scale.json"


def gemm_spec(dataflow: str, n: int) -> dict:
    """A (2n)^3 GEMM on an n x n array (two tiles per dimension)."""
    size = 2 * n
    if dataflow == "os":
        flow = {"name": "os", "spatial": {"p": n, "q": n},
                "temporal": {"ti": 2, "tj": 2, "tk": size},
                "map": {"i": f"{n}*ti + p", "j": f"{n}*tj + q", "k": "tk"}}
    else:
        flow = {"name": "ws", "spatial": {"p": n, "q": n},
                "temporal": {"tk": 2, "tj": 2, "ti": size},
                "map": {"i": "ti", "j": f"{n}*tj + q", "k": f"{n}*tk + p"}}
    return {"name": f"gemm_{dataflow}_{n}x{n}", "loops": {"i": size, "j": size, "k": size},
            "statement": "C[i, j] += A[i, k] * B[k, j]",
            "dtypes": {"A": "int8", "B": "int8", "C": "int32"}, "dataflows": [flow]}


def measure(dataflow: str, n: int) -> dict:
    times: dict[str, float] = {}
    start = time.perf_counter()
    spec = parse_spec(gemm_spec(dataflow, n))
    times["parse"] = time.perf_counter() - start
    state = run_passes(spec, timer=lambda name, seconds: times.__setitem__(name, seconds))
    start = time.perf_counter()
    text = state.adg.to_json()
    times["to_json"] = time.perf_counter() - start
    solvers = sorted({f.solver for f in state.fusion.forests})
    return {"dataflow": dataflow, "array": f"{n}x{n}", "fus": n * n,
            "edges": state.adg.graph.number_of_edges(), "json_bytes": len(text),
            "solvers": solvers, "seconds": {k: round(v, 4) for k, v in times.items()},
            "total_seconds": round(sum(times.values()), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows = [measure(d, n) for n in args.sizes for d in ("os", "ws")]
    columns = ("parse",) + PASS_NAMES + ("to_json",)
    print(f"{'case':<16}{'edges':>8}" + "".join(f"{c:>14}" for c in columns) + f"{'total':>10}")
    for row in rows:
        print(f"{row['dataflow'] + ' ' + row['array']:<16}{row['edges']:>8}"
              + "".join(f"{row['seconds'][c]:>14.3f}" for c in columns)
              + f"{row['total_seconds']:>10.3f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": platform.machine(), "python":
                                    platform.python_version(), "rows": rows},
                                   indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
