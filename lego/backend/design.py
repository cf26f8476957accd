"""The lowered design: its dataflows' step counters, its tensors' storage, its primitive graph.

The step counters of every dataflow travel as one packed net (the ``ctrl`` node): per dataflow
in order, a step-valid bit and then the loop counters, outermost first, each ``counter_width``
bits. The controller packs it that way and the primitives unpack it with ``counter_fields``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from lego.backend.primitives import PrimitiveGraph
from lego.widths import index_bits

__all__ = ["COUNTER", "Flow", "TensorGeometry", "Design", "counter_width", "counters_width",
           "bubbles_width", "bubbles_field",
           "counter_fields"]

COUNTER = "ctrl"  # the node holding the packed step counters


@dataclass(frozen=True)
class Flow:
    """A dataflow's temporal steps. The controller issues one step per cycle; before each tile
    (one sweep of the loops from ``bubble_level`` in, e.g. a weight tile's) it may issue
    ``bubbles`` steps that compute nothing (step-valid 0, the counters held at the tile's first
    step): time in which registers move data no step computes with (weights preloaded down a
    chain; lego.backend.step_values lists the issued steps)."""

    name: str
    index: int  # the value of the ``dataflow`` select that runs it
    bounds: tuple[int, ...]  # temporal loop bounds, outermost first
    names: tuple[str, ...]
    bubbles: int = 0
    bubble_level: int = 0  # the outermost loop of a tile (0: one tile, bubbles at the start)

    def __post_init__(self):
        if self.bubbles < 0 or not 0 <= self.bubble_level <= len(self.bounds):
            raise ValueError(f"dataflow {self.name}: {self.bubbles} bubbles before tiles of "
                             f"loops {self.bubble_level}.. of {len(self.bounds)}")

    @property
    def num_steps(self) -> int:
        """The steps that compute."""
        return math.prod(self.bounds)

    @property
    def tiles(self) -> int:
        return math.prod(self.bounds[:self.bubble_level])

    @property
    def issued_steps(self) -> int:
        """Every step the controller issues: the computing ones and the bubbles."""
        return self.num_steps + self.bubbles * self.tiles


@dataclass(frozen=True)
class TensorGeometry:
    """A tensor's storage in the RTL: ``banks`` memories of ``bits``-bit words, bank b holding
    ``bank_depths[b]`` words: enough for every dataflow whose banking uses bank b. Dataflows bank
    a tensor differently (OS: C in 64 banks of 4 words; WS: in 8 of 32), so sizing every bank
    for the deepest would store 8 times the tensor; ``depth`` is the deepest bank."""

    name: str
    index: int  # host_tensor value
    role: str
    bits: int
    signed: bool
    shape: tuple[int, ...]
    banks: int
    bank_depths: tuple[int, ...]

    @property
    def depth(self) -> int:
        return max(self.bank_depths)

    @property
    def bank_bits(self) -> int:
        return index_bits(self.banks)

    @property
    def address_bits(self) -> int:
        return index_bits(self.depth)


@dataclass(frozen=True)
class Design:
    name: str
    flows: tuple[Flow, ...]
    tensors: tuple[TensorGeometry, ...]
    num_fus: int
    graph: PrimitiveGraph

    def tensor(self, name: str) -> TensorGeometry:
        return next(t for t in self.tensors if t.name == name)

    def flow(self, name: str) -> Flow:
        return next(f for f in self.flows if f.name == name)

    def dump(self) -> str:
        """Stable text: dataflows, tensor storage, then the primitive graph."""
        lines = [f"design {self.name}: {self.num_fus} FUs, "
                 f"{self.graph.graph.number_of_nodes()} primitives"]
        lines += [f"  flow {f.index} {f.name}: loops "
                  + " ".join(f"{n}<{b}" for n, b in zip(f.names, f.bounds, strict=True))
                  for f in self.flows]
        lines += [f"  tensor {t.index} {t.name} ({t.role}, {'' if t.signed else 'u'}int{t.bits}"
                  f" {list(t.shape)}): {t.banks} banks x {t.depth} words" for t in self.tensors]
        return "\n".join(lines + self.graph.dump())


def counter_width(bound: int) -> int:
    """Bits of one loop counter (0 .. bound-1)."""
    return index_bits(bound)


def bubbles_width(flow: Flow) -> int:
    """Bits of a dataflow's bubbles-left field (none without bubbles)."""
    return index_bits(flow.bubbles + 1) if flow.bubbles else 0


def counters_width(flows: tuple[Flow, ...]) -> int:
    """Bits of the packed counters of every dataflow."""
    return sum(1 + sum(counter_width(b) for b in f.bounds) + bubbles_width(f) for f in flows)


def counter_fields(flows: tuple[Flow, ...], packed) -> list[tuple[object, list]]:
    """Per dataflow (valid bit, [counter values]) sliced out of the packed counters (any value
    that supports bit slicing, e.g. an Amaranth signal)."""
    return [(valid, counters) for valid, counters, _ in _fields(flows, packed)]


def bubbles_field(flows: tuple[Flow, ...], packed, flow: int):
    """Dataflow ``flow``'s bubbles left (``bubbles`` .. 1 in its bubbles, else 0: a preload's
    step, lego.backend.semantics.PreloadLoad) sliced out of the packed counters."""
    return _fields(flows, packed)[flow][2]


def _fields(flows, packed) -> list[tuple[object, list, object]]:
    out, offset = [], 0
    for flow in flows:
        valid = packed[offset]
        offset += 1
        counters = []
        for bound in flow.bounds:
            width = counter_width(bound)
            counters.append(packed[offset:offset + width])
            offset += width
        left = packed[offset:offset + bubbles_width(flow)] if flow.bubbles else None
        offset += bubbles_width(flow)
        out.append((valid, counters, left))
    return out
