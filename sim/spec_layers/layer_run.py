"""One layer on one dataflow of a design, once its tile is chosen: the tile's cycles and SRAM
accesses from the lowered tile design, DRAM transfers and stalls from ``lego sim layer``'s
model (:mod:`sim.workload.memory`: which operand tiles move at each step, double buffering,
bandwidth), energy from the per-access table.

The DRAM model runs on the GEMM view of the padded tile grid (every tile the same shape, so
padding moves too); its per-step compute is replaced by the tile design's cycles and its
element counts are weighted by each tensor's bytes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from sim.design import DesignRun
from sim.spec_layers.template import Template
from sim.spec_layers.tiling import gemm_view
from sim.workload.arch import Accelerator
from sim.workload.energy import REGISTER_ACCESSES_PER_MAC, energy_pj
from sim.workload.layer import gemm
from sim.workload.memory import step_classes, timing, traffic
from sim.workload.tiling import Tiling

__all__ = ["LayerRun", "TensorTraffic", "run_layer"]


@dataclass(frozen=True)
class TensorTraffic:
    """One tensor's SRAM element accesses (datapath and host fills) and DRAM bytes."""

    tensor: str
    sram_reads: int
    sram_writes: int
    dram_read_bytes: int
    dram_write_bytes: int

    def to_dict(self) -> dict:
        return {"sram_reads": self.sram_reads, "sram_writes": self.sram_writes,
                "dram_read_bytes": self.dram_read_bytes,
                "dram_write_bytes": self.dram_write_bytes}


@dataclass(frozen=True)
class LayerRun:
    dataflow: str
    tile: tuple[tuple[str, int], ...]  # loop -> tile size
    tiles: int
    tile_steps: int
    tile_drain: int
    tile_cycles: int  # 1 start + steps + this dataflow's drain, from the lowered tile design
    compute_cycles: int  # tiles x tile cycles
    total_cycles: int  # with DRAM stalls
    utilisation: float  # useful MACs / (FUs x total cycles)
    tensors: tuple[TensorTraffic, ...]
    energy_pj: tuple[tuple[str, float], ...]  # per count kind and "total"

    @property
    def stall_cycles(self) -> int:
        return self.total_cycles - self.compute_cycles

    @property
    def dram_bytes(self) -> int:
        return sum(t.dram_read_bytes + t.dram_write_bytes for t in self.tensors)

    @property
    def energy(self) -> float:
        return dict(self.energy_pj)["total"]

    def to_dict(self) -> dict:
        return {"dataflow": self.dataflow, "tile": dict(self.tile), "tiles": self.tiles,
                "tile_steps": self.tile_steps, "tile_drain": self.tile_drain,
                "tile_cycles": self.tile_cycles, "compute_cycles": self.compute_cycles,
                "stall_cycles": self.stall_cycles, "total_cycles": self.total_cycles,
                "utilisation": round(self.utilisation, 6), "dram_bytes": self.dram_bytes,
                "tensors": {t.tensor: t.to_dict() for t in self.tensors},
                "energy_pj": dict(self.energy_pj)}


def _bytes(template: Template, operand: str) -> int:
    return -(-template.spec.tensor(template.tensor_of(operand)).dtype.bits // 8)


def _dram(template: Template, flow_name: str, extents: dict, tile: dict,
          dram_bw: Fraction | None, double_buffer: bool, cycles: int):
    """(Timing, DRAM bytes per operand: A read, B read, C write, C read) of the tile grid."""
    view = gemm_view(template, extents, tile)
    (tm, qm), (tn, qn), (tk, qk) = (view[r] for r in "mnk")
    acc = Accelerator(1, 1, dict(template.order)[flow_name], dram_bw=dram_bw,
                      double_buffer=double_buffer, word_bytes=1)
    a, b, c = (_bytes(template, op) for op in "ABC")
    classes = []
    for cls in step_classes(gemm("tiles", tm * qm, tn * qn, tk * qk), acc, Tiling(tm, tn, tk)):
        ra, rb, wc, rc = cls.dram
        dram = (ra * a, rb * b, wc * c, rc * c)
        classes.append(replace(cls, compute=cycles, dram=dram,
                               loads=dram[0] + dram[1] + dram[3], writes=dram[2]))
    return timing(acc, classes), traffic(classes)


def run_layer(template: Template, flow: int, extents: dict, tile: dict, tile_run: DesignRun,
              dram_bw: Fraction | None, double_buffer: bool, table: dict, macs: int) -> LayerRun:
    """The layer cut into ``tile``-shaped tiles, each timed as ``tile_run``."""
    name = template.spec.dataflows[flow].name
    time, moved = _dram(template, name, extents, tile, dram_bw, double_buffer, tile_run.cycles)
    view = gemm_view(template, extents, tile)
    tiles = view["m"][1] * view["n"][1] * view["k"][1]
    host = {template.tensor_of("A"): (moved.ifmap_read, 0),
            template.tensor_of("B"): (moved.filter_read, 0),
            template.tensor_of("C"): (moved.ofmap_read, moved.ofmap_write)}
    tensors = []
    for access in tile_run.sram:
        read, written = host.get(access.tensor, (0, 0))
        size = -(-access.bits // 8)
        # DRAM reads land in the SRAM (writes); DRAM writes leave it (reads)
        tensors.append(TensorTraffic(access.tensor, tiles * sum(access.reads) + written // size,
                                     tiles * sum(access.writes) + read // size, read, written))
    bits = {a.tensor: a.bits for a in tile_run.sram}
    width = table["sram_bank_width_bits"]
    fired = tiles * tile_run.steps * tile_run.fus
    counts = {"mac": fired, "register": REGISTER_ACCESSES_PER_MAC * fired,
              "sram_read": sum(t.sram_reads * bits[t.tensor] for t in tensors) / width,
              "sram_write": sum(t.sram_writes * bits[t.tensor] for t in tensors) / width,
              "dram_byte": moved.total}
    return LayerRun(name, tuple(sorted(tile.items())), tiles, tile_run.steps, tile_run.drain,
                    tile_run.cycles, time.compute_cycles, time.total_cycles,
                    macs / (tile_run.fus * time.total_cycles), tuple(tensors),
                    tuple(energy_pj(counts, table).items()))
