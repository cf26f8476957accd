"""Combinational base-2 exponential unit: e = 2**(-diff * c) in the engine's fixed point."""

from __future__ import annotations

from amaranth import Array, C, Module, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.spatten.pq_params import PqParams

__all__ = ["PqExp"]


class PqExp(wiring.Component):
    """``exp = LUT[frac(y)] >> int(y)`` with ``y = diff * scale_const`` scaled to exp_lut_bits
    fraction bits (see pq_params). Zero once the integer part exceeds prob_bits."""

    def __init__(self, params: PqParams):
        if not isinstance(params, PqParams):
            raise TypeError(f"params must be PqParams, not {params!r}")
        self.params = params
        super().__init__({
            "diff": In(unsigned(params.diff_width)),
            "exp": Out(unsigned(params.exp_width)),
        })

    def elaborate(self, platform):
        p = self.params
        m = Module()
        product = self.diff * C(p.scale_const, p.scale_const.bit_length())
        y = product >> p.exp_shift if p.exp_shift >= 0 else product << -p.exp_shift
        frac = y[:p.exp_lut_bits]
        whole = y[p.exp_lut_bits:]
        lut = Array(C(v, p.exp_width) for v in p.lut)
        with m.If(whole > p.prob_bits):
            m.d.comb += self.exp.eq(0)
        with m.Else():
            m.d.comb += self.exp.eq(lut[frac] >> whole[:p.prob_bits.bit_length()])
        return m
