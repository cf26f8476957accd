"""Run layers on an accelerator: tiling, then traffic and timing, SRAM counts and energy."""

from __future__ import annotations

from dataclasses import dataclass

from sim.workload.arch import Accelerator
from sim.workload.energy import REGISTER_ACCESSES_PER_MAC, bank_accesses, energy_pj
from sim.workload.layer import Layer
from sim.workload.memory import Timing, Traffic, sram_array_accesses, step_classes, timing, traffic
from sim.workload.tiling import Tiling, choose_tiling

__all__ = ["LayerResult", "simulate_layer", "simulate", "sram_accesses"]


@dataclass(frozen=True)
class LayerResult:
    layer: Layer
    tiling: Tiling
    steps: int
    timing: Timing
    dram: Traffic
    sram: dict       # tensor -> {"read": elements, "write": elements}
    counts: dict     # energy count kind -> count
    energy_pj: dict  # energy count kind -> pJ, and "total"
    pes: int

    @property
    def utilisation(self) -> float:
        """Useful MACs over PE-cycles of the whole run, stalls included (percent)."""
        return 100 * self.layer.macs / (self.timing.total_cycles * self.pes)

    @property
    def compute_utilisation(self) -> float:
        """Useful MACs over PE-cycles of the compute cycles only (percent)."""
        return 100 * self.layer.macs / (self.timing.compute_cycles * self.pes)

    def as_dict(self) -> dict:
        t = self.timing
        return {
            "name": self.layer.name, "m": self.layer.m, "n": self.layer.n, "k": self.layer.k,
            "macs": self.layer.macs, "tiling": self.tiling.as_dict(), "steps": self.steps,
            "compute_cycles": t.compute_cycles, "stall_cycles": t.stall_cycles,
            "fill_cycles": t.fill_cycles, "total_cycles": t.total_cycles,
            "utilisation": self.utilisation, "compute_utilisation": self.compute_utilisation,
            "dram_bytes": self.dram.as_dict(), "sram_accesses": self.sram,
            "energy_counts": self.counts, "energy_pj": self.energy_pj,
        }


def sram_accesses(layer: Layer, acc: Accelerator, array: dict, dram: Traffic) -> dict:
    """Element accesses per tensor buffer. Every DRAM read lands in a buffer (a write) and
    every DRAM write leaves one (a read). The array reads ifmap and filters; it writes outputs,
    and every output write but the first one of each element first reads the partial sum."""
    word = acc.word_bytes
    return {
        "ifmap": {"read": array["A"], "write": dram.ifmap_read // word},
        "filter": {"read": array["B"], "write": dram.filter_read // word},
        "ofmap": {"read": array["C"] - layer.ofmap_elems + dram.ofmap_write // word,
                  "write": array["C"] + dram.ofmap_read // word},
    }


def _counts(layer: Layer, acc: Accelerator, sram: dict, dram: Traffic, table: dict) -> dict:
    return {
        "mac": layer.macs,
        "register": REGISTER_ACCESSES_PER_MAC * layer.macs,
        "sram_read": sum(bank_accesses(s["read"], acc.word_bytes, table) for s in sram.values()),
        "sram_write": sum(bank_accesses(s["write"], acc.word_bytes, table)
                          for s in sram.values()),
        "dram_byte": dram.total,
    }


def simulate_layer(layer: Layer, acc: Accelerator, table: dict,
                   tiling: Tiling | None = None) -> LayerResult:
    """One layer; ``tiling`` defaults to :func:`choose_tiling`'s choice."""
    tiling = tiling or choose_tiling(layer, acc)
    classes = step_classes(layer, acc, tiling)
    dram = traffic(classes)
    sram = sram_accesses(layer, acc, sram_array_accesses(acc, classes), dram)
    counts = _counts(layer, acc, sram, dram, table)
    return LayerResult(layer=layer, tiling=tiling, steps=sum(c.count for c in classes),
                       timing=timing(acc, classes), dram=dram, sram=sram, counts=counts,
                       energy_pj=energy_pj(counts, table), pes=acc.rows * acc.cols)


def simulate(layers, acc: Accelerator, table: dict, progress=None) -> list[LayerResult]:
    """Results for all layers; ``progress(done, total)`` is called after each layer."""
    results = []
    for index, layer in enumerate(layers):
        results.append(simulate_layer(layer, acc, table))
        if progress is not None:
            progress(index + 1, len(layers))
    return results
