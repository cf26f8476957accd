"""``lego fuzz``: random differential testing of the whole generator (see lego.fuzz.run)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from lego.errors import LegoError

__all__ = ["register", "parse_period"]


def parse_period(text: str) -> float | str:
    """A clock period in ns, or ``tight`` (per spec, the shortest every primitive fits)."""
    if text == "tight":
        return text
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"not a positive number of ns or 'tight': {text!r}")
    return value


def register(sub) -> None:
    cmd = sub.add_parser(
        "fuzz", help="verify random specs on Verilator; shrink and keep any failure",
        description="Draws random valid specs (GEMM, GEMV, outer products, batched and "
                    "multi-head matmuls, 1-D/2-D convolutions with strides and dilations, "
                    "MTTKRP; random bounds, data types uint1..int64, one or two array "
                    "dimensions, blocked or strided splits, temporal orders, fused second "
                    "dataflows), verifies each like lego verify, shrinks every failure and "
                    "writes it with its first mismatch under --regressions. Exit status 1 "
                    "if any spec failed.")
    cmd.add_argument("--count", type=int, default=10, help="specs to draw (default 10)")
    cmd.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    cmd.add_argument("--period", type=parse_period, metavar="NS",
                     help="clock period in ns, or 'tight': per spec, the shortest one every "
                          "primitive fits in (default: relaxed)")
    cmd.add_argument("--seeds", type=int, default=2, help="input sets per spec (default 2)")
    cmd.add_argument("--shrink-budget", type=int, default=24, metavar="N",
                     help="most variants tried when shrinking a failure (default 24)")
    cmd.add_argument("--regressions", metavar="DIR", default="tests/regressions",
                     help="where shrunk failures go (default tests/regressions)")
    cmd.set_defaults(run=_run)


def _run(args) -> int:
    for name in ("count", "seeds"):
        if getattr(args, name) < 1:
            raise LegoError(f"--{name} must be at least 1, not {getattr(args, name)}")
    if args.shrink_budget < 0:
        raise LegoError(f"--shrink-budget must be 0 or more, not {args.shrink_budget}")
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        raise LegoError("lego fuzz needs hypothesis: pip install 'lego[fuzz]'") from None
    from lego.fuzz.session import fuzz

    found = fuzz(args.count, args.seed, args.period, args.seeds, args.shrink_budget,
                 Path(args.regressions))
    return 1 if found else 0
