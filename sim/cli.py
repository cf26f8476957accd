"""``lego sim``: the cycle-level simulator's command line (SCALE-Sim compatibility mode)."""

from __future__ import annotations

import sys

__all__ = ["register"]

# Below this many layers a run is instant and a progress bar would only flicker.
_PROGRESS_MIN_LAYERS = 20
_BAR_WIDTH = 30


def register(sub) -> None:
    parser = sub.add_parser(
        "sim", help="simulate SCALE-Sim config + topology files (SCALE-Sim compatible numbers)")
    parser.add_argument("--scalesim-config", metavar="CFG", required=True,
                        help="SCALE-Sim architecture config (.cfg)")
    parser.add_argument("--scalesim-topology", metavar="CSV", required=True,
                        help="SCALE-Sim topology (.csv)")
    parser.add_argument("--scalesim-input-type", choices=("conv", "gemm"), default="conv",
                        help="topology form, as SCALE-Sim's -i option (default conv)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
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


def _run(args) -> int:
    from sim.scalesim import read_config, read_topology, simulate
    from sim.scalesim.report import table, to_json

    config = read_config(args.scalesim_config)
    layers = read_topology(args.scalesim_topology, gemm=args.scalesim_input_type == "gemm")
    reports = simulate(layers, config, progress=_progress_bar(sys.stderr))
    sys.stdout.write(to_json(config, reports) if args.json else table(config, reports))
    return 0
