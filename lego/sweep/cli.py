"""``lego sweep``: design-space exploration from a sweep file.

- ``lego sweep SWEEP.yaml [-o DIR] [--jobs N] [--executor ...] [--upto STAGE] [--dry-run]
  [--retry-failed] [--fresh]``: run (or resume) the sweep into DIR;
- ``lego sweep status DIR``: points per stage and status;
- ``lego sweep export DIR [--format csv|parquet] [-o FILE] [--timings]``: the results table;
- ``lego sweep plot DIR [-o FOLDER]``: each pair of objectives with its Pareto front (PNG)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["register"]

MODES = ("run", "status", "export", "plot")


class _SweepParser(argparse.ArgumentParser):
    """``lego sweep SWEEP.yaml ...`` is ``lego sweep run SWEEP.yaml ...``."""

    def parse_known_args(self, args=None, namespace=None):
        if args and args[0] not in (*MODES, "-h", "--help"):
            args = ["run", *args]
        return super().parse_known_args(args, namespace)


def register(sub) -> None:
    parser = sub.add_parser(
        "sweep", help="design-space exploration: run a sweep file (resumable, parallel), "
        "then status, export and plot its folder",
        description="lego sweep SWEEP.yaml runs a sweep; lego sweep status|export|plot DIR "
                    "reads its results.")
    parser.__class__ = _SweepParser  # argparse takes no parser class per sub-command
    modes = parser.add_subparsers(dest="mode", required=True, metavar="MODE",
                                  parser_class=argparse.ArgumentParser)
    run = modes.add_parser("run", help="run or resume a sweep (the default mode)")
    run.add_argument("sweep", metavar="SWEEP.yaml", help="sweep file")
    run.add_argument("-o", "--out", metavar="DIR",
                     help="sweep folder (default rtl_out/sweeps/<sweep name>/)")
    run.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                     help="worker processes (default 1: in the driver)")
    run.add_argument("--executor", default="local", metavar="local|dask-local|dask://HOST:PORT",
                     help="where batches run (default local; Dask needs lego[cluster])")
    run.add_argument("--upto", metavar="STAGE", help="stop after this stage")
    run.add_argument("--dry-run", action="store_true",
                     help="print the points per stage and an estimated time; run nothing")
    run.add_argument("--retry-failed", action="store_true",
                     help="evaluate failed and timed-out points again")
    run.add_argument("--fresh", action="store_true",
                     help="forget every stored result of DIR first")
    run.set_defaults(run=_run)
    status = modes.add_parser("status", help="points per stage and status")
    status.add_argument("dir", metavar="DIR")
    status.set_defaults(run=_status)
    export = modes.add_parser("export", help="the results table, sorted by key")
    export.add_argument("dir", metavar="DIR")
    export.add_argument("--format", choices=("csv", "parquet"), default="csv")
    export.add_argument("-o", "--out", metavar="FILE",
                        help="output file (default: CSV on stdout, DIR/results.parquet)")
    export.add_argument("--timings", action="store_true",
                        help="add the seconds of each stage (these differ run to run)")
    export.set_defaults(run=_export)
    plot = modes.add_parser("plot", help="each pair of objectives, Pareto front highlighted")
    plot.add_argument("dir", metavar="DIR")
    plot.add_argument("-o", "--out", metavar="FOLDER", help="where PNGs go (default DIR/plots)")
    plot.set_defaults(run=_plot)


def _run(args) -> int:
    from lego.sweep.driver import RunOptions, run_sweep
    from lego.sweep.sweepfile import load_sweep

    sweep = load_sweep(args.sweep)
    out = Path(args.out) if args.out else Path("rtl_out") / "sweeps" / sweep.name
    options = RunOptions(executor=args.executor, jobs=args.jobs, upto=args.upto,
                         retry_failed=args.retry_failed, fresh=args.fresh)
    if args.dry_run:
        from lego.sweep.dryrun import dry_run

        print("\n".join(dry_run(sweep, out, options)))
        return 0
    summaries = run_sweep(sweep, out, options)
    for summary in summaries:
        print(summary.line())
    print(f"results: {out}/ (lego sweep status|export|plot {out})")
    return 0


def _status(args) -> int:
    from lego.sweep.export import status_lines

    print("\n".join(status_lines(args.dir)))
    return 0


def _export(args) -> int:
    from lego.sweep.export import read_table, to_csv, write_atomic, write_parquet

    table = read_table(args.dir, timings=args.timings)
    if args.format == "parquet":
        path = Path(args.out) if args.out else Path(args.dir) / "results.parquet"
        write_parquet(table, path)
        print(f"wrote {path}")
    elif args.out:
        write_atomic(Path(args.out), to_csv(table).encode())
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(to_csv(table))
    return 0


def _plot(args) -> int:
    from lego.sweep.export import read_table
    from lego.sweep.plot import plot_table

    out = Path(args.out) if args.out else Path(args.dir) / "plots"
    for path in plot_table(read_table(args.dir), out, Path(args.dir).name):
        print(f"wrote {path}")
    return 0
