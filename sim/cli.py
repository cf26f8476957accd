"""``lego sim``: three simulators, one sub-command each.

- ``lego sim design SPEC``: a generated design's cycles, SRAM accesses and energy, from the same
  lowered design and schedule as its RTL (:mod:`sim.design`); with ``--layer/--layers``, a
  network on that design, per-layer dataflow choice (:mod:`sim.spec_layers`);
- ``lego sim layer --layer ... | --layers CSV``: layers larger than the array, tiled to its
  buffers, with DRAM bandwidth, stalls and energy (:mod:`sim.workload_cli`);
- ``lego sim scalesim --config CFG --topology CSV``: SCALE-Sim compatible numbers per layer
  (:mod:`sim.scalesim`).

The forms from before the sub-commands (``lego sim SPEC``, ``lego sim --layer ...``, ``lego sim
--scalesim-config ...``) still work: a command line that does not start with a mode goes to the
old combined parser, whose mode checks are kept for it alone, and a successful run adds one note
on stderr naming the new form (a failing one stays one ``lego: error:`` line).
"""

from __future__ import annotations

import argparse
import sys

from lego.argparser import OneLineParser
from lego.errors import LegoError
from lego.tables import format_table
from sim import spec_layers_cli, workload_cli

__all__ = ["register"]

MODES = ("design", "layer", "scalesim")
_ENERGY_NOTE = ("estimates: exact access counts x per-access energies (Horowitz ISSCC 2014, "
                "45 nm; sim/workload/energy_defaults.yaml, override with --energy)")
# Below this many layers a run is instant and a progress bar would only flicker.
_PROGRESS_MIN_LAYERS = 20
_BAR_WIDTH = 30


class _SimParser(OneLineParser):
    """The ``sim`` parser: a command line that starts with neither a mode nor -h is an old
    form, parsed by the old combined parser."""

    def parse_known_args(self, args=None, namespace=None):
        if args and args[0] not in (*MODES, "-h", "--help"):
            return _old_parser(self.prog).parse_known_args(args, namespace)
        return super().parse_known_args(args, namespace)


def register(sub) -> None:
    parser = sub.add_parser(
        "sim", help="simulate a generated design (design), layers on an accelerator with "
        "buffers and DRAM (layer) or SCALE-Sim config + topology files (scalesim)",
        description="Three simulators; lego sim MODE --help shows each one's options.")
    # argparse takes no parser class per sub-command; this one only adds the old-form routing
    parser.__class__ = _SimParser
    modes = parser.add_subparsers(dest="mode", required=True, metavar="MODE",
                                  parser_class=OneLineParser)
    _add_design(modes)
    _add_layer(modes)
    _add_scalesim(modes)


def _add_design(modes) -> None:
    design = modes.add_parser(
        "design", help="a generated design's cycles, FU utilisation, SRAM reads and writes per "
        "tensor and bank, and energy, from the same lowered design and schedule as its RTL")
    design.add_argument("spec", metavar="SPEC", help="spec file (YAML)")
    design.add_argument("--dataflow", metavar="NAME",
                        help="the spec's dataflow to simulate (default all)")
    design.add_argument("--period", type=float, metavar="NS",
                        help="clock period the design is pipelined for")
    design.add_argument("--energy", metavar="YAML",
                        help="per-access energy table overriding the documented defaults")
    spec_layers_cli.add_arguments(design)
    _add_json(design)
    design.set_defaults(run=_run_design)


def _add_layer(modes) -> None:
    layer = modes.add_parser(
        "layer", help="layers larger than the array: tiling to the buffers, DRAM traffic, "
        "stalls, double buffering, energy (estimates)")
    workload_cli.add_arguments(layer)
    _add_json(layer)
    layer.set_defaults(run=_run_layer)


def _add_scalesim(modes) -> None:
    scalesim = modes.add_parser(
        "scalesim", help="SCALE-Sim v2/3 compatible compute cycles, utilisation and SRAM "
        "traffic per layer")
    scalesim.add_argument("--config", "--scalesim-config", metavar="CFG", required=True,
                          help="SCALE-Sim architecture config (.cfg)")
    scalesim.add_argument("--topology", "--scalesim-topology", metavar="CSV", required=True,
                          help="SCALE-Sim topology (.csv)")
    workload_cli.add_input_type(scalesim, "form of the topology, as SCALE-Sim's -i option")
    _add_json(scalesim)
    scalesim.set_defaults(run=_run_scalesim)


def _add_json(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _old_parser(prog: str) -> argparse.ArgumentParser:
    """The combined parser of the forms from before the sub-commands."""
    parser = OneLineParser(
        prog=prog, description="The old forms of lego sim (see lego sim --help for the new).")
    parser.add_argument("spec", nargs="?", help="spec file (YAML): simulate its generated design")
    parser.add_argument("--period", type=float, metavar="NS",
                        help="with SPEC: clock period the design is pipelined for")
    parser.add_argument("--scalesim-config", dest="config", metavar="CFG",
                        help="SCALE-Sim architecture config (.cfg)")
    parser.add_argument("--scalesim-topology", dest="topology", metavar="CSV",
                        help="SCALE-Sim topology (.csv)")
    _add_json(parser)
    workload_cli.add_arguments(parser)
    parser.set_defaults(run=_run_old_form)
    return parser


def _progress_bar(stream):
    """A callback drawing a bar on ``stream``, or None when it is not a terminal."""
    if not stream.isatty():
        return None

    def draw(done: int, total: int) -> None:
        if total < _PROGRESS_MIN_LAYERS:
            return
        filled = _BAR_WIDTH * done // total
        stream.write(f"\r[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {done}/{total} layers")
        if done == total:
            stream.write("\n")
        stream.flush()

    return draw


def _run_design(args) -> int:
    if getattr(args, "layer", None) or getattr(args, "layers", None):
        sys.stdout.write(spec_layers_cli.run(args, progress=_progress_bar(sys.stderr)))
        return 0
    # the old combined parser (``lego sim SPEC``) has no layer options; it refuses them itself
    extra = spec_layers_cli.given(args) if hasattr(args, "objective") else []
    if extra:
        raise LegoError(f"{', '.join(extra)}: only with --layer/--layers")
    from lego.outputs import stable_json
    from sim.design import simulate_spec
    from sim.design_energy import design_energy
    from sim.workload.energy import load_table

    table = load_table(args.energy)  # a bad table is refused before the design is built
    runs = simulate_spec(args.spec, args.period)
    if args.dataflow is not None:
        names = [r.dataflow for r in runs]
        if args.dataflow not in names:
            raise LegoError(f"{args.spec}: --dataflow {args.dataflow!r} is not a dataflow of "
                            f"the spec ({', '.join(names)})")
        runs = tuple(r for r in runs if r.dataflow == args.dataflow)
    energy = {r.dataflow: design_energy(r, table) for r in runs}
    if args.json:
        sys.stdout.write(stable_json([dict(r.to_dict(), energy_pj=energy[r.dataflow],
                                           energy_note=_ENERGY_NOTE) for r in runs]))
        return 0
    print(format_table([("dataflow", "steps", "drain", "cycles", "fus", "utilization",
                         "energy nJ")]
                       + [(r.dataflow, r.steps, r.drain, r.cycles, r.fus, f"{r.utilization:.3f}",
                           f"{energy[r.dataflow]['total'] / 1e3:.3f}") for r in runs]))
    print()
    print(format_table([("dataflow", "tensor", "banks", "sram reads", "sram writes",
                         "reads per bank", "writes per bank")]
                       + [(r.dataflow, a.tensor, len(a.reads), sum(a.reads), sum(a.writes),
                           _per_bank(a.reads), _per_bank(a.writes))
                          for r in runs for a in r.sram]))
    print(f"\nenergy: {_ENERGY_NOTE}")
    return 0


def _per_bank(counts: tuple[int, ...]) -> str:
    """Per-bank counts, or one value with the bank count when every bank sees the same."""
    if len(set(counts)) == 1:
        return f"{counts[0]} x {len(counts)}"
    return " ".join(map(str, counts))


def _run_layer(args) -> int:
    sys.stdout.write(workload_cli.run(args, progress=_progress_bar(sys.stderr)))
    return 0


def _run_scalesim(args) -> int:
    from sim.scalesim import read_config, read_topology, simulate
    from sim.scalesim.report import table, to_json

    config = read_config(args.config)
    layers = read_topology(args.topology, gemm=args.input_type == "gemm")
    reports = simulate(layers, config, progress=_progress_bar(sys.stderr))
    sys.stdout.write(to_json(config, reports) if args.json else table(config, reports))
    return 0


def _old_form(args):
    """The run function and the (old, new) form of an old command line, after the checks the
    combined parser needs: the options of one mode are refused, not ignored, in another."""
    scalesim = args.config is not None or args.topology is not None
    extra = workload_cli.given_workload_options(args)
    if args.spec is not None:
        if scalesim or workload_cli.wants_workload(args) or extra:
            raise LegoError("lego sim SPEC simulates a generated design; it takes no "
                            "--scalesim-*/--layer/--layers options"
                            + (f" (got {', '.join(extra)})" if extra else ""))
        return _run_design, ("lego sim SPEC", "lego sim design SPEC")
    if args.period is not None:
        raise LegoError("--period needs a SPEC")
    if workload_cli.wants_workload(args):
        if scalesim:
            raise LegoError("use either --layer/--layers (workload mode) or --scalesim-config "
                            "with --scalesim-topology, not both")
        return _run_layer, ("lego sim --layer/--layers", "lego sim layer --layer/--layers")
    if args.config is None or args.topology is None:
        raise LegoError("lego sim needs a SPEC, --layer/--layers, or both --scalesim-config "
                        "and --scalesim-topology")
    ignored = extra + [flag for flag, value in (("--dataflow", args.dataflow),
                                                ("--energy", args.energy)) if value is not None]
    if ignored:
        raise LegoError(f"{', '.join(ignored)}: not an option of SCALE-Sim mode (the array "
                        "and dataflow come from --scalesim-config)")
    return _run_scalesim, ("lego sim --scalesim-config CFG --scalesim-topology CSV",
                           "lego sim scalesim --config CFG --topology CSV")


def _run_old_form(args) -> int:
    run, (old, new) = _old_form(args)
    code = run(args)
    print(f'lego: note: "{old}" is now "{new}"', file=sys.stderr)
    return code
