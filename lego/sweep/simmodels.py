"""The sim stage's models: each is a function ``(spec, workload, period) -> metrics`` named in
:data:`SIM_MODELS`, chosen by the stage's ``model:`` option. This is the one place a new
simulator plugs in (the spec-as-template-on-layers model of ``lego sim design --layers`` is
one more entry: ``spec_layers``).

- ``workload``: the layers of ``workload.layers`` (or the spec's own GEMM) tiled onto an array of
  the spec's spatial shape and dataflow, with buffers, DRAM bandwidth and energy
  (:mod:`sim.workload`); closed form, about a millisecond per layer.
- ``design``: the generated design's exact cycles, SRAM accesses and energy
  (:mod:`sim.design`), from the lowered design and LP schedule its RTL is built from.
- ``spec_layers``: the spec as a template on ``workload.layers``, as ``lego sim design SPEC
  --layers`` runs it (:func:`sim.spec_layers.simulate_network`): every layer tiled to the
  design's memories, each tile timed by the design lowered at the tile's loop bounds, the
  fastest dataflow per layer."""

from __future__ import annotations

import dataclasses
import functools
import math
import os
from fractions import Fraction

from lego.errors import LegoError
from lego.ir import Spec

__all__ = ["SIM_MODELS", "workload_model", "design_model", "spec_layers_model"]


def _stamp(path: str | None) -> tuple | None:
    """What tells a file version apart in the caches below: a long-lived process (the Python
    API) must read a file edited since."""
    if path is None:
        return None
    stat = os.stat(path)
    return stat.st_mtime_ns, stat.st_size


def _layers(path: str | None, gemm: bool, spec_gemm: tuple | None):
    return _read_layers(path, _stamp(path), gemm, spec_gemm)


def _energy_table(path: str | None) -> dict:
    return _read_energy_table(path, _stamp(path))


@functools.cache
def _read_layers(path: str | None, stamp, gemm: bool, spec_gemm: tuple | None):
    from sim.scalesim import read_topology
    from sim.workload import gemm as gemm_layer

    if path is not None:
        return tuple(read_topology(path, gemm=gemm))
    return (gemm_layer("spec", *spec_gemm),)


@functools.cache
def _read_energy_table(path: str | None, stamp) -> dict:
    from sim.workload import load_table

    return load_table(path)


def _simulate(layer, acc, energy: str | None):
    """One layer on one accelerator. The result depends on the layer's shape, not its name, so
    layers of the same shape (ResNet's repeated blocks) and sweeps over knobs that leave the
    accelerator alone (problem size, output dtype, clock period) reuse one simulation."""
    return _simulate_shape(dataclasses.replace(layer, name=""), acc, energy, _stamp(energy))


@functools.lru_cache(maxsize=4096)
def _simulate_shape(shape, acc, energy: str | None, stamp):
    from sim.workload import simulate_layer

    return simulate_layer(shape, acc, _energy_table(energy))


def _spec_gemm(spec: Spec) -> tuple[int, int, int]:
    loops = dict(spec.loops)
    if set(loops) != {"i", "j", "k"} or spec.statement.replace(" ", "") != "C[i,j]+=A[i,k]*B[k,j]":
        raise LegoError("the workload model needs workload.layers for a spec that is not the "
                        "GEMM C[i, j] += A[i, k] * B[k, j]")
    return loops["i"], loops["j"], loops["k"]


def _accelerators(spec: Spec, workload: dict):
    from sim.workload import Accelerator

    if not isinstance(workload["sram_kib"], int):
        raise LegoError(f"the workload model needs workload.sram_kib in KiB, not "
                        f"{workload['sram_kib']!r} (that is for model: spec_layers)")
    word = workload["word_bytes"]
    if word == "auto":  # the widest input element
        word = max(math.ceil(t.dtype.bits / 8) for t in spec.tensors if t.role == "input")
    bw = None if workload["dram_bw"] == "inf" else Fraction(workload["dram_bw"])
    out = []
    for flow in spec.dataflows:
        shape = [extent for _, extent in flow.spatial]
        if len(shape) not in (1, 2):
            raise LegoError(f"the workload model needs a 1-D or 2-D array; dataflow "
                            f"{flow.name!r} is {len(shape)}-D")
        out.append(Accelerator(shape[0], shape[1] if len(shape) == 2 else 1, flow.name,
                               sram_bytes=(workload["sram_kib"] * 1024,) * 3, dram_bw=bw,
                               double_buffer=workload["double_buffer"], word_bytes=word))
    return out


def workload_model(spec: Spec, workload: dict, period: float | None) -> dict:
    """Totals over the layers; a fused design runs each layer on its fastest dataflow."""
    from sim.scalesim.mapping import DATAFLOWS

    for flow in spec.dataflows:
        if flow.name not in DATAFLOWS:
            raise LegoError(f"the workload model simulates dataflows named "
                            f"{', '.join(DATAFLOWS)}; {flow.name!r} is none (use model: design)")
    accelerators = _accelerators(spec, workload)
    layers = _layers(workload["layers"], workload["input_type"] == "gemm",
                     None if workload["layers"] else _spec_gemm(spec))
    totals = dict.fromkeys(("cycles", "compute_cycles", "stall_cycles", "dram_bytes",
                            "sram_accesses", "macs", "pe_cycles"), 0)
    energy = 0.0
    for layer in layers:
        runs = [_simulate(layer, acc, workload["energy"]) for acc in accelerators]
        best = min(runs, key=lambda r: r.timing.total_cycles)
        totals["cycles"] += best.timing.total_cycles
        totals["compute_cycles"] += best.timing.compute_cycles
        totals["stall_cycles"] += best.timing.stall_cycles
        totals["dram_bytes"] += best.dram.total
        totals["sram_accesses"] += sum(s["read"] + s["write"] for s in best.sram.values())
        totals["macs"] += layer.macs
        totals["pe_cycles"] += best.timing.total_cycles * best.pes
        energy += best.energy_pj["total"]
    pe_cycles = totals.pop("pe_cycles")
    return totals | {"utilisation": 100 * totals["macs"] / pe_cycles, "energy_uj": energy / 1e6}


def design_model(spec: Spec, workload: dict, period: float | None) -> dict:
    """Each dataflow of the design run once: summed cycles, SRAM accesses and energy."""
    from lego.backend.passes import run_backend
    from lego.frontend.passes import run_passes
    from sim.design import simulate_design
    from sim.design_energy import design_energy

    state = run_backend(run_passes(spec).adg, period, stop_after="pipeline")
    runs = simulate_design(state.design, state.schedule)
    table = _energy_table(workload["energy"])
    cycles = sum(r.cycles for r in runs)
    return {"cycles": cycles, "fus": runs[0].fus,
            "utilisation": 100 * sum(r.steps for r in runs) / cycles,
            "sram_accesses": sum(sum(a.reads) + sum(a.writes) for r in runs for a in r.sram),
            "energy_uj": sum(design_energy(r, table)["total"] for r in runs) / 1e6}


@functools.lru_cache(maxsize=32)
def _timer(spec: Spec, period: float | None):
    """One TileTimer per design and period in a worker: lowering and pipelining the tile
    designs is nearly all of the model's cost, and points that differ only in their workload
    (layers, memories, bandwidth) run many of the same tiles."""
    from sim.spec_layers import TileTimer, analyse

    return TileTimer(analyse(spec), period)


def _sram(spec: Spec, sram_kib):
    """``lego sim design --sram``'s value: KiB per tensor of the spec, the design's own
    memories (design), or one tile per layer (inf)."""
    from sim.spec_layers import UNBOUNDED

    if sram_kib == "design":
        return None
    if sram_kib == "inf":
        return UNBOUNDED
    return {tensor.name: sram_kib * 1024 for tensor in spec.tensors}


def spec_layers_model(spec: Spec, workload: dict, period: float | None) -> dict:
    """Totals over ``workload.layers`` of the generated design used as a template, each layer on
    its fastest dataflow. Each tensor moves with its own element size (``word_bytes`` is not
    used)."""
    from sim.spec_layers import simulate_network

    if workload["layers"] is None:
        raise LegoError("the spec_layers model needs workload.layers")
    layers = _layers(workload["layers"], workload["input_type"] == "gemm", None)
    bw = None if workload["dram_bw"] == "inf" else Fraction(workload["dram_bw"])
    result = simulate_network(spec, layers, sram=_sram(spec, workload["sram_kib"]), dram_bw=bw,
                              double_buffer=workload["double_buffer"], period_ns=period,
                              energy_table=_energy_table(workload["energy"]),
                              timer=_timer(spec, period))
    totals = result.totals()
    sram = sum(t.sram_reads + t.sram_writes for layer in result.layers
               for t in layer.chosen.tensors)
    return {"cycles": totals["total_cycles"], "compute_cycles": totals["compute_cycles"],
            "stall_cycles": totals["stall_cycles"], "dram_bytes": totals["dram_bytes"],
            "sram_accesses": sram, "macs": totals["macs"], "fus": result.fus,
            "utilisation": 100 * totals["macs"] / (result.fus * totals["total_cycles"]),
            "energy_uj": totals["energy_pj"] / 1e6}


SIM_MODELS = {"workload": workload_model, "design": design_model,
              "spec_layers": spec_layers_model}
