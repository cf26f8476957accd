"""``lego verify SPEC``: generate the RTL, build it once on Verilator, run every dataflow on random
tensors for each seed, compare every output element with the golden model bit for bit, and the
RTL's measured cycles and SRAM accesses per tensor and bank with the cycle-level simulator's
(sim/): the three models must agree exactly."""

from __future__ import annotations

import json
import os
from pathlib import Path

from lego.backend.generate import design_files, generate
from lego.backend.rtl.netlist import access_probes
from lego.errors import LegoError
from lego.frontend.passes import run_passes
from lego.golden import evaluate, random_inputs
from lego.outputs import stable_json, write_design
from lego.spec import load_spec

__all__ = ["cases", "verify", "WAVES_FILE"]

TEST_MODULE = "lego.verify_bench"
WAVES_FILE = "dump.fst"  # the name cocotb's Verilator main writes FST waves to


def cases(spec, seeds: int) -> list[dict]:
    """Per seed and dataflow: the input tensors (nested lists in the spec's index order) and the
    golden model's output, for the bench to load, run and check through :mod:`lego.cocotb`."""
    out = []
    for seed in range(seeds):
        inputs = random_inputs(spec, seed)
        expected = evaluate(spec, inputs).tolist()
        for flow in spec.dataflows:
            out.append({"seed": seed, "dataflow": flow.name, "tensor": spec.output.name,
                        "inputs": {name: values.tolist() for name, values in inputs.items()},
                        "expected": expected})
    return out


def verify(spec_path: str, seeds: int = 3, period: float | None = None, waves: bool = False,
           out: str | None = None, build_dir: Path | None = None) -> dict:
    from lego.toolchain import cocotb_outcomes, fst_supported, run_cocotb

    spec = load_spec(spec_path)
    if waves and not fst_supported():
        raise LegoError("--waves: Verilator writes FST with LZ4, whose C headers are missing "
                        "(Debian: apt-get install liblz4-dev)")
    adg = run_passes(spec).adg
    gen = generate(adg, period)
    folder = Path(out) if out else Path("rtl_out") / spec.name
    write_design(folder, design_files(adg, gen, Path(spec_path).read_text()))
    stimuli = folder.parent / f".{spec.name}.stimuli.json"
    results = folder.parent / f".{spec.name}.results.json"
    stimuli.write_text(json.dumps({"design": str(folder.resolve()), "cases": cases(spec, seeds),
                                   "probes": access_probes(gen.design)}))
    results.unlink(missing_ok=True)
    build = (build_dir or folder.parent / f".{spec.name}.build").resolve()
    try:
        xml = run_cocotb(verilog=(folder / f"{spec.name}.v").resolve(), toplevel=spec.name,
                         test_module=TEST_MODULE, build_dir=build,
                         extra_env={"LEGO_STIMULI": str(stimuli.resolve()),
                                    "LEGO_RESULTS": str(results.resolve())}, waves=waves)
    except RuntimeError as error:  # a Verilator/C++ build failure: a bug of ours, said in one line
        raise LegoError(f"{spec_path}: building the simulation failed ({error}); "
                        f"see the log in {build}") from None
    outcome = cocotb_outcomes(xml)
    if not results.exists():
        raise LegoError(f"{spec_path}: simulation produced no results ({outcome})")
    runs = json.loads(results.read_text())
    if waves:  # next to the design it shows (the build folder is scratch)
        os.replace(build / WAVES_FILE, folder / WAVES_FILE)
    summary = _summary(spec, runs, seeds, _predicted(gen))
    (folder / "verify.json").write_text(stable_json(summary))
    stimuli.unlink(missing_ok=True)
    results.unlink(missing_ok=True)
    return summary


def _predicted(gen) -> dict:
    """The cycle-level simulator's cycles and SRAM accesses of the same generated design."""
    from sim.design import simulate_design

    return {run.dataflow: {"cycles": run.cycles,
                           "sram": {a.tensor: a.to_dict() for a in run.sram}}
            for run in simulate_design(gen.design, gen.schedule)}


def _measured_sram(run: dict, predicted: dict) -> dict:
    """One run's counted port enables in the simulator's layout (tensor -> totals, per bank)."""
    out = {}
    for tensor, counts in predicted.items():
        banks = len(counts["bank_reads"])
        reads, writes = [0] * banks, [0] * banks
        for kind, name, bank, count in run["accesses"]:
            if name == tensor:
                (reads if kind == "read" else writes)[bank] += count
        out[tensor] = {"reads": sum(reads), "writes": sum(writes),
                       "bank_reads": reads, "bank_writes": writes}
    return out


def _summary(spec, runs: list[dict], seeds: int, predicted: dict) -> dict:
    flows = {}
    for flow in spec.dataflows:
        mine = [r for r in runs if r["dataflow"] == flow.name]
        sim = predicted[flow.name]
        cycles = sorted({r["cycles"] for r in mine})
        sram = [_measured_sram(r, sim["sram"]) for r in mine]
        flows[flow.name] = {
            "steps": flow.num_steps,
            # a fixed schedule: every seed takes the same cycles and accesses
            "rtl_cycles": cycles[0] if len(cycles) == 1 else cycles or None,
            "sim_cycles": sim["cycles"],
            "rtl_sram": sram[0] if sram and all(x == sram[0] for x in sram) else sram or None,
            "sim_sram": sim["sram"],
            "passed": bool(mine) and all(r["mismatch"] is None for r in mine)}
        flows[flow.name]["models_agree"] = (
            flows[flow.name]["rtl_cycles"] == sim["cycles"]
            and flows[flow.name]["rtl_sram"] == sim["sram"])
    first = next((r for r in runs if r["mismatch"] is not None), None)
    return {"name": spec.name, "seeds": seeds, "dataflows": flows,
            "passed": (len(runs) == seeds * len(spec.dataflows) and first is None
                       and all(f["models_agree"] for f in flows.values())),
            "first_mismatch": None if first is None else dict(first["mismatch"],
                                                              seed=first["seed"],
                                                              dataflow=first["dataflow"])}
