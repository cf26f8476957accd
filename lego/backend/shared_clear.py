"""The accumulator clear of an adder the dataflows share, and who may read through it.

A multi-dataflow PE adds ``product + (own sum, cleared at its first step | upstream sum)``
(lego.backend.lower.shared_sum). Its clear (``RunningFirst``) fires only while its own dataflow
runs, so the sum's first register can take it as a synchronous reset (an ECP5 flip-flop's LSR
pin, free): that register is then the accumulator, and in every other dataflow also the partial
sum that downstream FUs and read-modify-write adds tap (lego.backend.rtl.fu_kinds
.shares_register). What must not read the sum through that register is a consumer in the
clearing dataflow itself, e.g. an output stationary array's memory write, which needs the
finished sum in the cycle the clear lands: where the LP taps it after a register, the gate
stays a LUT per bit in front of the adder. The LP prices such a tap as those LUTs
(lego.backend.pipeline), so it taps the sum itself wherever the timing and the registers that
takes cost less: in a fused array it staggers the rows' adders a stage apart rather than pair
two in one stage, whose second could only be written after its register."""

from __future__ import annotations

from lego.backend.primitives import Connection, PrimitiveGraph
from lego.backend.semantics import FlowMux, GateMux, RunningFirst, WriteEnable

__all__ = ["clearing_flow", "same_flow_readers"]


def clearing_flow(graph: PrimitiveGraph, name: str) -> int | None:
    """The dataflow whose clear gate ``name`` is (clear ? 0 : sum), when it is a shared
    adder's accumulator term; else None."""
    if not isinstance(graph.primitive(name).params, GateMux):
        return None
    clear = graph.primitive(graph.inputs(name)[0].src).params
    return clear.flow if isinstance(clear, RunningFirst) else None


def same_flow_readers(graph: PrimitiveGraph, gate: str) -> list[Connection]:
    """The connections out of gate ``gate``'s sum (other than into the gate) that may read the
    sum while the gate's dataflow runs: all but dataflow-mux inputs other dataflows select and
    memory writes (or what feeds only them) enabled only in other dataflows."""
    flow = clearing_flow(graph, gate)
    total = graph.inputs(gate)[1].src
    readers = []
    for _, dst, conn in sorted(graph.graph.out_edges(total, data="conn"), key=lambda e: e[1]):
        if dst == gate:
            continue
        params = graph.primitive(dst).params
        if isinstance(params, FlowMux):
            if params.selects[flow] == conn.operand:
                readers.append(conn)
        elif not all(_other_flow_write(graph, w, flow)
                     for w in [dst, *graph.graph.successors(dst)]):
            readers.append(conn)
    return readers


def _other_flow_write(graph: PrimitiveGraph, name: str, flow: int) -> bool:
    """``name`` is a memory write enabled only in a dataflow other than ``flow``, or feeds
    only memory writes (which are checked themselves)."""
    prim = graph.primitive(name)
    if prim.kind != "mem_write":
        return all(graph.primitive(s).kind == "mem_write" for s in graph.graph.successors(name))
    enable = graph.primitive(graph.inputs(name)[0].src).params
    return isinstance(enable, WriteEnable) and enable.flow != flow
