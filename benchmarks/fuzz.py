"""Random differential testing at scale: draws specs with ``lego fuzz``'s generator
(lego.fuzz.recipe), verifies each on Verilator against the golden model and sim/ (lego verify,
2 input sets), half of them at the tight clock period (per spec, the shortest
one every primitive fits in) and half at the relaxed default. Failures are shrunk and kept under
tests/regressions/. Prints pass counts per template and clock; writes benchmarks/results/fuzz.json
(or --out).

Run: nice -n 10 python benchmarks/fuzz.py [--count 200] [--seed 2026] [--first K]
(--first K checks only the first K specs of the batch, --skip K starts after the first K: each
spec takes 10-30 s.) --accumulating keeps only the specs whose output is accumulated in memory
(read, added to and written back: lego.backend.output_write's first-write gate) and checks each
at both clocks; --shared-layout likewise keeps the fused specs with an input in one layout for
every dataflow (lego.frontend.memory._shared_layout: ports sharing a bank in a step); --views
keeps the specs with a read port that reads a RAM copy of only the words it can read
(lego.backend.ports.fixed_bits, at the relaxed clock); --shared-clear keeps the fused specs
with an adder the dataflows share whose accumulator clear only one of them fires
(lego.backend.shared_clear) and checks each at three clocks: relaxed, tight, and a middle one
(1.35 x tight) where the LP decides whether a write taps the sum before or after its register;
--host-async keeps the specs whose host reads some banks asynchronously at the relaxed clock
(lego.backend.rtl.host_read), checked at both clocks. --copies (with or without a filter)
generates every spec as an array larger than the delay model's fit is: its control registers
copied per group of about a row of banks and FUs (lego.backend.rtl.copies, COPY_BEYOND set to
1 instead of 64), so that random specs exercise the copies the 12x12 and 16x16 arrays take.
--preload (likewise) keeps the specs with an input some dataflow can preload down a chain of
FUs (lego.backend.preload) and checks them preloading it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lego.backend.passes import run_backend  # noqa: E402
from lego.backend.rtl import copies  # noqa: E402
from lego.backend.rtl.host_read import comb_banks  # noqa: E402
from lego.backend.shared_clear import clearing_flow  # noqa: E402
from lego.errors import LegoError  # noqa: E402
from lego.frontend.passes import run_passes  # noqa: E402
from lego.fuzz.recipe import TEMPLATES, spec_dict  # noqa: E402
from lego.fuzz.run import draw, spec_name, spec_text, tight_period  # noqa: E402
from lego.fuzz.session import check_at, describe, keep, shrink_failure  # noqa: E402
from lego.outputs import stable_json  # noqa: E402
from lego.spec import load_spec  # noqa: E402


def _adg(recipe):
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "spec.yaml"
        path.write_text(spec_text(recipe))
        return run_passes(load_spec(path)).adg


def accumulates(recipe) -> bool:
    """Whether the recipe's output is accumulated in memory in some dataflow."""
    return any(t.accumulate_in_memory for flow in _adg(recipe).flows for t in flow.tensors)


def shares_layout(recipe) -> bool:
    """Whether an input of the recipe takes one layout for every dataflow."""
    adg = _adg(recipe)
    return any(adg.memory(flow.name, t.name).shared_layout
               for flow in adg.flows for t in adg.tensors)


def reads_copies(recipe) -> bool:
    """Whether a read port of the recipe's design (at the relaxed clock) reads a RAM copy of
    only the words it can read (lego.backend.ports: BankPorts.views)."""
    ports = run_backend(_adg(recipe), stop_after="ports").ports
    return any(mask for bank in ports.banks for mask, _ in bank.views)


def shares_clear(recipe) -> bool:
    """Whether the recipe's design has an adder the dataflows share whose accumulator clear
    only one of them fires (lego.backend.shared_clear)."""
    graph = run_backend(_adg(recipe), stop_after="lower").design.graph
    return any(clearing_flow(graph, name) is not None for name in graph.graph.nodes)


def reads_host_async(recipe) -> bool:
    """Whether the host reads some bank of the recipe's design (at the relaxed clock)
    asynchronously (lego.backend.rtl.host_read)."""
    state = run_backend(_adg(recipe), stop_after="pipeline")
    return bool(comb_banks(state.design, state.schedule))


FILTERS = {"accumulating": accumulates, "shared_layout": shares_layout,
           "views": reads_copies, "shared_clear": shares_clear,
           "host_async": reads_host_async}
MIDDLE = 1.35  # the middle clock of --shared-clear, times the tight period


def _clocks(index: int, only: str | None) -> tuple[str, ...]:
    if only == "shared_clear":
        return ("relaxed", "tight", "middle")
    if only:
        return ("relaxed", "tight")
    # half tight: alternate within each round of templates and from round to round, so
    # every template meets both clocks (the batch is drawn round robin by template)
    return ("tight" if (index + index // len(TEMPLATES)) % 2 else "relaxed",)


def run(count: int, seed: int, first: int | None, shrink_budget: int, skip: int = 0,
        only: str | None = None, preload: bool = False) -> dict:
    """``only``: a FILTERS name, the specs it keeps checked at every clock ``_clocks`` names;
    ``preload``: every spec's dataflows preload an input where one can be (the others are
    skipped)."""
    recipes = draw(count, seed)[:first]
    if preload:
        recipes = [replace(r, preload=True) if _preloads(r) else None for r in recipes]
    rows = []
    for index, recipe in enumerate(recipes):
        if index < skip or recipe is None or (only and not FILTERS[only](recipe)):
            continue
        for clock in _clocks(index, only):
            rows.append(_check(recipe, index, len(recipes), clock, seed, shrink_budget))
    result = {"seed": seed, "count": count, "skipped": skip, "checked": len(rows),
              "seeds_per_spec": 2, "accumulating_only": only == "accumulating"}
    if only not in (None, "accumulating"):
        result["only"] = only
    return result | {"rows": rows}


def _preloads(recipe) -> bool:
    return any("preload" in f for f in spec_dict(replace(recipe, preload=True))["dataflows"])


def _check(recipe, index: int, total: int, clock: str, seed: int, shrink_budget: int) -> dict:
    started = time.monotonic()
    period, outcome = check_at(recipe, _period(recipe, clock), seeds=2)
    row = {"index": index, "spec": spec_name(recipe), "template": recipe.template,
           "what": describe(recipe), "clock": clock, "period_ns": period,
           "status": outcome.status, "detail": outcome.detail,
           "seconds": round(time.monotonic() - started, 1)}
    if outcome.bad:
        small, result, used = shrink_failure(recipe, outcome, period if clock != "relaxed"
                                             else None, 2, shrink_budget, print)
        row["regression"] = str(keep(ROOT / "tests" / "regressions", small, result,
                                     used or period,
                                     f"benchmarks/fuzz.py --seed {seed}, spec {index + 1}"
                                     ).relative_to(ROOT))
    print(f"{index + 1:>4}/{total} {row['spec']:<24} {clock:<8} {row['status']}"
          + (f": {row['detail']}" if row["detail"] else ""), flush=True)
    return row


def _period(recipe, clock: str):
    """What check_at takes for ``clock``: None (relaxed), "tight", or the middle clock's ns."""
    if clock != "middle":
        return "tight" if clock == "tight" else None
    try:
        return round(tight_period(recipe) * MIDDLE, 2)
    except LegoError:
        return "tight"  # rejected at the tight clock: check_at reports it so


def table(result: dict) -> str:
    templates = sorted({r["template"] for r in result["rows"]})
    clocks = [c for c in ("relaxed", "tight", "middle")
              if c != "middle" or any(r["clock"] == c for r in result["rows"])]
    head = f"{'template':<10}" + "".join(f"{c + ' pass/run':>18}" for c in clocks)
    lines = [head, "-" * len(head)]
    for name in templates + ["all"]:
        cells = []
        for clock in clocks:
            mine = [r for r in result["rows"] if r["clock"] == clock
                    and name in (r["template"], "all")]
            passed = sum(r["status"] == "pass" for r in mine)
            cells.append(f"{passed}/{len(mine)}")
        lines.append(f"{name:<10}" + "".join(f"{c:>18}" for c in cells))
    statuses = Counter(r["status"] for r in result["rows"])
    lines.append("outcomes: " + ", ".join(f"{statuses[s]} {s}" for s in
                                          ("pass", "fail", "crash", "rejected")))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--first", type=int, default=None, metavar="K",
                        help="check only the first K specs of the batch")
    parser.add_argument("--skip", type=int, default=0, metavar="K",
                        help="start at spec K+1 (to run a batch in parts)")
    parser.add_argument("--shrink-budget", type=int, default=12)
    parser.add_argument("--accumulating", action="store_true",
                        help="only specs whose output is accumulated in memory, at both clocks")
    parser.add_argument("--shared-layout", action="store_true",
                        help="only specs with an input in one layout for every dataflow, at "
                             "both clocks")
    parser.add_argument("--views", action="store_true",
                        help="only specs with a read port reading a RAM copy of some words, at "
                             "both clocks")
    parser.add_argument("--shared-clear", action="store_true",
                        help="only fused specs with a shared adder's clear, at three clocks")
    parser.add_argument("--host-async", action="store_true",
                        help="only specs whose host reads some bank asynchronously, at both "
                             "clocks")
    parser.add_argument("--preload", action="store_true",
                        help="only specs with an input a dataflow can preload, preloading it")
    parser.add_argument("--copies", action="store_true",
                        help="copy control registers per row in every spec, as in arrays of "
                             "more than 64 FUs")
    parser.add_argument("--out", default=None,
                        help="JSON to write (default benchmarks/results/fuzz.json, "
                             "fuzz_<filter>.json with a filter)")
    args = parser.parse_args(argv)
    filters = [name for name in FILTERS if getattr(args, name)]
    if len(filters) > 1:
        parser.error("--accumulating, --shared-layout, --views, --shared-clear and "
                     "--host-async are exclusive")
    only = filters[0] if filters else None
    if args.copies:
        copies.COPY_BEYOND = 1  # verify runs in this process: every design takes copies
    result = run(args.count, args.seed, args.first, args.shrink_budget, args.skip, only,
                 args.preload)
    if args.copies:
        result["copy_beyond"] = copies.COPY_BEYOND
    if args.preload:
        result["preload"] = True
    print(table(result))
    name = "_".join(n for n in (only, "preload" if args.preload else None,
                                "copies" if args.copies else None) if n)
    out = Path(args.out or ROOT / "benchmarks" / "results"
               / (f"fuzz_{name}.json" if name else "fuzz.json"))
    out.write_text(stable_json(result))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
