"""``lego sim design SPEC --layer ... | --layers CSV``: the options that run a network on a
generated design (:mod:`sim.spec_layers`), added to ``sim design`` by ``sim/cli.py``. Values
are parsed here so that a bad one is one ``lego: error:`` line naming the option."""

from __future__ import annotations

import argparse

from lego.errors import LegoError
from sim.workload_cli import layers_of

__all__ = ["add_arguments", "given", "run"]

_OPTIONS = {"sram": "--sram", "dram_bw": "--dram-bw", "double_buffer": "--double-buffer",
            "objective": "--objective"}


def add_arguments(parser) -> None:
    parser.add_argument("--layer", action="append", metavar="SPEC",
                        help="run a layer on the design: gemm:M=..,N=..,K=.. or "
                             "conv:H=..,W=..,C=..,K=..,Fh=..,Fw=..[,S=..] (repeatable)")
    parser.add_argument("--layers", metavar="CSV",
                        help="run a network on the design: a SCALE-Sim topology file")
    parser.add_argument("--input-type", choices=("conv", "gemm"), default="conv",
                        help="form of the --layers file, as SCALE-Sim's -i option (default conv)")
    parser.add_argument("--sram", metavar="T=BYTES,..|inf",
                        help="with layers: on-chip bytes per tensor of the spec (default: the "
                             "design's banks x depth), or inf for one tile per layer")
    parser.add_argument("--dram-bw", metavar="BYTES",
                        help="with layers: DRAM bytes per cycle, or inf (default 16)")
    parser.add_argument("--double-buffer", action=argparse.BooleanOptionalAction,
                        help="with layers: load the next tile during this one (default on; a "
                             "tile then gets half of each memory)")
    parser.add_argument("--objective", choices=("cycles", "energy"),
                        help="with layers: pick each layer's dataflow by this (default cycles)")


def given(args) -> list[str]:
    """Layer-only options given without --layer/--layers."""
    return [flag for name, flag in _OPTIONS.items() if getattr(args, name) is not None]


def wants_layers(args) -> bool:
    return bool(args.layer or args.layers)


def _sram(text: str | None):
    from sim.spec_layers import UNBOUNDED

    if text is None:
        return None
    if text.strip().lower() in ("inf", "unbounded", "unlimited"):
        return UNBOUNDED
    sizes = {}
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise LegoError(f"--sram expects TENSOR=BYTES,... or inf, got {item.strip()!r}")
        if not value.isdigit() or int(value) <= 0:
            raise LegoError(f"--sram {key} must be a positive number of bytes, got {value!r}")
        sizes[key] = int(value)
    return sizes


def run(args, progress=None) -> str:
    """The report text (a table, or JSON with --json)."""
    from sim.spec_layers import simulate_network
    from sim.spec_layers.report import table, to_json
    from sim.workload.arch import parse_bandwidth
    from sim.workload.energy import load_table

    energy = load_table(args.energy)
    sram = _sram(args.sram)
    bandwidth = parse_bandwidth(args.dram_bw or "16")
    layers = layers_of(args)
    result = simulate_network(args.spec, layers, sram=sram, dram_bw=bandwidth,
                              double_buffer=args.double_buffer is not False,
                              dataflow=args.dataflow, objective=args.objective or "cycles",
                              period_ns=args.period, energy_table=energy, progress=progress)
    return to_json(result) if args.json else table(result)
