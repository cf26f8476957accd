"""``lego verify SPEC``: generate the RTL, build it once on Verilator, run every dataflow on random
tensors for each seed, compare every output element with the golden model bit for bit, and the
RTL's measured cycles and SRAM accesses per tensor and bank with the cycle-level simulator's
(sim/): the three models must agree exactly."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from lego.backend.generate import design_files, generate
from lego.backend.rtl.netlist import access_probes
from lego.errors import LegoError
from lego.frontend.passes import run_passes
from lego.golden import evaluate, random_inputs, written
from lego.locks import held
from lego.output_folder import check_replaceable, commit_folder, staging_folder
from lego.outputs import stable_json
from lego.spec import load_spec
from lego.verify_trace import write_ports

__all__ = ["cases", "verify", "WAVES_FILE"]

TEST_MODULE = "lego.verify_bench"
WAVES_FILE = "dump.fst"  # the name cocotb's Verilator main writes FST waves to


def cases(spec, seeds: int) -> list[dict]:
    """Per seed and dataflow: the input tensors (nested lists in the spec's index order) and the
    golden model's output over the dataflow's own loops, for the bench to load, run and check
    through :mod:`lego.cocotb`; elements a dataflow's smaller box does not compute are None
    (unchecked: the memory keeps what it held)."""
    out = []
    for seed in range(seeds):
        inputs = random_inputs(spec, seed)
        for flow in spec.dataflows:
            bounds = spec.flow_bounds(flow)
            expected = evaluate(spec, inputs, bounds).astype(object)
            expected[~written(spec, bounds)] = None
            out.append({"seed": seed, "dataflow": flow.name, "tensor": spec.output.name,
                        "inputs": {name: values.tolist() for name, values in inputs.items()},
                        "expected": expected.tolist()})
    return out


def verify(spec_path: str, seeds: int = 3, period: float | None = None, waves: bool = False,
           out: str | None = None, build_dir: Path | None = None, force: bool = False) -> dict:
    """Generate, simulate and compare; the design folder (with verify.json) replaces ``out``
    only when the run is complete, and only if lego wrote ``out`` (or ``force``)."""
    from lego.toolchain import fst_supported

    spec = load_spec(spec_path)
    if waves and not fst_supported():
        raise LegoError("--waves: Verilator writes FST with LZ4, whose C headers are missing "
                        "(Debian: apt-get install liblz4-dev)")
    folder = Path(out) if out else Path("rtl_out") / spec.name
    check_replaceable(folder, force)  # before the work, not after
    adg = run_passes(spec).adg
    gen = generate(adg, period)
    staging = staging_folder(folder)
    try:
        for name, text in design_files(adg, gen, Path(spec_path).read_text()).items():
            (staging / name).write_text(text)
        build = Path(build_dir or folder.parent / f".{spec.name}.build").resolve()
        runs = _simulate(spec_path, spec, adg, gen, seeds, staging, build, waves)
        summary = _summary(spec, runs, seeds, _predicted(gen))
        (staging / "verify.json").write_text(stable_json(summary))
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise LegoError(f"{folder}: cannot write: {error.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    commit_folder(staging, folder, force)
    return summary


def _simulate(spec_path: str, spec, adg, gen, seeds: int, design: Path, build: Path,
              waves: bool) -> list[dict]:
    """Build and run the cocotb bench on the design in ``design``. Stimuli and results are
    private to this run; the build folder is locked while in use, so that runs of the same
    spec at once take turns on it instead of colliding."""
    from lego.toolchain import cocotb_outcomes, run_cocotb

    work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.run.", dir=design.parent))
    try:
        stimuli, results = work / "stimuli.json", work / "results.json"
        stimuli.write_text(json.dumps({"design": str(design.resolve()),
                                       "cases": cases(spec, seeds),
                                       "probes": access_probes(gen.design),
                                       "write_ports": write_ports(gen.design)}))
        with held(build.with_name(build.name + ".lock")):
            # Verilator writes the source's path into its C++: a fixed one keeps ccache hits
            verilog = build / f"{spec.name}.v"
            build.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(design / f"{spec.name}.v", verilog)
            try:
                xml = run_cocotb(verilog=verilog,
                                 toplevel=spec.name, test_module=TEST_MODULE, build_dir=build,
                                 extra_env={"LEGO_STIMULI": str(stimuli.resolve()),
                                            "LEGO_RESULTS": str(results.resolve())},
                                 waves=waves)
            except RuntimeError as error:  # a Verilator/C++ build failure: a bug of ours
                raise LegoError(f"{spec_path}: building the simulation failed ({error}); "
                                f"see the log in {build}") from None
            except SystemExit:  # the bench failed (a mismatch): its results say how
                xml = None
            outcome = cocotb_outcomes(xml) if xml else "the bench failed"
        if not results.exists():
            raise LegoError(f"{spec_path}: simulation produced no results ({outcome})")
        if waves:  # next to the design it shows (the build folder is scratch)
            os.replace(build / WAVES_FILE, design / WAVES_FILE)
        return json.loads(results.read_text())
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _predicted(gen) -> dict:
    """The cycle-level simulator's cycles and SRAM accesses of the same generated design."""
    from sim.design import simulate_design
    from sim.write_trace import predicted_writes

    return {run.dataflow: {"cycles": run.cycles,
                           "sram": {a.tensor: a.to_dict() for a in run.sram},
                           "writes": predicted_writes(gen.design, gen.schedule, index)}
            for index, run in enumerate(simulate_design(gen.design, gen.schedule))}


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
        flows[flow.name].update(_write_checks(mine, sim["writes"]))
        flows[flow.name]["models_agree"] = (
            flows[flow.name]["rtl_cycles"] == sim["cycles"]
            and flows[flow.name]["rtl_sram"] == sim["sram"]
            and flows[flow.name]["write_trace"] == "equal"
            and flows[flow.name]["done_after_last_write"] == 1)
    first = next((r for r in runs if r["mismatch"] is not None), None)
    return {"name": spec.name, "seeds": seeds, "dataflows": flows,
            "passed": (len(runs) == seeds * len(spec.dataflows) and first is None
                       and all(f["models_agree"] for f in flows.values())),
            "first_mismatch": None if first is None else dict(first["mismatch"],
                                                              seed=first["seed"],
                                                              dataflow=first["dataflow"])}


def _write_checks(runs: list[dict], predicted: list) -> dict:
    """The RTL's output writes (cycle, tensor, bank, address), recorded from its own RAM write
    ports, against sim/'s prediction from the schedule (equal, write for write, in every run);
    and the cycles from the last write to ``done`` (1: done rises right after it)."""
    from sim.write_trace import first_difference

    differences = [first_difference(r["writes"], predicted) for r in runs]
    gaps = sorted({r["done_cycle"] - max((w[0] for w in r["writes"]), default=0)
                   for r in runs})
    return {"rtl_writes": len(runs[0]["writes"]) if runs else None,
            "sim_writes": len(predicted),
            "write_trace": next((d for d in differences if d), "equal" if runs else "no run"),
            "done_after_last_write": gaps[0] if len(gaps) == 1 else gaps or None}
