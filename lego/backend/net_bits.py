"""How many flip-flops a register on each net of the primitive graph really takes.

A net is declared at its word's width (32 bits for an int32 output's products and sums), but
only the bits that carry information become flip-flops: above the bits that hold every value
the net can take, a signed value's bits are copies of its sign bit (Yosys merges the flip-flops
of equal inputs into one) and an unsigned value's are 0 (constants, removed). An int8 x int8
product therefore registers in 16 flip-flops, a 20-bit partial sum (lego.backend.partial_sums)
in 20. The pipelining LP (lego.backend.pipeline) prices a register at these bits, so that it
compares the placements that synthesis will actually build.

The bits come from each net's value range, propagated through the datapath primitives
(products, sums, muxes, wires); every other net (control, addresses, memory read data) is taken
at its full width. Each pass is sound on its own (a value arriving over a loop-carried edge is
taken at the range of the previous pass, the full width in the first), so the ranges only
narrow from one pass to the next."""

from __future__ import annotations

from lego.backend.partial_sums import signed_bits
from lego.backend.primitives import PrimitiveGraph
from lego.backend.semantics import FlowMux, GateMux, PredMux, Product, Sum, Wire

__all__ = ["register_bits_per_net"]

_PASSES = 3  # a loop-carried sum needs two (its feedback's range comes from the first)

Range = tuple[int, int] | None  # (least, greatest) value; None: any pattern of the net's width


def register_bits_per_net(graph: PrimitiveGraph) -> dict[str, int]:
    """Per node, the flip-flops one register on its output net takes."""
    order = _order(graph)
    ranges: dict[str, Range] = {}
    for _ in range(_PASSES):
        previous = dict(ranges)
        for name in order:
            ranges[name] = _range(graph, name, ranges, previous)
        if ranges == previous:
            break
    return {name: _bits(ranges.get(name), graph.primitive(name).width)
            for name in graph.graph.nodes}


def _order(graph: PrimitiveGraph) -> list[str]:
    """The nodes with every same-step producer before its consumers (a loop always carries a
    dataflow distance, so the same-step edges form no cycle)."""
    import networkx as nx

    same_step = nx.DiGraph()
    same_step.add_nodes_from(sorted(graph.graph.nodes))
    same_step.add_edges_from((u, v) for u, v, data in graph.graph.edges(data=True)
                             if data["conn"].distance == 0)
    return list(nx.lexicographical_topological_sort(same_step))


def _needed(lo: int, hi: int) -> int:
    """The bits a pattern needs to hold every value from lo to hi: unsigned where none is
    negative (the bits above are 0), else two's complement (the bits above copy the sign)."""
    return max(1, hi.bit_length()) if lo >= 0 else signed_bits(lo, hi)


def _bits(value: Range, width: int) -> int:
    return width if value is None else min(_needed(*value), width)


def _fits(value: Range, width: int) -> Range:
    """``value`` if a net of ``width`` bits holds every value of it, else None (it wraps)."""
    return value if value is not None and _needed(*value) <= width else None


def _full(width: int, signed: bool) -> tuple[int, int]:
    return (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)


def _as(value: Range, width: int, signed: bool) -> tuple[int, int]:
    """The range of a net's ``width``-bit pattern read as a signed or unsigned number."""
    if value is None:
        return _full(width, signed)
    lo, hi = value
    if signed and lo >= 0 and hi >= 1 << (width - 1):
        return _full(width, True)  # a pattern with its top bit set reads negative
    if not signed and lo < 0:
        return _full(width, False)
    return value


def _union(values: list[Range]) -> Range:
    if any(v is None for v in values):
        return None
    return min(v[0] for v in values), max(v[1] for v in values)


def _range(graph: PrimitiveGraph, name: str, ranges: dict[str, Range],
           previous: dict[str, Range]) -> Range:
    prim = graph.primitive(name)
    params = prim.params
    conns = graph.inputs(name)
    inputs = [(ranges if c.distance == 0 else previous).get(c.src) for c in conns]
    if isinstance(params, Wire):
        return _fits(inputs[0], prim.width)
    if isinstance(params, (FlowMux, GateMux, PredMux)):
        if isinstance(params, FlowMux):
            picked = [(0, 0) if i is None else inputs[i] for i in params.selects]
        elif isinstance(params, GateMux):
            picked = [(0, 0), inputs[1]]
        else:
            picked = inputs[1:]
        return _fits(_union(picked), prim.width)
    if isinstance(params, Product):
        operands = [_as(value, graph.primitive(c.src).width, signed)
                    for value, c, signed in zip(inputs, conns, params.signed, strict=True)]
        lo = hi = 1
        for low, high in operands:
            corners = [x * y for x in (lo, hi) for y in (low, high)]
            lo, hi = min(corners), max(corners)
        return _fits((lo, hi), prim.width)
    if isinstance(params, Sum):
        return _sum(params, inputs, prim.width)
    return None


def _sum(params: Sum, inputs: list[Range], width: int) -> Range:
    """A sum's range; a partial sum of ``params.bits`` wraps there and is sign-extended."""
    if len(inputs) == 1:
        return _fits(inputs[0], width)
    total = None if any(v is None for v in inputs) else (sum(v[0] for v in inputs),
                                                        sum(v[1] for v in inputs))
    if params.bits:
        return total if total is not None and signed_bits(*total) <= params.bits else _full(
            params.bits, True)
    return _fits(total, width)
