"""What lego's arrays cost on an ECP5, against hand-written ones, measured in one run.

Every row is synthesized with Yosys (synth_ecp5) and placed and routed with nextpnr-ecp5
(LFE5U-85F, CABGA381, seed 1) through ``lego.synth.synthesize_design``, the same code as
``lego synth``. Rows: lego's int8 OS and WS GEMMs on 4x4, 8x8 and 16x16 arrays (a 2N x 2N x 2N
GEMM on an N x N array: 8x8 runs the 16^3 GEMM of issue 16), the fused OS+WS 8x8 and the 12x12
OS array, each at the periods asked for; and the hand-written 8x8 arrays of
benchmarks/baselines/ (bare, OS with A/B/C in RAM, fused OS+WS with A/B/C in RAM), plus the
bare 4x4. A design too large for the device (the 16x16s need 256 multipliers, the ECP5-85k has
156) is synthesized without the fit verdict (``lego synth --no-fit-check``) and its row marked
"does not fit ecp5-85k: synthesis only", so that its area is measured: the table ends with the
16x16 / 8x8 area ratios (issue 16's bar: LUT4 + FF at most 4.5x, four times the FUs).

    python benchmarks/fpga_quality.py [--periods 100,8] [--only ROW[,ROW]] [--jobs 2] [--fresh]
                                      [--no-pnr] [--router router2] [--aim]

``--aim`` places and routes every row for 1000/P MHz (nextpnr ``--freq``), as ``lego synth
--period P --pnr`` does, and the hand rows at each P too; without it nextpnr aims at its default
(12 MHz), so its placement does not weigh the design's critical paths. Aimed rows are rows of
their own ("placed for F MHz" in the note).

Results go to benchmarks/results/fpga_quality.json, rewritten whole after every row, so a run
killed at any moment keeps the rows measured before it; a row whose Verilog and options are
unchanged is not measured again unless --fresh. Prints one table. Each row's tool logs
(nextpnr's report holds the whole critical path) go to rtl_out/fpga_quality/ROW@PERIOD/.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import re
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lego.errors import LegoError  # noqa: E402
from lego.tables import format_table  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fpga_quality.json"
BASELINES = ROOT / "benchmarks" / "baselines"
LOGS = ROOT / "rtl_out" / "fpga_quality"  # per row the tools' logs (the full critical path)
TARGET = "ecp5-85k"
COLUMNS = ("row", "period_ns", "LUT4", "CCU2C", "FF", "DSP", "DP16KD", "DPR16X4", "fmax_mhz",
           "synth_s", "synth_cpu_s", "pnr_s", "note")
LINEARITY_BAR = 4.5  # 16x16 LUT4 + FF over the 8x8's (4x the FUs)
FUSION_BAR = 1.25  # a fused OS+WS 8x8's LUT4 + FF over the OS 8x8's

OS = ("os", "{{ti: 2, tj: 2, tk: {k}}}", "{{i: {n}*ti + p, j: {n}*tj + q, k: tk}}")
WS = ("ws", "{{tk: 2, tj: 2, ti: {k}}}", "{{i: ti, j: {n}*tj + q, k: {n}*tk + p}}")
# WS with its weights preloaded down the B chain before each weight tile (lego.backend.preload)
WS_PRELOAD = WS + ("{B: p}",)


def _spec(name: str, n: int, flows) -> str:
    """A 2n x 2n x 2n int8 GEMM on an n x n array, one dataflow per entry of ``flows``."""
    lines = [f"name: {name}", f"loops: {{i: {2 * n}, j: {2 * n}, k: {2 * n}}}",
             "statement: C[i, j] += A[i, k] * B[k, j]", "dtypes: {A: int8, B: int8, C: int32}",
             "dataflows:"]
    for flow, temporal, mapping, *preload in flows:
        lines += [f"  - name: {flow}", f"    spatial: {{p: {n}, q: {n}}}",
                  f"    temporal: {temporal.format(k=2 * n)}",
                  f"    map: {mapping.format(n=n)}"] + [f"    preload: {p}" for p in preload]
    return "\n".join(lines) + "\n"


def lego_rows() -> dict[str, str]:
    rows = {}
    for n in (4, 8, 16):
        rows[f"gemm_os_{n}x{n}"] = _spec(f"gemm_os_{n}x{n}", n, [OS])
        rows[f"gemm_ws_{n}x{n}"] = _spec(f"gemm_ws_{n}x{n}", n, [WS])
    rows["gemm_os_ws_8x8"] = _spec("gemm_os_ws_8x8", 8, [OS, WS])
    rows["gemm_os_ws_preload_8x8"] = _spec("gemm_os_ws_preload_8x8", 8, [OS, WS_PRELOAD])
    rows["gemm_os_12x12"] = _spec("gemm_os_12x12", 12, [OS])
    return rows


def hand_rows() -> dict[str, tuple[str, str]]:
    """Name -> (Verilog text, top). The 4x4 is the 8x8 source with its default size changed."""
    bare = (BASELINES / "os_array_8x8_bare.v").read_text()
    bram = bare + (BASELINES / "os_array_8x8_bram.v").read_text()
    small = re.sub(r"(parameter\s+(?:integer\s+)?(?:ROWS|COLS)\s*=\s*)8", r"\g<1>4", bare)
    if small == bare:
        raise SystemExit("hand 4x4: could not find the ROWS/COLS parameters to change")
    fused = (BASELINES / "os_ws_array_8x8_bram.v").read_text()
    return {"hand_os_8x8_bare": (bare, "os_array_8x8_bare"),
            "hand_os_8x8_bram": (bram, "os_array_8x8_bram"),
            "hand_os_4x4_bare": (small, "os_array_8x8_bare"),
            "hand_os_ws_8x8_bram": (fused, "os_ws_array_8x8_bram")}


def _generate(spec_text: str, period: float | None) -> tuple[str, str]:
    from lego.backend.generate import generate
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_text(spec_text)
        spec = load_spec(path)
        return generate(run_passes(spec).adg, period).verilog, spec.name


def measure(row: str, source: str, top: str | None, period: float | None, pnr: bool,
            known: str | None, router: str = "router1", aim: bool = False) -> dict | None:
    """One row: generate (lego rows) and synthesize + place and route; None when its Verilog
    and options hash to ``known`` (measured already). A period the generator refuses (too
    short for the design) is a row of its own, with the generator's message. ``aim``: place
    and route for 1000 / ``period`` MHz, as ``lego synth --period`` does (a hand row too: its
    Verilog does not depend on the period, its placement does)."""
    from lego.synth.run import synthesize_design

    freq_mhz = round(1000 / period, 3) if aim and pnr and period else None
    try:
        verilog, top = (_generate(source, period) if top is None else (source, top))
    except LegoError as error:
        return {"row": row, "period_ns": period, "pnr": pnr, "key": None,
                **({"aimed": True} if freq_mhz else {}), "error": str(error)}
    # router1 (nextpnr's default) adds nothing, so rows measured before --router keep their key
    options = (f"{pnr}" + ("" if router == "router1" else f"\n{router}")
               + ("" if freq_mhz is None else f"\n{freq_mhz} MHz"))
    key = hashlib.sha256(f"{verilog}\n{options}".encode()).hexdigest()
    if key == known:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{top}.v"
        path.write_text(verilog)
        try:
            report = synthesize_design(path, top, TARGET, pnr=pnr, seed=1, fit_check=False,
                                       router=router, label=row, freq_mhz=freq_mhz,
                                       log_dir=LOGS / _row_key(row, period, pnr, aim)
                                       ).to_dict()
        except LegoError as error:
            return {"row": row, "period_ns": period, "pnr": pnr, "key": key,
                    **({"aimed": True} if freq_mhz else {}), "error": str(error)}
    return {"row": row, "period_ns": period, "pnr": pnr, "key": key,
            **({"aimed": True} if freq_mhz else {}), **report}


def _row_key(row: str, period: float | None, pnr: bool, aim: bool = False) -> str:
    """A synthesis-only measurement is a row of its own: it never replaces a placed one; nor
    does a placement aimed at the period replace one at nextpnr's default target."""
    return f"{row}@{period}" + ("" if pnr else " synthesis") + (" aimed" if aim and pnr else "")


def _cell(result: dict, column: str):
    names = {"LUT4": "LUT4", "CCU2C": "CCU2C", "FF": "TRELLIS_FF", "DSP": "MULT18X18D",
             "DP16KD": "DP16KD", "DPR16X4": "TRELLIS_DPR16X4"}
    if column in names:
        return result.get("cells_by_type", {}).get(names[column], 0)
    if column == "synth_s":
        return result.get("seconds", {}).get("yosys", "")
    if column == "synth_cpu_s":  # rows measured before CPU seconds were recorded: blank
        return result.get("cpu_seconds", {}).get("yosys", "")
    if column == "pnr_s":
        return result.get("seconds", {}).get("nextpnr-ecp5", "")
    if column == "fmax_mhz":
        value = result.get("fmax_mhz")
        return "" if value is None else round(value, 1)
    if column == "period_ns":
        if result["row"].startswith("hand"):
            return "hand" if result[column] is None else f"hand @{result[column]:g}"
        return result[column]
    if column == "note":
        if "does_not_fit" in result:
            return f"does not fit {TARGET}: synthesis only"
        notes = [] if result.get("router", "router1") == "router1" else [result["router"]]
        notes += [f"placed for {result['target_mhz']:g} MHz"] if result.get("aimed") else []
        return ", ".join(notes)
    return result.get(column, "")


def table(results: list[dict]) -> str:
    rows = [COLUMNS]
    for r in results:
        if "error" in r:
            # the message in the last column, so that it does not widen the figures' columns
            rows.append((r["row"], _cell(r, "period_ns"), *[""] * (len(COLUMNS) - 3),
                         r["error"]))
        else:
            rows.append(tuple(_cell(r, c) for c in COLUMNS))
    return format_table(rows, "l" + "r" * (len(COLUMNS) - 2) + "l")


def linearity(results: dict[str, dict]) -> list[str]:
    """16x16 LUT4 + FF over the 8x8's, for each dataflow, period and kind of run (synthesis
    only or placed) that measured both."""
    return _ratios(results, r"gemm_(os|ws)_8x8", lambda key: key.replace("_8x8@", "_16x16@"),
                   lambda key: f"{key.replace('_8x8', '')}: 16x16 / 8x8", LINEARITY_BAR,
                   larger_over=True)


def fusion(results: dict[str, dict]) -> list[str]:
    """Each fused 8x8's LUT4 + FF over the OS 8x8's at the same period and kind of run."""
    return _ratios(results, r"gemm_os_ws(_preload)?_8x8",
                   lambda key: re.sub(r"gemm_os_ws(_preload)?_8x8@", "gemm_os_8x8@", key),
                   lambda key: f"{key}: fused / OS 8x8", FUSION_BAR, larger_over=False)


def _ratios(results: dict[str, dict], rows: str, partner, label, bar: float,
            larger_over: bool) -> list[str]:
    """Per measured row matching ``rows`` and its measured ``partner`` key: LUT4 + FF of
    the partner over the row's (``larger_over``) or of the row over the partner's."""
    lines = []
    for key in sorted(results):
        mine = results[key]
        if not re.fullmatch(rows, mine["row"]) or "error" in mine:
            continue
        other = results.get(partner(key), {"error": "not measured"})
        if "error" in other:
            continue
        low, high = (mine, other) if larger_over else (other, mine)
        area = [_cell(r, "LUT4") + _cell(r, "FF") for r in (low, high)]
        ratio = area[1] / area[0]
        lines.append(f"{label(key)} LUT4 + FF = {area[1]:,} / {area[0]:,} = {ratio:.2f}x "
                     f"({'meets' if ratio <= bar else 'misses'} the {bar}x bar)")
    return lines


def _save(key: str, result: dict) -> dict[str, dict]:
    """Record one row: the file is re-read under a lock and written to a temporary file and
    renamed, so runs measuring other rows at the same time keep theirs and a kill never leaves
    half a file. Returns every row."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = _load()
        results[key] = result
        temporary = RESULTS.with_suffix(".json.tmp")
        temporary.write_text(json.dumps([results[k] for k in sorted(results)], indent=2) + "\n")
        os.replace(temporary, RESULTS)
    return results


def _load() -> dict[str, dict]:
    if not RESULTS.exists():
        return {}
    rows = json.loads(RESULTS.read_text())
    # rows from before the "pnr" field: placed ones name their placement (or failed the fit)
    return {_row_key(r["row"], r["period_ns"], r.get("pnr", "placement" in r or "error" in r),
                     r.get("aimed", False)): r
            for r in rows}


def _known(old: dict[str, dict], row: str, period: float | None, pnr: bool,
           aim: bool = False) -> str | None:
    """The key of the row measured before; None (measure again) when it failed."""
    result = old.get(_row_key(row, period, pnr, aim), {})
    return None if "error" in result else result.get("key")


def _jobs(args) -> list[tuple]:
    periods = [float(p) for p in args.periods.split(",")]
    jobs = [(name, text, None, p) for name, text in lego_rows().items() for p in periods]
    hand_periods = periods if args.aim else [None]
    jobs += [(name, text, top, p) for name, (text, top) in hand_rows().items()
             for p in hand_periods]
    if args.only:
        wanted = set(args.only.split(","))
        jobs = [j for j in jobs if j[0] in wanted]
    return jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--periods", default="100", help="lego periods in ns, comma separated")
    parser.add_argument("--only", help="rows to run, comma separated (default all)")
    parser.add_argument("--jobs", type=int, default=1, help="rows measured at once")
    parser.add_argument("--fresh", action="store_true", help="measure rows already measured")
    parser.add_argument("--no-pnr", action="store_true", help="synthesis only")
    parser.add_argument("--router", default="router1", choices=("router1", "router2"),
                        help="nextpnr's router (router2 for arrays that fill the DSP columns: "
                             "the 12x12 routes in minutes where router1 ran for hours)")
    parser.add_argument("--aim", action="store_true",
                        help="place and route each row for 1000/P MHz, as `lego synth --period "
                             "P` does (the hand rows at every P too); default: nextpnr's own "
                             "target")
    args = parser.parse_args()
    old = _load()
    results = dict(old)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        pnr = not args.no_pnr
        futures = {pool.submit(measure, name, text, top, p, pnr,
                               None if args.fresh else _known(old, name, p, pnr, args.aim),
                               args.router, args.aim):
                   _row_key(name, p, pnr, args.aim) for name, text, top, p in _jobs(args)}
        for future in as_completed(futures):
            result = future.result()
            if result is not None:
                results = _save(futures[future], result)
            print(f"{'measured' if result else 'unchanged'} {futures[future]}",
                  file=sys.stderr, flush=True)
    print(table([results[k] for k in sorted(results)]))
    print("\n" + "\n".join(linearity(results) + fusion(results)))
    print(f"\n{TARGET} (nextpnr seed 1); wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
