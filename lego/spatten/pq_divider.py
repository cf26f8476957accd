"""Sequential restoring divider for the softmax maximum: p_max = floor(2**(2P) / Z)."""

from __future__ import annotations

from amaranth import Module, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.spatten.pq_params import PqParams

__all__ = ["PqDivider"]


class PqDivider(wiring.Component):
    """``start`` loads Z (which is >= 2**P because the maximum element is exactly 1.0); one
    quotient bit per cycle, most significant first, so ``quotient`` is final after P + 1 cycles
    and ``last`` is high in the cycle that computes the final bit. A quotient never exceeds 2**P,
    hence P + 1 bits and steps."""

    def __init__(self, params: PqParams):
        if not isinstance(params, PqParams):
            raise TypeError(f"params must be PqParams, not {params!r}")
        self.params = params
        p = params.prob_bits
        super().__init__({
            "start": In(1),
            "total": In(unsigned(params.sum_width)),
            "busy": Out(1),
            "last": Out(1),
            "quotient": Out(unsigned(p + 1)),
            "result": Out(unsigned(p + 1)),  # the final quotient, combinationally, when last
        })

    def elaborate(self, platform):
        p = self.params.prob_bits
        m = Module()
        rem = Signal(unsigned(2 * p + 1))  # holds 2**(2P) - (bits already subtracted)
        divisor = Signal(unsigned(self.params.sum_width + p))
        step = Signal(range(p + 2))
        fits = rem >= divisor
        m.d.comb += [self.last.eq(self.busy & (step == p)),
                     self.result.eq((self.quotient << 1) | fits)]
        with m.If(self.start):
            m.d.sync += [rem.eq(1 << (2 * p)), divisor.eq(self.total << p), step.eq(0),
                         self.quotient.eq(0), self.busy.eq(1)]
        with m.Elif(self.busy):
            m.d.sync += [self.quotient.eq((self.quotient << 1) | fits),
                         divisor.eq(divisor >> 1), step.eq(step + 1)]
            with m.If(fits):
                m.d.sync += rem.eq(rem - divisor)
            with m.If(step == p):
                m.d.sync += self.busy.eq(0)
        return m
