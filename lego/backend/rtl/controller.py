"""The controller: walks the selected dataflow's temporal steps, one per cycle, then waits for
the pipeline to drain (per dataflow: until its last memory write, :func:`drain_cycles`) and
raises ``done`` on the clock edge of that write, so ``done`` is high the cycle right after it.
Its ``counters`` output packs, per dataflow in order, a step-valid bit and
the loop counters (outermost first): the layout of :mod:`lego.backend.design`."""

from __future__ import annotations

from amaranth import Cat, Const, Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Flow, bubbles_width, counter_width, counters_width
from lego.widths import index_bits

__all__ = ["Controller"]


class Controller(wiring.Component):
    def __init__(self, flows: tuple[Flow, ...], drain: tuple[int, ...] | int):
        if not flows:
            raise ValueError("Need at least one dataflow")
        drains = (drain,) * len(flows) if isinstance(drain, int) else tuple(drain)
        if len(drains) != len(flows) or not all(isinstance(d, int) and d >= 0 for d in drains):
            raise ValueError(f"Drain cycles must be a non-negative integer per dataflow, not "
                             f"{drain!r}")
        self.flows, self.drains = flows, drains
        super().__init__({
            "start": In(1),
            "flow": In(unsigned(index_bits(len(flows)))),
            "counters": Out(unsigned(counters_width(flows))),
            "busy": Out(1),
            "done": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        running = Signal()
        remaining = Signal(range(max(self.drains) + 1))
        draining = Signal()
        fields = []
        self.reload: dict[int, Signal] = {}  # per dataflow with bubbles, the bubbles left
        for flow in self.flows:
            counters = [Signal(range(b) if b > 1 else 1, name=f"{flow.name}_{n}")
                        for b, n in zip(flow.bounds, flow.names, strict=True)]
            valid = Signal(name=f"{flow.name}_valid")
            selected = running & (self.flow == flow.index)
            bubble = self._bubbles(m, flow, selected)
            m.d.comb += valid.eq(selected if bubble is None else selected & ~bubble)
            fields.append(valid)
            fields.extend(c[:counter_width(b)] for c, b in zip(counters, flow.bounds,
                                                                strict=True))
            if bubble is not None:  # the bubbles left, 0 unless this dataflow is selected
                left = Signal(bubbles_width(flow), name=f"{flow.name}_left")
                m.d.comb += left.eq(Mux(selected, self.reload[flow.index], 0))
                fields.append(left)
            self._advance(m, flow, counters, valid, running, remaining, draining)
        # busy (= running | draining) is a flip-flop of its own, not an OR of the two: it
        # selects every bank's ports between host and datapath, and a fan-out that wide must
        # start at a register
        m.d.comb += self.counters.eq(Cat(*fields))
        with m.If(self.start):
            m.d.sync += [running.eq(1), draining.eq(0), self.done.eq(0), self.busy.eq(1)]
        with m.Elif(draining):
            with m.If(remaining == 0):
                m.d.sync += [draining.eq(0), self.done.eq(1), self.busy.eq(0)]
            with m.Else():
                m.d.sync += remaining.eq(remaining - 1)
        return m

    def _bubbles(self, m, flow, selected):
        """1 while the dataflow issues a bubble (lego.backend.design.Flow; None: it issues
        none): ``flow.bubbles`` of them after ``start`` and after each step that ends a tile
        but not the run."""
        if not flow.bubbles:
            return None
        left = Signal(range(flow.bubbles + 1), name=f"{flow.name}_bubbles",
                      init=flow.bubbles)
        self.reload[flow.index] = left
        with m.If(self.start):
            m.d.sync += left.eq(flow.bubbles)
        with m.Elif(selected & (left != 0)):
            m.d.sync += left.eq(left - 1)
        return left != 0

    def _advance(self, m, flow, counters, valid, running, remaining, draining):
        """Odometer step of this dataflow's counters; the last step hands over to the drain."""
        at_end = [c == b - 1 for c, b in zip(counters, flow.bounds, strict=True)]
        with m.If(self.start):
            m.d.sync += [c.eq(0) for c in counters]
        with m.Elif(valid):
            last = at_end[0] if at_end else Const(1, 1)  # no temporal loop: one step
            for flag in at_end[1:]:
                last = last & flag
            drain = self.drains[flow.index]
            with m.If(last):
                if drain == 0:  # the last write is this step's: done with it
                    m.d.sync += [running.eq(0), self.done.eq(1), self.busy.eq(0)]
                else:
                    m.d.sync += [running.eq(0), draining.eq(1), remaining.eq(drain - 1)]
            for level in reversed(range(len(counters))):
                cond = ~at_end[level]
                for flag in at_end[level + 1:]:
                    cond = cond & flag
                with m.If(cond):
                    m.d.sync += counters[level].eq(counters[level] + 1)
                    m.d.sync += [c.eq(0) for c in counters[level + 1:]]
                    if flow.bubbles and level < flow.bubble_level:  # a new tile
                        m.d.sync += self.reload[flow.index].eq(flow.bubbles)
