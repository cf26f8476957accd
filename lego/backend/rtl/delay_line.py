"""Delay line for a delay (FIFO) connection: the output is the input of ``depth`` steps ago.

A step is a cycle with ``en`` high, so the line stalls with the array. Short lines are register
chains (cheapest, no address logic); long ones are a circular buffer in a memory with one write
port and one asynchronous read port at the same address (read-before-write).
"""

from __future__ import annotations

from amaranth import Module, Signal, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

__all__ = ["DelayLine", "SHIFT_REGISTER_MAX_DEPTH"]

SHIFT_REGISTER_MAX_DEPTH = 8  # beyond this a memory plus a pointer is smaller than flip-flops


class DelayLine(wiring.Component):
    def __init__(self, width: int, depth: int):
        self._MustUse__silence = True  # a rejected component is never elaborated
        if not isinstance(width, int) or width < 1:
            raise ValueError(f"Width must be a positive integer, not {width!r}")
        if not isinstance(depth, int) or depth < 0:
            raise ValueError(f"Depth must be a non-negative integer, not {depth!r}")
        self._MustUse__silence = False
        self.width, self.depth = width, depth
        super().__init__({"en": In(1), "i": In(unsigned(width)), "o": Out(unsigned(width))})

    def elaborate(self, platform):
        m = Module()
        if self.depth == 0:
            m.d.comb += self.o.eq(self.i)
        elif self.depth <= SHIFT_REGISTER_MAX_DEPTH:
            stages = [Signal(self.width, name=f"stage{n}") for n in range(self.depth)]
            with m.If(self.en):
                m.d.sync += stages[0].eq(self.i)
                m.d.sync += [b.eq(a) for a, b in zip(stages, stages[1:], strict=False)]
            m.d.comb += self.o.eq(stages[-1])
        else:
            m.submodules.buffer = buffer = memory.Memory(shape=unsigned(self.width),
                                                         depth=self.depth, init=[])
            pointer = Signal(range(self.depth))
            write = buffer.write_port()
            read = buffer.read_port(domain="comb")
            m.d.comb += [read.addr.eq(pointer), write.addr.eq(pointer), write.data.eq(self.i),
                         write.en.eq(self.en), self.o.eq(read.data)]
            with m.If(self.en):
                m.d.sync += pointer.eq(pointer + 1)
                with m.If(pointer == self.depth - 1):
                    m.d.sync += pointer.eq(0)
        return m
