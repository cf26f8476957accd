"""Fixed-point vs float64 re-fetch decisions of the progressive-quantization engine.

Prints, per exp-approximation config and score family, how often the engine's decision
(p_max < threshold in fixed point) differs from a float64 softmax with the same threshold, next to
the bound (cases whose decision may differ given the proven error interval; see
lego.spatten.pq_decisions). Then replays the GPT-2 SpAtten trace's recorded decisions through the
engine's byte rule and cycle model (lego.spatten.pq_trace). Writes
benchmarks/results/pq_decisions.json.

Run: python benchmarks/pq_decisions.py [--cases N] [--seed S] [--trace CSV]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lego.outputs import stable_json  # noqa: E402
from lego.spatten.pq_decisions import compare, error_terms, score_families  # noqa: E402
from lego.spatten.pq_params import PqParams  # noqa: E402
from lego.spatten.pq_trace import trace_costs  # noqa: E402

# a copy kept in the repository (see its README): the benchmark reads nothing outside the checkout
TRACE = ROOT / "benchmarks" / "data" / "spatten_workloads" / "summary-gpt2-small-wikitext2-per8.csv"

# GPT-2 small as in the SpAtten traces (D=64, 6-bit MSB, 4-bit LSB, threshold 0.05), with the
# default exp approximation and two coarser ones to show the bound tracking real mismatches.
CONFIGS = {
    "lut8_p16 (default)": PqParams(),
    "lut4_p12": PqParams(exp_lut_bits=4, prob_bits=12),
    "lut3_p10": PqParams(exp_lut_bits=3, prob_bits=10),
}


def measure(cases: int, seed: int) -> dict:
    rows = []
    for name, params in CONFIGS.items():
        for family, sets in score_families(params, seed, cases).items():
            stats = compare(params, sets)
            rows.append({"config": name, "family": family, **stats.to_dict()})
    return {"cases_per_family": cases, "seed": seed,
            "configs": {n: {"parameters": p.to_dict(), "error_terms": error_terms(p)}
                        for n, p in CONFIGS.items()},
            "rows": rows}


def table(result: dict) -> str:
    head = (f"{'config':<20}{'family':<11}{'refetch f64':>12}{'refetch fix':>12}"
            f"{'mismatch':>10}{'bound':>8}{'max|dp|':>10}")
    lines = [head, "-" * len(head)]
    for r in result["rows"]:
        n = r["cases"]
        lines.append(f"{r['config']:<20}{r['family']:<11}{r['refetch_float'] / n:>12.3%}"
                     f"{r['refetch_fixed'] / n:>12.3%}{r['mismatches'] / n:>10.3%}"
                     f"{r['at_risk'] / n:>8.2%}{r['max_abs_error']:>10.5f}")
    return "\n".join(lines)


def trace_table(costs: dict) -> str:
    mib = 2 ** 20
    return "\n".join([
        f"GPT-2 trace: {costs['requests']} requests, {costs['refetches']} re-fetched "
        f"({costs['refetches'] / costs['requests']:.2%})",
        f"  key bytes: progressive {costs['bytes_progressive'] / mib:.1f} MiB, MSB only "
        f"{costs['bytes_msb_only'] / mib:.1f} MiB, always full precision "
        f"{costs['bytes_full'] / mib:.1f} MiB "
        f"(progressive = {costs['bytes_progressive'] / costs['bytes_full']:.1%} of full)",
        f"  engine cycles (16 lanes, lego.spatten.pq_timing): {costs['cycles']} with 1 exp unit, "
        f"{costs['cycles_exp4']} with 4; key-beat floor {costs['key_beats']}; "
        f"{costs['cycles_refetch_share']:.1%} of the cycles (1 unit) spent on re-fetches"])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "pq_decisions.json"))
    parser.add_argument("--trace", default=str(TRACE), help="SpAtten summary CSV to replay")
    args = parser.parse_args(argv)
    if not Path(args.trace).is_file():
        parser.error(f"--trace {args.trace}: no such file")
    result = measure(args.cases, args.seed)
    print(table(result))
    costs = trace_costs(PqParams(), Path(args.trace)).to_dict()
    costs["cycles_exp4"] = trace_costs(PqParams(exp_units=4), Path(args.trace)).cycles
    result["trace"] = {"file": Path(args.trace).name, **costs}
    print(trace_table(costs))
    Path(args.out).write_text(stable_json(result))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
