"""Affine address generator: ``address = base + sum_i stride_i * t_i`` over a temporal loop nest,
computed incrementally with one adder (no multipliers).

When loop i advances and every loop inside it wraps to 0, the address changes by
``stride_i - sum_{j inside i} stride_j * (bound_j - 1)``: a constant per loop level, so each step
adds one of ``len(bounds)`` precomputed deltas, chosen by the innermost loop that does not wrap.
"""

from __future__ import annotations

from amaranth import Module, Signal, signed, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

__all__ = ["AddressGenerator", "carry_deltas", "addresses"]


def carry_deltas(bounds: tuple[int, ...], strides: tuple[int, ...]) -> tuple[int, ...]:
    """Address change when loop i advances (outermost first) and all inner loops wrap."""
    deltas = []
    for i in range(len(bounds)):
        inner = sum(strides[j] * (bounds[j] - 1) for j in range(i + 1, len(bounds)))
        deltas.append(strides[i] - inner)
    return tuple(deltas)


def addresses(bounds: tuple[int, ...], strides: tuple[int, ...], base: int) -> list[int]:
    """The Python model: every address in loop order."""
    out = [base]
    counters = [0] * len(bounds)
    deltas = carry_deltas(bounds, strides)
    total = 1
    for b in bounds:
        total *= b
    for _ in range(total - 1):
        level = len(bounds) - 1
        while counters[level] == bounds[level] - 1:
            counters[level] = 0
            level -= 1
        counters[level] += 1
        out.append(out[-1] + deltas[level])
    return out


class AddressGenerator(wiring.Component):
    """Steps through an affine address sequence: ``start`` loads the base, each ``step``
    advances one temporal point; ``last`` is high on the final point."""

    def __init__(self, bounds: tuple[int, ...], strides: tuple[int, ...], base: int = 0):
        # a rejected component is never elaborated; don't let Amaranth warn about that
        self._MustUse__silence = True
        if not bounds or any(not isinstance(b, int) or b < 1 for b in bounds):
            raise ValueError(f"Loop bounds must be positive integers, not {bounds!r}")
        if len(strides) != len(bounds):
            raise ValueError(f"Need one stride per loop bound, not {strides!r} for {bounds!r}")
        self.bounds, self.strides, self.base = tuple(bounds), tuple(strides), base
        sequence = addresses(self.bounds, self.strides, base)
        if min(sequence) < 0:
            raise ValueError(f"Address sequence goes negative ({min(sequence)})")
        self.addr_width = max(1, max(sequence).bit_length())
        self._MustUse__silence = False
        super().__init__({
            "start": In(1),
            "step": In(1),
            "address": Out(unsigned(self.addr_width)),
            "last": Out(1),
        })

    def elaborate(self, platform):
        m = Module()
        deltas = carry_deltas(self.bounds, self.strides)
        width = self.addr_width + 1 + max(abs(d) for d in deltas).bit_length()
        counters = [Signal(range(b), name=f"count{i}") for i, b in enumerate(self.bounds)]
        address = Signal(signed(width))
        m.d.comb += self.address.eq(address)
        at_end = [c == b - 1 for c, b in zip(counters, self.bounds, strict=True)]
        last = Signal()
        m.d.comb += last.eq(at_end[0])
        for flag in at_end[1:]:
            last_next = Signal()
            m.d.comb += last_next.eq(last & flag)
            last = last_next
        m.d.comb += self.last.eq(last)
        with m.If(self.start):
            m.d.sync += address.eq(self.base)
            m.d.sync += [c.eq(0) for c in counters]
        with m.Elif(self.step & ~self.last):
            self._advance(m, counters, at_end, deltas, address)
        return m

    @staticmethod
    def _advance(m, counters, at_end, deltas, address):
        """The innermost level that is not at its end advances; every level inside it wraps.
        The conditions of different levels are mutually exclusive."""
        levels = len(counters)
        for level in reversed(range(levels)):
            inner_wrap = [at_end[j] for j in range(level + 1, levels)]
            cond = ~at_end[level]
            for flag in inner_wrap:
                cond = cond & flag
            with m.If(cond):
                m.d.sync += counters[level].eq(counters[level] + 1)
                m.d.sync += [counters[j].eq(0) for j in range(level + 1, levels)]
                m.d.sync += address.eq(address + deltas[level])
