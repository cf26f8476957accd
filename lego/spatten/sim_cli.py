"""``lego spatten sim TRACE``: a SpAtten summary trace through the whole accelerator (sim/spatten).
A command-layer module: it runs the simulator."""

from __future__ import annotations

import json

from lego.errors import LegoError

__all__ = ["register", "run_trace"]


def register(engines) -> None:
    parser = engines.add_parser(
        "sim", help="simulate the whole SpAtten accelerator on a summary trace")
    parser.add_argument("trace", metavar="TRACE", help="SpAtten summary CSV")
    parser.add_argument("--baseline", metavar="TRACE",
                        help="a dense trace to compare with (speedup, DRAM reduction)")
    parser.add_argument("--hw", default="full", metavar="full|eighth|FILE.yaml",
                        help="hardware preset or YAML overrides (default full)")
    parser.add_argument("--fetch-rule", choices=("exact", "reference"), default="exact",
                        help="DRAM bytes: exact bits, or the reference RTL's rounding")
    parser.add_argument("--topk", choices=("lego", "reference"), default="lego",
                        help="top-k cycle model: lego's engine (exact) or the reference's")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the synthetic top-k scores and pivots (default 0)")
    parser.add_argument("--dense-bits", type=int, default=12,
                        help="bits of unquantized elements and of the ladder's dense step "
                             "(default 12)")
    parser.add_argument("--layers", type=int, help="model layers (default: from the trace)")
    parser.add_argument("--heads", type=int, help="heads per layer (default: from the trace)")
    parser.add_argument("--head-dim", type=int, help="head dimension D (default: from the trace)")
    parser.add_argument("--energy", metavar="F", help="per-access energy table (YAML)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--plot", metavar="F.png", help="draw the ladder and per-layer cycles")
    parser.set_defaults(run=_run)


def _check(args) -> None:
    for name in ("layers", "heads", "head_dim"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise LegoError(f"--{name.replace('_', '-')} must be >= 1, got {value}")
    if not 1 <= args.dense_bits <= 32:
        raise LegoError(f"--dense-bits must be in [1, 32], got {args.dense_bits}")


def run_trace(path: str, hw, options: dict, energy_table: dict, shape: dict) -> tuple:
    """(report dict, run) of one trace; ``options``: fetch_rule, topk_model, seed, dense_bits."""
    from sim.spatten.report import report
    from sim.spatten.simulate import simulate
    from sim.spatten.trace import read_trace

    trace = read_trace(path, **shape)
    run = simulate(trace, hw, options["fetch_rule"], options["topk_model"], options["seed"],
                   options["dense_bits"])
    return report(trace, hw, run, options, energy_table), run


def _run(args) -> int:
    from sim.spatten.hardware import load_hardware
    from sim.spatten.report import compare
    from sim.spatten.text import render
    from sim.workload.energy import load_table

    _check(args)
    hw = load_hardware(args.hw)
    table = load_table(args.energy)
    options = {"fetch_rule": args.fetch_rule, "topk_model": args.topk, "seed": args.seed,
               "dense_bits": args.dense_bits}
    shape = {"layers": args.layers, "heads": args.heads, "head_dim": args.head_dim}
    result, run = run_trace(args.trace, hw, options, table, shape)
    if args.baseline:
        _, base = run_trace(args.baseline, hw, options, table, shape)
        result["baseline"] = compare(result, run, args.baseline, base)
    if args.plot:
        from sim.spatten.plot import plot
        plot(result, args.plot)
    print(json.dumps(result, indent=1) if args.json else render(result), end="\n" if args.json
          else "")
    return 0
