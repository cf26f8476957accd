"""Cycles and SRAM accesses of one tile: the spec regenerated at the tile's loop bounds, lowered
and scheduled exactly as ``lego gen`` does for its RTL (no Verilog), then timed by
:func:`sim.design.simulate_design` (1 start + steps + the dataflow's own drain; the same count
``lego verify`` measures on the RTL). Lowering costs ~0.1-0.5 s for a 16x16 array, so a tile
whose structure class (:mod:`sim.spec_layers.tile_derive`) already has a lowered
representative is derived from it instead (its own steps and SRAM counts, the class's drain),
and each distinct tile shape is timed once per :class:`TileTimer`; keep one timer per design to
share them across layers and calls. Timed tiles are also kept on disk
(:mod:`sim.spec_layers.tile_store`), so a later process on the same design and code times none
of them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.design import DesignRun, simulate_design
from sim.spec_layers import tile_derive, tile_store
from sim.spec_layers.template import Template

__all__ = ["Capacity", "TileTimer"]


@dataclass(frozen=True)
class Capacity:
    """On-chip elements per tensor: banks x depth of the design generated at the spec's size."""

    elements: tuple[tuple[str, int], ...]
    geometry: tuple[tuple[str, int, int], ...]  # (tensor, banks, depth)


@dataclass
class TileTimer:
    """Times tiles of one template at one clock period, each distinct shape once: from memory,
    else from the on-disk cache in ``cache`` (None: no disk cache), else by lowering it."""

    template: Template
    period_ns: float | None = None
    cache: Path | None = field(default_factory=tile_store.default_folder)
    # False: lower every distinct tile in full (what tile_derive's tests compare against)
    derive: bool = True
    read_from_disk: int = field(default=0, init=False)  # tiles the disk cache gave
    derived: int = field(default=0, init=False)  # of lowered_shapes: derived from their class
    lowered_in_full: int = field(default=0, init=False)  # designs lowered and scheduled
    _lowered: int = field(default=0, init=False, repr=False)
    _runs: dict = field(default_factory=dict, init=False, repr=False)
    _memories: dict = field(default_factory=dict, init=False, repr=False)
    _stages: tuple | None = field(default=None, init=False, repr=False)  # of the last lowering
    _classes: dict = field(default_factory=dict, init=False, repr=False)  # key -> representative

    def runs(self, tile: dict[str, int]) -> tuple[DesignRun, ...]:
        """One run per dataflow of the design generated at ``tile``'s loop bounds."""
        key = tuple(int(tile[loop]) for loop in self.template.spec.loop_names)
        if key not in self._runs:
            data = self.template.tile_spec(dict(zip(self.template.spec.loop_names, key,
                                                    strict=True)))
            stored = tile_store.tile_key(data, self.period_ns)
            entry = tile_store.read_entry(self.cache, stored)
            if entry is None:
                entry = self._time(data)
                self._lowered += 1
                tile_store.write_entry(self.cache, stored, *entry)
            else:
                self.read_from_disk += 1
            self._runs[key], self._memories[key] = entry
        return self._runs[key]

    def _time(self, data: dict):
        """(runs, memories) of a tile not timed before: derived from its class's lowered
        representative (memories unknown: ()), else lowered in full."""
        from lego.spec import parse_spec

        spec = parse_spec(data, self.template.spec.source)
        structure = tile_derive.structure_key(spec, self.period_ns) if self.derive else None
        bounds = tuple(f.temporal_bounds for f in spec.dataflows)
        rep = next((r for r in self._classes.get(structure, ()) if r.serves(bounds)), None)
        if rep is not None:
            self.derived += 1
            return tile_derive.derive(rep, bounds, tuple(f.name for f in spec.dataflows)), ()
        design, schedule = self._lower(spec)
        runs = simulate_design(design, schedule)
        rep = tile_derive.represent(design, tuple(r.drain for r in runs))
        # at the default period the key leaves out the block-RAM delays: sound only while no
        # path is slow enough for a timing constraint (else this class is lowered tile by tile)
        timed = self.period_ns is None and schedule.timing_constraints
        if structure is not None and rep is not None and not timed:
            self._classes.setdefault(structure, []).append(rep)
        return runs, tuple((t.name, t.banks, t.depth) for t in design.tensors)

    @property
    def lowered_shapes(self) -> int:
        """Tile designs this timer timed, neither in memory nor on disk: each lowered in full
        or derived from its class's lowered representative (``derived`` of them)."""
        return self._lowered

    def _lower(self, spec):
        from lego.backend.passes import run_backend
        from lego.frontend.passes import run_passes

        self.lowered_in_full += 1

        # tiles of one design differ in loop bounds, so in net widths, and mostly share their
        # optimal stages: the last tile's are a hint that spares the LP solver (same answer)
        state = run_backend(run_passes(spec).adg, self.period_ns, stop_after="pipeline",
                            stage_hint=self._stages)
        self._stages = state.schedule.stages
        return state.design, state.schedule

    def capacity(self) -> Capacity:
        """The spec's own design's memories: from its timed tile where there is one, else
        from the front end's memory geometry (what the lowering sizes its memories by,
        lego.backend.layout.geometry), without lowering or scheduling it."""
        own = dict(self.template.spec.loops)
        key = tuple(own[loop] for loop in self.template.spec.loop_names)
        if key not in self._memories:
            data = self.template.tile_spec(own)
            entry = tile_store.read_entry(self.cache, tile_store.tile_key(data, self.period_ns))
            if entry is not None:
                self.read_from_disk += 1
                self._runs[key], self._memories[key] = entry
        if not self._memories.get(key):
            from lego.backend import layout
            from lego.frontend.passes import run_passes
            from lego.spec import parse_spec

            spec = parse_spec(self.template.tile_spec(own), self.template.spec.source)
            self._memories[key] = tuple((t.name, t.banks, t.depth)
                                        for t in layout.geometry(run_passes(spec).adg))
        memories = self._memories[key]
        return Capacity(tuple((name, banks * depth) for name, banks, depth in memories),
                        memories)
