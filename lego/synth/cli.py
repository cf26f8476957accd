"""``lego synth SOURCE``: synthesize (and with --pnr place and route) a design for ECP5 or a
generic target, write ``synth.json`` into its folder and print a short table."""

from __future__ import annotations

import math

from lego.errors import LegoError
from lego.output_folder import write_atomic
from lego.outputs import stable_json
from lego.tables import format_table

__all__ = ["register", "summary"]


def register(sub) -> None:
    synth = sub.add_parser(
        "synth", help="synthesize a design (Yosys) and place and route it (nextpnr-ecp5)",
        description="SOURCE is a spec (generated into -o DIR, or reused when that folder's "
                    "manifest is up to date), a design folder (lego gen, lego spatten) or a "
                    "Verilog file. Writes synth.json and the tool logs (synth/) into the "
                    "design folder.")
    synth.add_argument("source", metavar="SOURCE", help="spec (YAML), design folder or .v file")
    synth.add_argument("--top", metavar="NAME",
                       help="top module of a .v file (default: the one marked top, or the "
                            "only one)")
    synth.add_argument("--period", type=float, metavar="NS",
                       help="clock period: a spec is generated for it, and place and route "
                            "aims at 1000/NS MHz (default: the relaxed period; nextpnr's "
                            "default target)")
    synth.add_argument("--target", default="ecp5-85k", metavar="DEVICE",
                       help="ecp5-25k, ecp5-45k, ecp5-85k (default) or generic (Yosys "
                            "'synth': cell count and logic depth)")
    synth.add_argument("--pnr", action="store_true",
                       help="also place and route (nextpnr-ecp5): Fmax and critical path")
    synth.add_argument("--no-fit-check", dest="fit_check", action="store_false",
                       help="a design too large for the target is measured, not an error: "
                            "synth.json records what it needs (does_not_fit) and it is not "
                            "placed and routed (synthesis only, for its area)")
    synth.add_argument("--seed", type=int, default=1, help="nextpnr seed (default 1)")
    synth.add_argument("--router", default="router1", choices=("router1", "router2"),
                       help="nextpnr's router (default router1, nextpnr's own default; "
                            "router2 routes congested designs, such as an array that fills "
                            "the DSP columns, in a fraction of the time)")
    synth.add_argument("-o", "--out", metavar="DIR",
                       help="design folder (default: rtl_out/<spec name>/, or the source's "
                            "own folder)")
    synth.add_argument("--force", action="store_true",
                       help="replace the -o folder even if lego did not write it")
    synth.add_argument("--json", action="store_true", help="print synth.json instead of a table")
    synth.set_defaults(run=_synth)


def _synth(args) -> int:
    from lego.synth.run import check_options, synthesize_design
    from lego.synth.source import resolve

    if args.period is not None and not (math.isfinite(args.period) and args.period > 0):
        raise LegoError(f"--period must be a positive number of ns, not {args.period}")
    freq_mhz = round(1000 / args.period, 3) if args.period else None
    # bad options fail before any generation
    check_options(args.target, pnr=args.pnr, seed=args.seed, freq_mhz=freq_mhz,
                  router=args.router)
    source = resolve(args.source, top=args.top, period_ns=args.period, out=args.out,
                     force=args.force)
    report = synthesize_design(source.verilog, source.top, args.target, pnr=args.pnr,
                               seed=args.seed, freq_mhz=freq_mhz, fit_check=args.fit_check,
                               router=args.router,
                               log_dir=source.folder / "synth", label=source.label)
    result = {"source": source.label, "verilog": source.verilog.name, **report.to_dict()}
    source.folder.mkdir(parents=True, exist_ok=True)
    write_atomic(source.folder / "synth.json", stable_json(result))
    if args.json:
        print(stable_json(result), end="")
    else:
        print(summary(result))
        print(f"wrote {source.folder / 'synth.json'} (logs in {source.folder / 'synth'}/)")
    return 0


def summary(result: dict) -> str:
    """The short table ``lego synth`` prints, from synth.json's contents."""
    head = (f"{result['design']} on {result['target']}"
            + (f" ({result['device']}, {result['package']})" if result["package"] else ""))
    if "logic_depth" in result:
        rows = [("cells", f"{result['cells']:,}"), ("logic depth", result["logic_depth"]),
                ("  from", _end(result["logic_path_start"])),
                ("  to", _end(result["logic_path_end"]))]
    else:
        counts = [(label, f"{result[key]:,}") for key, label in (
            ("lut4", "LUT4"), ("ff", "FF"), ("dsp", "DSP (MULT18X18D)"),
            ("bram", "block RAM (DP16KD)"), ("dram", "LUT RAM (DPR16X4)"),
            ("carry", "carry (CCU2C)"))]
        width = max(len(n) for _, n in counts)
        rows = [(label, n.rjust(width)) for label, n in counts]
    if "does_not_fit" in result:
        rows.append(("fit", f"does not fit: {result['does_not_fit']} (synthesis only)"))
    if result.get("placement") and result["fmax_mhz"] is None:
        rows.append(("Fmax", f"none: no register-to-register path ({result['placement']})"))
    elif "fmax_mhz" in result:
        start, end = result["critical_path_start"], result["critical_path_end"]
        rows += [("Fmax", f"{result['fmax_mhz']:.2f} MHz (seed {result['seed']}, "
                          f"{result.get('router', 'router1')}, {result['placement']})"),
                 ("critical path", f"{result['critical_path_ns']:.2f} ns"),
                 ("  from", _end(start)), ("  to", _end(end))]
    rows += [("seconds", _times(result)),
             ("tools", ", ".join(f"{p} {v}" for p, v in result["tools"].items()))]
    return head + "\n" + format_table(rows) + _parts(result.get("area_by_part", {}))


def _parts(parts: dict) -> str:
    """Where the LUT4 and FF go, by design part, largest first (synth.json's area_by_part)."""
    if not parts:
        return ""
    order = sorted(parts, key=lambda p: (-(parts[p].get("LUT4", 0) + parts[p].get("FF", 0)), p))
    rows = [("part", "LUT4", "FF", "carry", "LUT RAM")] + [
        (p, *(f"{parts[p].get(cell, 0):,}" for cell in ("LUT4", "FF", "CCU2C", "DPR16X4")))
        for p in order]
    return ("\narea by part (cells charged by their Yosys names):\n"
            + format_table(rows, "lrrrr"))


def _times(result: dict) -> str:
    """Wall-clock seconds per tool, with the CPU seconds where synth.json has them."""
    cpu = result.get("cpu_seconds", {})
    return ", ".join(f"{tool} {wall:.1f}" + (f" (CPU {cpu[tool]:.1f})" if tool in cpu else "")
                     for tool, wall in result["seconds"].items())


def _end(end: dict) -> str:
    raw = end["cell"] or end["net"]
    return f"{end['term'] or end['signal']} ({raw})"

