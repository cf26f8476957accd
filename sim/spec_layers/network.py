"""A network on a generated design: every layer mapped onto every dataflow of the spec (or the
one asked for), tiled to the design's on-chip memory, timed tile by tile from the lowered tile
designs, and the best dataflow per layer by cycles or by energy.

The Python entry point (``lego sim design SPEC --layers CSV`` and ``lego sweep`` call it)::

    from sim.spec_layers import simulate_network
    result = simulate_network("examples/specs/gemm_os_ws_fused_4x4.yaml", layers)
    result.total_cycles, [layer.chosen.dataflow for layer in result.layers]

Pass the same :class:`TileTimer` (``timer=``) to calls on the same spec and period to reuse
its lowered tiles."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from lego.errors import LegoError
from lego.ir import Spec
from sim.conv_gemm import Layer
from sim.spec_layers.layer_run import LayerRun, run_layer
from sim.spec_layers.template import analyse
from sim.spec_layers.tile_cycles import TileTimer
from sim.spec_layers.tiling import choose_tile

__all__ = ["LayerResult", "NetworkResult", "OBJECTIVES", "UNBOUNDED", "simulate_network"]

OBJECTIVES = ("cycles", "energy")
UNBOUNDED = "unbounded"  # sram=UNBOUNDED: one tile per layer, whatever its size


@dataclass(frozen=True)
class LayerResult:
    layer: Layer
    extents: tuple[tuple[str, int], ...]  # the layer's bound per statement loop
    runs: tuple[LayerRun, ...]  # per dataflow considered, in spec order
    chosen: LayerRun

    def to_dict(self) -> dict:
        return {"name": self.layer.name, "m": self.layer.m, "n": self.layer.n,
                "k": self.layer.k, "macs": self.layer.macs, "extents": dict(self.extents),
                "dataflow": self.chosen.dataflow, "chosen": self.chosen.to_dict(),
                "dataflows": {r.dataflow: r.to_dict() for r in self.runs}}


@dataclass(frozen=True)
class NetworkResult:
    spec: str
    fus: int
    objective: str
    capacity: tuple[tuple[str, int], ...] | None  # elements per tensor; None: unbounded
    dram_bw: Fraction | None
    double_buffer: bool
    layers: tuple[LayerResult, ...]
    lowered_shapes: int  # distinct tiles timed for this result (cache misses: lowered or derived)

    @property
    def total_cycles(self) -> int:
        return sum(r.chosen.total_cycles for r in self.layers)

    @property
    def compute_cycles(self) -> int:
        return sum(r.chosen.compute_cycles for r in self.layers)

    @property
    def energy_pj(self) -> float:
        return sum(r.chosen.energy for r in self.layers)

    @property
    def dram_bytes(self) -> int:
        return sum(r.chosen.dram_bytes for r in self.layers)

    @property
    def macs(self) -> int:
        return sum(r.layer.macs for r in self.layers)

    def totals(self) -> dict:
        return {"total_cycles": self.total_cycles, "compute_cycles": self.compute_cycles,
                "stall_cycles": self.total_cycles - self.compute_cycles,
                "dram_bytes": self.dram_bytes, "energy_pj": self.energy_pj, "macs": self.macs,
                "utilisation": round(self.macs / (self.fus * self.total_cycles), 6)
                if self.total_cycles else 0.0}


def _load(spec) -> Spec:
    if isinstance(spec, Spec):
        return spec
    from lego.spec import load_spec

    return load_spec(Path(spec))


def _capacity(timer: TileTimer, sram) -> dict[str, int] | None:
    """Elements per tensor: the design's banks x depth, ``sram`` bytes per tensor, or None."""
    if sram == UNBOUNDED:
        return None
    spec = timer.template.spec
    sram = sram or {}
    if all(t.name in sram for t in spec.tensors):  # the design's memories would go unused
        elements = {t.name: 0 for t in spec.tensors}
    else:
        elements = dict(timer.capacity().elements)
    for tensor, size in sram.items():
        if tensor not in elements:
            raise LegoError(f"--sram {tensor}: not a tensor of {spec.source} "
                            f"({', '.join(elements)})")
        elements[tensor] = size // -(-spec.tensor(tensor).dtype.bits // 8)
    return elements


def _flows(spec: Spec, dataflow: str | None) -> list[int]:
    names = [f.name for f in spec.dataflows]
    if dataflow is None:
        return list(range(len(names)))
    if dataflow not in names:
        raise LegoError(f"{spec.source}: --dataflow {dataflow!r} is not a dataflow of the spec "
                        f"({', '.join(names)})")
    return [names.index(dataflow)]


def simulate_network(spec, layers, *, sram=None, dram_bw: Fraction | None = Fraction(16),
                     double_buffer: bool = True, dataflow: str | None = None,
                     objective: str = "cycles", period_ns: float | None = None,
                     energy_table: dict | None = None, timer: TileTimer | None = None,
                     progress=None) -> NetworkResult:
    """Every layer of ``layers`` (:class:`sim.conv_gemm.Layer`) on the design of ``spec`` (a path
    or a :class:`lego.ir.Spec`). ``sram``: None (the design's own memories), a dict of bytes
    per tensor name overriding some of them, or UNBOUNDED. ``dram_bw``: bytes per cycle, None
    for unlimited. ``progress(done, total)`` is called after each layer."""
    from sim.workload.energy import load_table

    if objective not in OBJECTIVES:
        raise LegoError(f"--objective must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    spec = _load(spec)
    table = energy_table or load_table()
    timer = timer or TileTimer(analyse(spec), period_ns)
    before = timer.lowered_shapes
    flows = _flows(spec, dataflow)
    capacity = _capacity(timer, sram)
    # the spec's own design's drain per dataflow: only to rank candidate tiles before any is
    # lowered (a fused design's dataflows drain in different cycles)
    own = timer.runs(dict(spec.loops))
    # a dataflow that reads its output memory adds to what is there: its reduction may span tiles
    accumulates = [any(sum(a.reads) for a in run.sram if a.tensor == spec.output.name)
                   for run in own]
    results = []
    for index, layer in enumerate(layers):
        extents = timer.template.extents(layer)
        runs = []
        for flow in flows:
            tile = choose_tile(timer.template, flow, extents, capacity, double_buffer,
                               own[flow].drain, layer.name, accumulates[flow])
            runs.append(run_layer(timer.template, flow, extents, tile, timer.runs(tile)[flow],
                                  dram_bw, double_buffer, table, layer.macs))
        key = (lambda r: (r.total_cycles, r.energy)) if objective == "cycles" \
            else (lambda r: (r.energy, r.total_cycles))
        results.append(LayerResult(layer, tuple(sorted(extents.items())), tuple(runs),
                                   min(runs, key=key)))
        if progress is not None:
            progress(index + 1, len(layers))
    return NetworkResult(spec.name, spec.dataflows[0].num_fus, objective,
                         None if capacity is None else tuple(sorted(capacity.items())),
                         dram_bw, double_buffer, tuple(results),
                         timer.lowered_shapes - before)
