"""A stationary operand preloaded down a chain of FUs (``preload: {B: p}`` in a dataflow,
lego.ir.Dataflow.preload), as a hand-written systolic array loads its weights.

The front end gives the operand a chain along the spatial index (lego.frontend.reuse: candidate
kind ``preload``), so only the chain's first FU (p = 0) has a memory port; the dataflow's Flow
issues ``P - 1`` bubbles before each tile, P the chain's length (lego.frontend.adg
.FlowConfig.bubbles). In the bubble with ``left`` bubbles to go the first FU reads the element
of FU ``left`` (lego.backend.semantics.PreloadAddress) and every FU p <= left takes its
upstream's word (PreloadLoad: the chain passes it down in that step), so element p stops at FU
p; the tile's first step reads FU 0's own. Each FU holds its word over the tile in the register
its operand has anyway: one register per FU and one memory port per chain, where reading each
FU's word from memory took a port per FU and, in a fused array whose other dataflow passes the
operand down the same chain, a dataflow mux per FU."""

from __future__ import annotations

from lego.backend.design import Flow
from lego.backend.semantics import BubbleRead, PreloadLoad
from lego.errors import LegoError
from lego.frontend.adg import ADG

__all__ = ["BUBBLES", "flows", "chain_position", "load_predicate", "bubble_reads"]

# dataflow name -> (bubbles, bubble_level): set by tests only, to run bubbles without a preload
BUBBLES: dict[str, tuple[int, int]] = {}


def flows(adg: ADG) -> tuple[Flow, ...]:
    """The design's dataflows with the bubbles their preloads take."""
    out = tuple(Flow(f.name, i, f.bounds, f.loop_names, *BUBBLES.get(f.name, f.bubbles))
                for i, f in enumerate(adg.flows))
    for flow in out:
        # a FIFO's depth counts steps, and its shift register moves every cycle: bubbles
        # between a value's push and pop would deliver it early (lego.frontend.adg refuses
        # such a preload; the test knob BUBBLES reaches here)
        if flow.bubbles and any(use.kind == "delay" for e in adg.edges for use in e.uses
                                if use.dataflow == flow.name):
            raise LegoError(f"dataflow {flow.name}: bubbles with a FIFO edge")
        # an output summed in the FUs over a loop outside the tile would take the bubbles'
        # products too (lego.spec_preload refuses such a preload)
        output = next(t for t in adg.tensors if t.role == "output").name
        held = adg.flows[flow.index].flags(output).invariant_to
        if flow.bubbles and any(flow.names.index(n) < flow.bubble_level for n in held):
            raise LegoError(f"dataflow {flow.name}: bubbles inside {output}'s sums")
    return out


def chain_position(adg: ADG, flow: str, tensor: str, coord: tuple[int, ...]) -> int | None:
    """An FU's place on ``tensor``'s preload chain in ``flow`` (None: not preloaded)."""
    along = dict(adg.flow(flow).preload).get(tensor)
    return None if along is None else coord[along]


def load_predicate(lowering, fu: str, tensor: str, flow: str) -> str | None:
    """The node of the predicate on which ``fu`` takes its upstream's word on ``tensor``'s
    chain in ``flow`` instead of holding its own (None: not preloaded, or at the chain's head:
    an FU there that does not read memory itself takes a broadcast of one that does, and holds
    it as any stationary operand, from the tile's first step, which the bubbles repeat)."""
    row = chain_position(lowering.adg, flow, tensor, lowering.coords[fu])
    return None if not row else lowering.pred(flow, "preload", (row,),
                                              PreloadLoad(lowering.flow(flow).index, row))


def bubble_reads(lowering, tensor: str, flows: list[str]) -> tuple[BubbleRead, ...]:
    """The ReadEnable terms of a chain's first FU's port: it also reads in every bubble of
    the dataflows that preload ``tensor`` (at PreloadAddress)."""
    return tuple(BubbleRead(lowering.flow(f).index) for f in flows
                 if lowering.adg.memory(f, tensor).preload_stride is not None)
