"""The controller: walks the selected dataflow's temporal steps, one per cycle, then waits for
the pipeline to drain. Its ``counters`` output packs, per dataflow in order, a step-valid bit and
the loop counters (outermost first), the layout the ``ctrl`` node of the primitive graph has."""

from __future__ import annotations

from amaranth import Cat, Module, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.lower import Flow, counter_width

__all__ = ["Controller", "counter_fields"]


def counter_fields(flows: tuple[Flow, ...], packed) -> list[tuple[object, list]]:
    """Per dataflow (valid bit, [counter values]) sliced out of the packed counters."""
    out, offset = [], 0
    for flow in flows:
        valid = packed[offset]
        offset += 1
        counters = []
        for bound in flow.bounds:
            width = counter_width(bound)
            counters.append(packed[offset:offset + width])
            offset += width
        out.append((valid, counters))
    return out


class Controller(wiring.Component):
    def __init__(self, flows: tuple[Flow, ...], drain: int):
        if not flows:
            raise ValueError("Need at least one dataflow")
        if not isinstance(drain, int) or drain < 0:
            raise ValueError(f"Drain cycles must be a non-negative integer, not {drain!r}")
        self.flows, self.drain = flows, drain
        width = sum(1 + sum(counter_width(b) for b in f.bounds) for f in flows)
        super().__init__({
            "start": In(1),
            "flow": In(unsigned(max(1, (len(flows) - 1).bit_length()))),
            "counters": Out(unsigned(width)),
            "busy": Out(1),
            "done": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        running = Signal()
        remaining = Signal(range(self.drain + 2))
        draining = Signal()
        fields = []
        for flow in self.flows:
            counters = [Signal(range(b) if b > 1 else 1, name=f"{flow.name}_{n}")
                        for b, n in zip(flow.bounds, flow.names, strict=True)]
            valid = Signal(name=f"{flow.name}_valid")
            m.d.comb += valid.eq(running & (self.flow == flow.index))
            fields.append(valid)
            fields.extend(c[:counter_width(b)] for c, b in zip(counters, flow.bounds,
                                                                strict=True))
            self._advance(m, flow, counters, valid, running, remaining, draining)
        m.d.comb += [self.counters.eq(Cat(*fields)), self.busy.eq(running | draining)]
        with m.If(self.start):
            m.d.sync += [running.eq(1), draining.eq(0), self.done.eq(0)]
        with m.Elif(draining):
            with m.If(remaining == 0):
                m.d.sync += [draining.eq(0), self.done.eq(1)]
            with m.Else():
                m.d.sync += remaining.eq(remaining - 1)
        return m

    def _advance(self, m, flow, counters, valid, running, remaining, draining):
        """Odometer step of this dataflow's counters; the last step hands over to the drain."""
        at_end = [c == b - 1 for c, b in zip(counters, flow.bounds, strict=True)]
        with m.If(self.start):
            m.d.sync += [c.eq(0) for c in counters]
        with m.Elif(valid):
            last = at_end[0]
            for flag in at_end[1:]:
                last = last & flag
            with m.If(last):
                m.d.sync += [running.eq(0), draining.eq(1), remaining.eq(self.drain)]
            for level in reversed(range(len(counters))):
                cond = ~at_end[level]
                for flag in at_end[level + 1:]:
                    cond = cond & flag
                with m.If(cond):
                    m.d.sync += counters[level].eq(counters[level] + 1)
                    m.d.sync += [c.eq(0) for c in counters[level + 1:]]
