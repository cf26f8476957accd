"""``lego sim --layer/--layers``: workload mode (tiling, buffers, DRAM bandwidth, energy).

``sim/cli.py`` owns the ``sim`` sub-command; this module adds the workload options to it and
runs them. All option values are parsed here (not by argparse types) so that a bad value is one
``lego: error:`` line naming the option and the value, with exit status 2.
"""

from __future__ import annotations

import argparse

from lego.errors import LegoError

__all__ = ["add_arguments", "wants_workload", "run"]


def add_arguments(parser) -> None:
    group = parser.add_argument_group(
        "workload mode", "a layer larger than the array and its buffers, tiled, with DRAM "
        "bandwidth, stalls and energy")
    group.add_argument("--layer", action="append", metavar="SPEC",
                       help="gemm:M=..,N=..,K=.. or conv:H=..,W=..,C=..,K=..,Fh=..,Fw=..[,S=..] "
                            "(repeatable)")
    group.add_argument("--layers", metavar="CSV",
                       help="many layers: a SCALE-Sim topology file (form: "
                            "--scalesim-input-type)")
    group.add_argument("--array", metavar="RxC",
                       help="PE array rows x columns (default 16x16)")
    group.add_argument("--dataflow", help="os, ws or is (default os); with SPEC: the spec's "
                       "dataflow to simulate (default all)")
    group.add_argument("--sram", metavar="A=B,B=B,C=B",
                       help="buffer bytes per operand: A ifmap, B filter, C ofmap "
                            "(default 65536 each)")
    group.add_argument("--dram-bw", metavar="BYTES",
                       help="DRAM bytes per cycle, or inf (default 16)")
    group.add_argument("--double-buffer", action=argparse.BooleanOptionalAction,
                       help="overlap the next tile's transfer with compute (default on; a tile "
                            "then gets half of its buffer)")
    group.add_argument("--word-bytes", metavar="N",
                       help="bytes per element, partial sums included (default 1)")
    group.add_argument("--energy", metavar="YAML",
                       help="per-access energy table overriding the documented defaults")


# Options of workload mode alone (their defaults are applied in _accelerator, so that another
# mode can tell they were given and refuse them instead of ignoring them).
_WORKLOAD_ONLY = {"array": "--array", "sram": "--sram", "dram_bw": "--dram-bw",
                  "double_buffer": "--double-buffer", "word_bytes": "--word-bytes"}


def wants_workload(args) -> bool:
    return bool(args.layer or args.layers)


def given_workload_options(args) -> list[str]:
    """The workload-only options given on the command line."""
    return [flag for name, flag in _WORKLOAD_ONLY.items() if getattr(args, name) is not None]


def _accelerator(args):
    from sim.workload.arch import Accelerator, parse_array, parse_bandwidth, parse_sram

    rows, cols = parse_array(args.array or "16x16")
    word_bytes = args.word_bytes or "1"
    word = word_bytes.strip()
    if not word.isdigit() or int(word) <= 0:
        raise LegoError(f"--word-bytes must be a positive integer, got {word_bytes!r}")
    kwargs = {"sram_bytes": parse_sram(args.sram)} if args.sram is not None else {}
    return Accelerator(rows, cols, (args.dataflow or "os").strip().lower(),
                       dram_bw=parse_bandwidth(args.dram_bw or "16"),
                       double_buffer=args.double_buffer is not False, word_bytes=int(word),
                       **kwargs)


def _layers(args) -> list:
    from sim.scalesim import read_topology
    from sim.workload.layer import parse_layer

    layers = [parse_layer(text) for text in args.layer or ()]
    if args.layers:
        layers += read_topology(args.layers, gemm=args.scalesim_input_type == "gemm")
    return layers


def run(args, progress=None) -> str:
    """The report text (a table, or JSON with ``--json``)."""
    from sim.workload.energy import load_table
    from sim.workload.report import table, to_json
    from sim.workload.simulate import simulate

    acc = _accelerator(args)
    energy_table = load_table(args.energy)
    layers = _layers(args)
    results = simulate(layers, acc, energy_table, progress=progress)
    return to_json(acc, energy_table, results) if args.json else table(acc, results)
