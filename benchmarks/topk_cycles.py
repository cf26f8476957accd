"""Top-k engine cycles versus SpAtten's reference quick-select model (n = 1024, P = 16).

Run: ``python benchmarks/topk_cycles.py`` (about 3 s). Writes benchmarks/results/topk_cycles.json.

"ours" is ``sim.topk.topk_cycles``, which tests/rtl/test_spatten_topk.py checks cycle for cycle
against the Verilated RTL (P = 16, max n = 1024, including full-length uniform inputs with
k = 32, 204, 512), so it stands for the RTL here. Scores: uniform signed 16-bit, seeded.
"""

from __future__ import annotations

import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lego.outputs import stable_json  # noqa: E402
from sim.topk import reference_cycles, topk_cycles  # noqa: E402

N, P, SCORE_WIDTH, RUNS, SEED = 1024, 16, 16, 200, 2021
KS = (32, 204, 512)
RESULTS = Path(__file__).resolve().parent / "results" / "topk_cycles.json"


def measure(k: int) -> dict:
    rng = random.Random(SEED + k)
    ours, reference = [], []
    for _ in range(RUNS):
        scores = [rng.randint(-(1 << (SCORE_WIDTH - 1)), (1 << (SCORE_WIDTH - 1)) - 1)
                  for _ in range(N)]
        ours.append(topk_cycles(scores, k, P, SCORE_WIDTH))
        reference.append(reference_cycles(N, k, P, rng))
    mean, ref = statistics.fmean(ours), statistics.fmean(reference)
    return {"k": k, "ours_mean": round(mean, 2), "ours_min": min(ours), "ours_max": max(ours),
            "reference_mean": round(ref, 2), "floor": N // P, "ratio": round(mean / ref, 3)}


def main() -> int:
    rows = [measure(k) for k in KS]
    print(f"top-k cycles, n={N}, P={P}, {RUNS} random inputs per k (seed {SEED})")
    print(f"{'k':>5} {'ours mean':>10} {'min':>5} {'max':>5} {'reference':>10} {'floor n/P':>10} "
          f"{'ours/ref':>9}")
    for r in rows:
        print(f"{r['k']:>5} {r['ours_mean']:>10.2f} {r['ours_min']:>5} {r['ours_max']:>5} "
              f"{r['reference_mean']:>10.2f} {r['floor']:>10} {r['ratio']:>9.3f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(stable_json({"n": N, "parallelism": P, "score_width": SCORE_WIDTH,
                                    "runs": RUNS, "seed": SEED, "bar": 0.6, "rows": rows,
                                    "rtl_equality": "tests/rtl/test_spatten_topk.py"}))
    return 0 if all(r["ratio"] <= 0.6 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
