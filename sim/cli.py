"""``lego sim``: the cycle-level simulator's command line.

Three modes: a generated design (``lego sim SPEC``: cycles from the same lowered design and
schedule as its RTL, see :mod:`sim.design`), SCALE-Sim compatibility (``--scalesim-config`` with
``--scalesim-topology``) and workloads (``--layer``/``--layers``, see :mod:`sim.workload_cli`)."""

from __future__ import annotations

import sys

from lego.errors import LegoError
from lego.tables import format_table
from sim import workload_cli

__all__ = ["register"]

_ENERGY_NOTE = ("estimates: exact access counts x per-access energies (Horowitz ISSCC 2014, "
                "45 nm; sim/workload/energy_defaults.yaml, override with --energy)")
# Below this many layers a run is instant and a progress bar would only flicker.
_PROGRESS_MIN_LAYERS = 20
_BAR_WIDTH = 30


def register(sub) -> None:
    parser = sub.add_parser(
        "sim", help="simulate a generated design (SPEC), SCALE-Sim config + topology files "
        "(SCALE-Sim compatible numbers) or layers on an accelerator with buffers and DRAM "
        "(--layer/--layers)")
    parser.add_argument("spec", nargs="?", help="spec file (YAML): simulate its generated design")
    parser.add_argument("--period", type=float, metavar="NS",
                        help="with SPEC: clock period the design is pipelined for")
    parser.add_argument("--scalesim-config", metavar="CFG",
                        help="SCALE-Sim architecture config (.cfg)")
    parser.add_argument("--scalesim-topology", metavar="CSV",
                        help="SCALE-Sim topology (.csv)")
    parser.add_argument("--scalesim-input-type", choices=("conv", "gemm"), default="conv",
                        help="topology form, as SCALE-Sim's -i option (default conv); also the "
                             "form of --layers")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    workload_cli.add_arguments(parser)
    parser.set_defaults(run=_run)


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


def _run(args) -> int:
    scalesim = args.scalesim_config is not None or args.scalesim_topology is not None
    extra = workload_cli.given_workload_options(args)
    if args.spec is not None:
        if scalesim or workload_cli.wants_workload(args) or extra:
            raise LegoError("lego sim SPEC simulates a generated design; it takes no "
                            "--scalesim-*/--layer/--layers options"
                            + (f" (got {', '.join(extra)})" if extra else ""))
        return _run_design(args)
    if args.period is not None:
        raise LegoError("--period needs a SPEC")
    if workload_cli.wants_workload(args):
        if scalesim:
            raise LegoError("use either --layer/--layers (workload mode) or --scalesim-config "
                            "with --scalesim-topology, not both")
        sys.stdout.write(workload_cli.run(args, progress=_progress_bar(sys.stderr)))
        return 0
    if args.scalesim_config is None or args.scalesim_topology is None:
        raise LegoError("lego sim needs a SPEC, --layer/--layers, or both --scalesim-config "
                        "and --scalesim-topology")
    ignored = extra + [flag for flag, value in (("--dataflow", args.dataflow),
                                                ("--energy", args.energy)) if value is not None]
    if ignored:
        raise LegoError(f"{', '.join(ignored)}: not an option of SCALE-Sim mode (the array "
                        "and dataflow come from --scalesim-config)")
    from sim.scalesim import read_config, read_topology, simulate
    from sim.scalesim.report import table, to_json

    config = read_config(args.scalesim_config)
    layers = read_topology(args.scalesim_topology, gemm=args.scalesim_input_type == "gemm")
    reports = simulate(layers, config, progress=_progress_bar(sys.stderr))
    sys.stdout.write(to_json(config, reports) if args.json else table(config, reports))
    return 0
