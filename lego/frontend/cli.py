"""``lego gen SPEC --stage adg``: run the front end, write the ADG, print a summary table."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from lego.errors import LegoError
from lego.frontend.interconnect import MEMORY
from lego.frontend.passes import PASS_NAMES, State, dump_after, run_passes
from lego.output_folder import check_replaceable
from lego.outputs import write_design
from lego.spec import load_spec
from lego.tables import format_table

__all__ = ["register", "summary_table", "design_folder_files"]

STAGES = ("adg", "rtl")
# the back end's passes, in order (lego.backend.passes.PASS_NAMES; not imported here so that
# --help and the front end do not load the back end)
BACKEND_PASS_NAMES = ("lower", "pipeline", "ports", "rtl")
ALL_PASS_NAMES = PASS_NAMES + BACKEND_PASS_NAMES


def register(sub) -> None:
    gen = sub.add_parser(
        "gen", help="generate an accelerator from a spec",
        description=f"Front-end passes, in order: {', '.join(PASS_NAMES)}; back-end passes: "
                    f"{', '.join(BACKEND_PASS_NAMES)}.")
    gen.add_argument("spec", help="spec file (YAML)")
    gen.add_argument("--stage", choices=STAGES, default="rtl",
                     help="how far to generate: adg (adg.json, adg.dot) or rtl (default: "
                          "Verilog, report, manifest, FuseSoC core)")
    gen.add_argument("--period", type=float, metavar="NS",
                     help="clock period the LP pipelines for, in ECP5 ns (the calibrated "
                          "table lego/backend/delays_ecp5.json; the tightest an int8 GEMM "
                          "array accepts is about 4.6 ns at 4x4, 6.3 at 8x8); default 100: "
                          "relaxed, only a combinational chain longer than that gets "
                          "registers")
    gen.add_argument("-o", "--out", metavar="DIR",
                     help="output folder (default rtl_out/<spec name>/)")
    gen.add_argument("--force", action="store_true",
                     help="replace the output folder even if lego did not write it (by default "
                          "only an empty folder or one lego wrote is replaced)")
    gen.add_argument("--dump-after", metavar="PASS", choices=ALL_PASS_NAMES,
                     help=f"print the IR after PASS ({', '.join(ALL_PASS_NAMES)}) and stop")
    gen.set_defaults(run=_gen)


def _gen(args) -> int:
    spec = load_spec(args.spec)
    if args.period is not None and not args.period > 0:
        raise LegoError(f"--period must be a positive number of ns, not {args.period}")
    if args.dump_after:
        print(_dump(spec, args.dump_after, args.period))
        return 0
    out = Path(args.out) if args.out else Path("rtl_out") / spec.name
    check_replaceable(out, args.force)  # before the work, not after
    state = run_passes(spec)
    files = design_folder_files(state, Path(args.spec).read_text(), args.period,
                                rtl=args.stage == "rtl")
    svg = _render(files["adg.dot"])
    if svg is not None:
        files["adg.svg"] = svg
    write_design(out, files, args.force)
    print(summary_table(state))
    print(f"wrote {out}/: {', '.join(sorted(files))}")
    return 0


def design_folder_files(state: State, spec_text: str, period: float | None,
                        rtl: bool = True) -> dict[str, str]:
    """What ``lego gen`` writes for a front-end result (less the optional picture): the ADG,
    and with ``rtl`` the Verilog, report, manifest and FuseSoC core."""
    files = {"adg.json": state.adg.to_json(), "adg.dot": state.adg.to_dot()}
    if rtl:
        from lego.backend.generate import design_files, generate
        files.update(design_files(state.adg, generate(state.adg, period), spec_text))
    return files


def _dump(spec, name: str, period: float | None) -> str:
    """The stable text of what pass ``name`` (of either end) produced."""
    if name in PASS_NAMES:
        return dump_after(run_passes(spec, stop_after=name), name)
    from lego.backend import passes as backend

    state = backend.run_backend(run_passes(spec).adg, period, stop_after=name)
    return backend.dump_after(state, name)


def _render(dot_text: str) -> str | None:
    """The SVG picture, if graphviz's ``dot`` is installed (optional)."""
    dot = shutil.which("dot")
    if dot is None:
        return None
    result = subprocess.run([dot, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                            check=False)
    return result.stdout if result.returncode == 0 else None


def summary_table(state: State) -> str:
    """Per (dataflow, tensor): reuse kinds, edges, FIFO depth, memory ports, banks."""
    header = ("dataflow", "tensor", "reuse", "direct", "delay", "fifo", "ports", "banks")
    rows = [header]
    for forest in state.fusion.forests:
        info = state.reuse.get(forest.dataflow, forest.tensor)
        mem = state.memory.get(forest.dataflow, forest.tensor)
        kinds = [info.candidates[v].kind for s, d, v in forest.edges if MEMORY not in (s, d)]
        depth = sum(info.candidates[v].delay for s, d, v in forest.edges if MEMORY not in (s, d))
        used = sorted(set(kinds)) + (["stationary"] if info.stationary else [])
        rows.append((forest.dataflow, forest.tensor, "+".join(used) or "none",
                     str(sum(k in ("direct", "reduction") for k in kinds)),
                     str(kinds.count("delay")), str(depth),
                     f"{mem.num_ports}" + (f"+{len(mem.ports) - mem.num_ports}fb"
                                           if len(mem.ports) > mem.num_ports else ""),
                     str(mem.banks)))
    lines = format_table(rows).splitlines()
    if len(state.spec.dataflows) > 1:
        lines.append(f"muxes: {len(state.fusion.muxes)} (naive union: "
                     f"{state.fusion.naive_mux_count}; independent forests: "
                     f"{state.fusion.independent_mux_count})")
    return "\n".join(lines)
