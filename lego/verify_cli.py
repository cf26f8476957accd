"""``lego verify SPEC``: its arguments and its table (the work is in :mod:`lego.verify`, imported
only when the command runs)."""

from __future__ import annotations

from pathlib import Path

from lego.errors import LegoError
from lego.tables import format_table

__all__ = ["register", "table"]


def register(sub) -> None:
    cmd = sub.add_parser("verify", help="generate, simulate on Verilator and check a spec")
    cmd.add_argument("spec", help="spec file (YAML)")
    cmd.add_argument("--seeds", type=int, default=3, help="random input sets (default 3)")
    cmd.add_argument("--period", type=float, metavar="NS", help="clock period for pipelining")
    cmd.add_argument("--waves", action="store_true", help="write FST waveforms to "
                     "<out>/dump.fst (needs the LZ4 C headers: Debian liblz4-dev)")
    cmd.add_argument("-o", "--out", metavar="DIR", help="output folder (default "
                     "rtl_out/<spec name>/)")
    cmd.add_argument("--force", action="store_true",
                     help="replace the output folder even if lego did not write it")
    cmd.set_defaults(run=_run)


def table(summary: dict) -> str:
    rows = [("dataflow", "steps", "rtl_cycles", "sim_cycles", "sram reads", "sram writes",
             "result")]
    for name, flow in summary["dataflows"].items():
        sram = flow["rtl_sram"] if isinstance(flow["rtl_sram"], dict) else {}
        rows.append((name, flow["steps"], flow["rtl_cycles"], flow["sim_cycles"],
                     sum(t["reads"] for t in sram.values()),
                     sum(t["writes"] for t in sram.values()),
                     "pass" if flow["passed"] and flow["models_agree"] else "FAIL"))
    return format_table(rows)


def _run(args) -> int:
    if args.seeds < 1:
        raise LegoError(f"--seeds must be at least 1, not {args.seeds}")
    from lego.verify import verify

    summary = verify(args.spec, args.seeds, args.period, args.waves, args.out,
                     force=args.force)
    print(table(summary))
    if args.waves:
        from lego.verify import WAVES_FILE

        print(f"waves: {Path(args.out or Path('rtl_out') / summary['name']) / WAVES_FILE}")
    if not summary["passed"]:
        bad = summary["first_mismatch"]
        split = [n for n, f in summary["dataflows"].items() if not f["models_agree"]]
        if bad is None and split:
            flow = summary["dataflows"][split[0]]
            why = ("the output writes differ: " + flow["write_trace"]
                   if flow["write_trace"] != "equal" else
                   f"done rose {flow['done_after_last_write']} cycles after the last write, "
                   "not 1" if flow["done_after_last_write"] != 1 else
                   "cycles or SRAM accesses differ")
            print(f"lego verify: FAILED: RTL and sim/ disagree on dataflow {split[0]}: {why} "
                  "(see verify.json)")
        elif bad is None:
            print("lego verify: FAILED: not every run finished")
        else:
            print(f"lego verify: FAILED: seed {bad['seed']} dataflow {bad['dataflow']}: "
                  f"{bad['tensor']}{bad['coord']} = {bad['got']}, expected {bad['expected']}")
        return 1
    print(f"lego verify: passed ({summary['seeds']} seeds x {len(summary['dataflows'])} "
          "dataflows; values = golden model, cycles, SRAM accesses and every output write = "
          "sim/)")
    return 0
