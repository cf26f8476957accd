"""Cycles and SRAM accesses of one tile: the spec regenerated at the tile's loop bounds, lowered
and scheduled exactly as ``lego gen`` does for its RTL (no Verilog), then timed by
:func:`sim.design.simulate_design` (1 start + steps + drain + 1 done; the same count ``lego
verify`` measures on the RTL). Lowering costs ~0.1-0.5 s for a 16x16 array, so each distinct
tile shape is lowered once per :class:`TileTimer`; keep one timer per design to share them
across layers and calls."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.design import DesignRun, simulate_design
from sim.spec_layers.template import Template

__all__ = ["Capacity", "TileTimer"]


@dataclass(frozen=True)
class Capacity:
    """On-chip elements per tensor: banks x depth of the design generated at the spec's size."""

    elements: tuple[tuple[str, int], ...]
    geometry: tuple[tuple[str, int, int], ...]  # (tensor, banks, depth)


@dataclass
class TileTimer:
    """Lowers tiles of one template at one clock period, each distinct shape once."""

    template: Template
    period_ns: float | None = None
    _runs: dict = field(default_factory=dict, repr=False)
    _memories: dict = field(default_factory=dict, repr=False)

    def runs(self, tile: dict[str, int]) -> tuple[DesignRun, ...]:
        """One run per dataflow of the design generated at ``tile``'s loop bounds."""
        key = tuple(int(tile[loop]) for loop in self.template.spec.loop_names)
        if key not in self._runs:
            design, schedule = self._lower(dict(zip(self.template.spec.loop_names, key,
                                                    strict=True)))
            self._runs[key] = simulate_design(design, schedule)
            self._memories[key] = tuple((t.name, t.banks, t.depth) for t in design.tensors)
        return self._runs[key]

    @property
    def lowered_shapes(self) -> int:
        return len(self._runs)

    def _lower(self, tile: dict[str, int]):
        from lego.backend.passes import run_backend
        from lego.frontend.passes import run_passes
        from lego.spec import parse_spec

        spec = parse_spec(self.template.tile_spec(tile), self.template.spec.source)
        state = run_backend(run_passes(spec).adg, self.period_ns, stop_after="pipeline")
        return state.design, state.schedule

    def capacity(self) -> Capacity:
        """The spec's own design's memories (lowered once, like any tile)."""
        own = dict(self.template.spec.loops)
        self.runs(own)
        geometry = self._memories[tuple(own[loop] for loop in self.template.spec.loop_names)]
        return Capacity(tuple((name, banks * depth) for name, banks, depth in geometry),
                        geometry)
