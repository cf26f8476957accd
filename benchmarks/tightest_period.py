"""The tightest clock period the generator accepts, per design: where `lego gen --period P`
stops refusing (one line, exit 2: a primitive alone is longer than P). Bisection on a grid of
``--step`` ns (0.05 by default) between ``--low`` and ``--high``, with the back end run up to
its pipelining LP (the pass that refuses) and the shipped ECP5 delay table, the same model
`lego gen` uses.

    python benchmarks/tightest_period.py [--only ROW[,ROW]] [--step 0.05] [--low 2] [--high 20]

Rows are benchmarks/fpga_quality.py's lego rows (4x4, 8x8, 16x16 OS and WS GEMMs, the fused
8x8, the 12x12 OS). Prints one table and writes benchmarks/results/tightest_period.json
(rewritten whole, through a temporary file). A design refused at ``--high`` is reported as
such; every period on the grid from the reported one up to ``--high`` was not tested, only
the bisection's points (refusal is monotone in the period: a longer period never makes a
primitive longer).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import fpga_quality  # noqa: E402

from lego.errors import LegoError  # noqa: E402
from lego.tables import format_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "tightest_period.json"


def _adg(spec_text: str):
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(spec_text)
        return run_passes(load_spec(path)).adg


def accepts(adg, period: float) -> bool:
    from lego.backend.passes import run_backend

    try:
        run_backend(adg, period, stop_after="pipeline")
    except LegoError:
        return False
    return True


def tightest(adg, step: float, low: float, high: float) -> float | None:
    """The smallest multiple of ``step`` in [low, high] the model accepts (None: not even
    ``high``)."""
    lo, hi = round(low / step), round(high / step)
    if not accepts(adg, hi * step):
        return None
    if accepts(adg, lo * step):
        return round(lo * step, 6)
    while hi - lo > 1:  # lo refused, hi accepted
        mid = (lo + hi) // 2
        if accepts(adg, mid * step):
            hi = mid
        else:
            lo = mid
    return round(hi * step, 6)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="gemm_os_4x4,gemm_ws_4x4,gemm_os_8x8,gemm_ws_8x8",
                        help="rows (fpga_quality.py's names), comma-separated")
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--low", type=float, default=2.0)
    parser.add_argument("--high", type=float, default=20.0)
    args = parser.parse_args()
    specs = fpga_quality.lego_rows()
    names = args.only.split(",")
    unknown = [n for n in names if n not in specs]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}")
    rows = []
    for name in names:
        period = tightest(_adg(specs[name]), args.step, args.low, args.high)
        rows.append({"row": name, "tightest_period_ns": period, "step_ns": args.step,
                     "target_mhz": None if period is None else round(850 / period, 1)})
    print(format_table([("row", "tightest ns", "0.85 x 1000/P MHz")]
                       + [(r["row"], "refused" if r["tightest_period_ns"] is None
                           else r["tightest_period_ns"], r["target_mhz"] or "-")
                          for r in rows], "lrr"))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=RESULTS.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as out:
        json.dump(rows, out, indent=1, sort_keys=True)
        out.write("\n")
    os.replace(temp, RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
