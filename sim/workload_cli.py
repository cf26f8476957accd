"""``lego sim layer --layer/--layers``: workload mode (tiling, buffers, DRAM bandwidth, energy).

``sim/cli.py`` owns the ``sim`` command and its modes; this module adds the workload options to
the ``layer`` mode (and to the old combined parser) and runs them. All option values are parsed
here (not by argparse types) so that a bad value is one ``lego: error:`` line naming the option
and the value, with exit status 2.
"""

from __future__ import annotations

import argparse

from lego.errors import LegoError

__all__ = ["add_arguments", "add_input_type", "given_workload_options", "run", "wants_workload"]


def add_arguments(parser) -> None:
    """The options of ``lego sim layer``, ``--json`` aside."""
    parser.add_argument("--layer", action="append", metavar="SPEC",
                        help="gemm:M=..,N=..,K=.. or conv:H=..,W=..,C=..,K=..,Fh=..,Fw=..[,S=..] "
                             "(repeatable)")
    parser.add_argument("--layers", metavar="CSV",
                        help="many layers: a SCALE-Sim topology file (form: --input-type)")
    add_input_type(parser, "form of the --layers file, as SCALE-Sim's -i option")
    parser.add_argument("--array", metavar="RxC", help="PE array rows x columns (default 16x16)")
    parser.add_argument("--dataflow", help="os, ws or is (default os)")
    parser.add_argument("--sram", metavar="A=B,B=B,C=B",
                        help="buffer bytes per operand: A ifmap, B filter, C ofmap "
                             "(default 65536 each)")
    parser.add_argument("--dram-bw", metavar="BYTES",
                        help="DRAM bytes per cycle, or inf (default 16)")
    parser.add_argument("--double-buffer", action=argparse.BooleanOptionalAction,
                        help="overlap the next tile's transfer with compute (default on; a "
                             "tile then gets half of its buffer)")
    parser.add_argument("--word-bytes", metavar="N",
                        help="bytes per element, partial sums included (default 1)")
    parser.add_argument("--energy", metavar="YAML",
                        help="per-access energy table overriding the documented defaults")


def add_input_type(parser, what: str) -> None:
    parser.add_argument("--input-type", "--scalesim-input-type", choices=("conv", "gemm"),
                        default="conv", help=f"{what} (default conv)")


# Options of workload mode alone (their defaults are applied in _accelerator, so that the old
# combined parser of sim/cli.py can tell they were given and refuse them in another mode).
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


def layers_of(args) -> list:
    """The --layer and --layers layers, in that order."""
    from sim.scalesim import read_topology
    from sim.workload.layer import parse_layer

    layers = [parse_layer(text) for text in args.layer or ()]
    if args.layers:
        layers += read_topology(args.layers, gemm=args.input_type == "gemm")
    return layers


def run(args, progress=None) -> str:
    """The report text (a table, or JSON with ``--json``)."""
    if not wants_workload(args):
        raise LegoError("lego sim layer needs --layer SPEC or --layers CSV")
    from sim.workload.energy import load_table
    from sim.workload.report import table, to_json
    from sim.workload.simulate import simulate

    acc = _accelerator(args)
    energy_table = load_table(args.energy)
    layers = layers_of(args)
    results = simulate(layers, acc, energy_table, progress=progress)
    return to_json(acc, energy_table, results) if args.json else table(acc, results)
