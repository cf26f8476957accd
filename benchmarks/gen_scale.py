"""`lego gen` scaling: int8 output-stationary GEMMs on 8x8 .. 64x64 arrays, time per pass.

Each (checkout, size) runs in a fresh process that loads the spec, runs the front-end passes
(reuse .. adg), the back-end passes (lower .. rtl) and builds the output files as `lego gen`
does, timing each step in CPU seconds (the process's own plus its children's: checkouts before
d232b6b ran the LP solver, CBC, as a subprocess) and in wall seconds. ``--baseline DIR``
measures another checkout (e.g. `git worktree add /tmp/base main`) in the same run,
alternating with this one, so that a shared, loaded machine slows both alike; ratios are then
baseline / this. The Verilog's SHA-256 is recorded per run and a differing one is reported: a
speed-up must not change the output.

Run: python benchmarks/gen_scale.py [--sizes 8 16 32 64] [--period NS] [--baseline DIR]
Writes benchmarks/results/gen_scale.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "gen_scale.json"
SIZES = (8, 16, 32, 64)
FRONT = ("parse", "reuse", "interconnect", "fusion", "memory", "adg")
BACK = ("lower", "pipeline", "ports", "rtl")
STEPS = FRONT + BACK + ("outputs",)


def gemm_os_spec(n: int) -> str:
    """A 2n x 2n x 2n int8 GEMM on an n x n array, as benchmarks/fpga_quality.py writes it."""
    return "\n".join([
        f"name: gemm_os_{n}x{n}", f"loops: {{i: {2 * n}, j: {2 * n}, k: {2 * n}}}",
        "statement: C[i, j] += A[i, k] * B[k, j]", "dtypes: {A: int8, B: int8, C: int32}",
        "dataflows:", "  - name: os", f"    spatial: {{p: {n}, q: {n}}}",
        f"    temporal: {{ti: 2, tj: 2, tk: {2 * n}}}",
        f"    map: {{i: {n}*ti + p, j: {n}*tj + q, k: tk}}"]) + "\n"


def _cpu() -> float:
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def _timed(seconds: dict, name: str, run, *args):
    cpu, wall = _cpu(), time.perf_counter()
    result = run(*args)
    seconds[name] = {"cpu": round(_cpu() - cpu, 3), "wall": round(time.perf_counter() - wall, 3)}
    return result


def child(n: int, period: float | None) -> dict:
    """One `lego gen` of the n x n GEMM in this process (lego imported from PYTHONPATH)."""
    from lego.backend import passes as backend
    from lego.backend.generate import Generated, design_files
    from lego.frontend import passes as frontend
    from lego.spec import parse_spec_text

    text = gemm_os_spec(n)
    seconds: dict[str, dict] = {}
    spec = _timed(seconds, "parse", lambda: parse_spec_text(text))
    state = frontend.State(spec)
    for name, run in frontend.PASSES:
        state = _timed(seconds, name, run, state)
    back = backend.BackendState(state.adg, period or backend.RELAXED_PERIOD_NS)
    for name, run in backend.PASSES:
        back = _timed(seconds, name, run, back)
    gen = Generated(back.design, back.schedule, back.verilog, seconds["pipeline"]["wall"], 0.0)
    _timed(seconds, "outputs", lambda: (state.adg.to_dot(), design_files(state.adg, gen, text)))
    return {"fus": n * n, "seconds": seconds,
            "verilog_sha256": hashlib.sha256(back.verilog.encode()).hexdigest(),
            "verilog_bytes": len(back.verilog), "register_bits": back.schedule.register_bits}


def measure(tree: Path, n: int, period: float | None) -> dict:
    """``child`` in a fresh process importing lego from ``tree``; its CPU seconds as a whole
    (imports included) come from the parent's view of its children."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(n)]
    command += ["--period", str(period)] if period else []
    env = dict(os.environ, PYTHONPATH=str(tree))
    cpu, wall = _cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tree} {n}x{n}: {done.stderr.strip().splitlines()[-1:]}")
    row = json.loads(done.stdout)
    row.update(tree=str(tree), array=f"{n}x{n}", process_cpu=round(_cpu() - cpu, 3),
               process_wall=round(time.perf_counter() - wall, 3))
    return row


def _table(rows: list[dict], key: str) -> str:
    width = {s: max(9, len(s) + 2) for s in STEPS}
    head = f"{'tree':<10}{'array':>7}" + "".join(f"{s:>{width[s]}}" for s in STEPS)
    head += f"{'process':>9}"
    lines = [head]
    for row in rows:
        cells = "".join(f"{row['seconds'][s][key]:>{width[s]}.2f}" for s in STEPS)
        lines.append(f"{row['label']:<10}{row['array']:>7}{cells}"
                     f"{row['process_' + key]:>9.2f}")
    return "\n".join(lines)


def _ratios(rows: list[dict]) -> list[str]:
    """Per size, baseline / this CPU seconds per step (only where a baseline was measured)."""
    lines = []
    for base in (r for r in rows if r["label"] == "baseline"):
        this = next(r for r in rows if r["label"] == "this" and r["array"] == base["array"])
        ratio = {s: base["seconds"][s]["cpu"] / max(this["seconds"][s]["cpu"], 1e-3)
                 for s in BACK}
        same = base["verilog_sha256"] == this["verilog_sha256"]
        lines.append(f"{base['array']}: process {base['process_cpu'] / this['process_cpu']:.2f}x"
                     + "".join(f", {s} {ratio[s]:.1f}x" for s in BACK)
                     + ("" if same else "; VERILOG DIFFERS"))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--period", type=float, help="clock period in ns (default: relaxed)")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure alongside")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.period)))
        return
    trees = ([("baseline", args.baseline.resolve())] if args.baseline else []) + [("this", ROOT)]
    rows = []
    for n in args.sizes:
        for label, tree in trees:
            rows.append(dict(measure(tree, n, args.period), label=label))
            print(f"measured {label} {n}x{n}", file=sys.stderr, flush=True)
    print("CPU seconds (process: the whole `lego gen`-equivalent run, imports included)")
    print(_table(rows, "cpu"))
    print("wall seconds")
    print(_table(rows, "wall"))
    for line in _ratios(rows):
        print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"machine": platform.machine(), "cpus": os.cpu_count(),
                                    "load_average": os.getloadavg(), "period_ns": args.period,
                                    "python": platform.python_version(), "rows": rows},
                                   indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
