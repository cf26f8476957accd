"""What a worker runs: one batch of points through one stage. Each point ends with a status
(ok, invalid, unfit, timeout, failed) and its metrics; an exception never leaves a batch, so
one bad point never stops a sweep. Workers write nothing: artifacts travel back as text and
the driver stores them."""

from __future__ import annotations

import functools
import json
import signal
import tempfile
import threading
import time
import traceback
from pathlib import Path

from lego.errors import LegoError
from lego.outputs import stable_json
from lego.spec import parse_spec
from lego.sweep.simmodels import SIM_MODELS
from lego.sweep.store import Result
from lego.toolchain import output_to

__all__ = ["evaluate_batch", "STAGE_FUNCTIONS"]


class _Timeout(Exception):
    pass


@functools.lru_cache(maxsize=1024)
def _parsed(canonical: str):
    return parse_spec(json.loads(canonical), source="<point>")


def _spec(payload: dict):
    """The point's spec, parsed once per worker: points of a sweep often differ only in their
    workload, and a Spec is an immutable value."""
    return _parsed(json.dumps(payload["spec"], sort_keys=True))


def _sim(payload: dict, options: dict) -> tuple[dict, dict]:
    model = SIM_MODELS[options.get("model", "workload")]
    return model(_spec(payload), payload["workload"], payload["period"]), {}


def _generate(payload: dict):
    from lego.backend.generate import design_files, generate
    from lego.frontend.passes import run_passes

    spec = _spec(payload)
    adg = run_passes(spec).adg
    gen = generate(adg, payload["period"])
    return spec, design_files(adg, gen, stable_json(payload["spec"])) | {"adg.json": adg.to_json()}


def _gen(payload: dict, options: dict) -> tuple[dict, dict]:
    spec, files = _generate(payload)
    report = json.loads(files["report.json"])
    tensors = report["tensors"].values()
    metrics = {"fus": report["fus"], "register_bits": report["lp_register_bits"],
               "hand_register_bits": report["hand_register_bits"],
               "pipeline_depth": report["pipeline_depth"],
               "ports": sum(sum(t["ports"].values()) for t in tensors),
               "banks": sum(t["banks"] for t in tensors),
               "muxes": report["primitives"].get("mux", 0),
               "primitives": sum(report["primitives"].values()),
               "verilog_lines": report["verilog_lines"]}
    names = {"report.json": "report.json", "verilog": f"{spec.name}.v",
             "manifest.json": "manifest.json", "adg.json": "adg.json"}
    keep = options.get("keep", ["report.json"])
    return metrics, {names[k]: files[names[k]] for k in keep}


def _synth(payload: dict, options: dict, pnr: bool = False) -> tuple[dict, dict]:
    from lego.sweep.options import DEFAULT_TARGET
    from lego.synth import synthesize_design

    spec, files = _generate(payload)
    with tempfile.TemporaryDirectory(prefix="lego-sweep-") as work:
        verilog = Path(work) / f"{spec.name}.v"
        verilog.write_text(files[f"{spec.name}.v"])
        report = synthesize_design(
            verilog, spec.name, options.get("target", DEFAULT_TARGET), pnr=pnr,
            seed=options.get("seed", 1), freq_mhz=options.get("freq_mhz"),
            work_dir=Path(work), log_dir=Path(work) / "logs", label=spec.name)
        logs = {p.name: p.read_text() for p in (Path(work) / "logs").glob("*.log")}
    out = report.to_dict()
    metrics = {k: out[k] for k in ("lut4", "ff", "dsp", "bram", "carry", "cells",
                                   "fmax_mhz") if out.get(k) is not None}
    artifacts = {"report.json": stable_json(out)} | logs
    return metrics, {n: t for n, t in artifacts.items() if n in options.get("keep", [])}


def _pnr(payload: dict, options: dict) -> tuple[dict, dict]:
    return _synth(payload, options, pnr=True)




def _verify(payload: dict, options: dict) -> tuple[dict, dict]:
    from lego.verify import verify

    with tempfile.TemporaryDirectory(prefix="lego-sweep-") as work:
        spec_path = Path(work) / "spec.yaml"
        spec_path.write_text(stable_json(payload["spec"]))  # JSON is YAML
        with output_to(Path(work) / "verify.log"):
            summary = verify(str(spec_path), seeds=options.get("seeds", 2),
                             period=payload["period"], out=str(Path(work) / "design"),
                             build_dir=Path(work) / "build")
    flows = summary["dataflows"].values()
    cycles = [f["rtl_cycles"] for f in flows]
    metrics = {"passed": summary["passed"],
               "rtl_cycles": sum(cycles) if all(isinstance(c, int) for c in cycles) else None}
    return metrics, {"verify.json": stable_json(summary)}


STAGE_FUNCTIONS = {"sim": _sim, "gen": _gen, "synth": _synth, "pnr": _pnr, "verify": _verify}


def _expire(signum, frame):
    raise _Timeout


def _alarm(seconds: float | None):
    """Arm a per-point timeout where signals can be used (a process's main thread: local
    workers and the driver; Dask runs tasks in threads, where a stage runs without one). The
    handler it replaced, to restore, or None when not armed."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        return None
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    return previous


def _evaluate(stage: str, options: dict, key: str, payload: dict) -> Result:
    from lego.synth import FitError
    from lego.synth.tools import ToolError

    start = time.perf_counter()
    status, metrics, artifacts, message = "ok", {}, {}, ""
    previous = None
    try:
        previous = _alarm(options.get("timeout"))
        metrics, artifacts = STAGE_FUNCTIONS[stage](payload, options)
    except _Timeout:
        status, message = "timeout", f"ran past the {stage} timeout of {options['timeout']} s"
    except FitError as error:
        status, message = "unfit", str(error)
    except ToolError as error:
        status, message = "failed", str(error)
    except LegoError as error:
        status, message = "invalid", str(error)
    except Exception as error:  # a crash of this point, never of the sweep
        where = traceback.extract_tb(error.__traceback__)[-1]
        status = "failed"
        message = (f"{type(error).__name__}: {error} "
                   f"({Path(where.filename).name}:{where.lineno})")
    finally:
        if previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    return Result(key, status, metrics, " ".join(message.split()),
                  time.perf_counter() - start, artifacts)


def evaluate_batch(stage: str, options: dict, items: list[tuple[str, dict]]) -> list[Result]:
    """Run ``items`` ((key, payload) pairs) through ``stage``; one Result each, in order."""
    return [_evaluate(stage, options, key, payload) for key, payload in items]
