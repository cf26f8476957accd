"""One beat of the query-key dot product: sum over the lanes of q[beat * lanes + i] * key[i]."""

from __future__ import annotations

from amaranth import Module, signed, unsigned
from amaranth.lib import data, wiring
from amaranth.lib.wiring import In, Out

from lego.spatten.pq_params import PqParams

__all__ = ["PqDot", "element_width"]


def element_width(params: PqParams) -> int:
    """Signed width that holds both a key MSB element and a zero-extended LSB element, so the
    MSB and LSB passes (never concurrent) share one set of ``lanes`` multipliers."""
    return max(params.msb_bits, params.lsb_bits + 1)


class PqDot(wiring.Component):
    def __init__(self, params: PqParams):
        if not isinstance(params, PqParams):
            raise TypeError(f"params must be PqParams, not {params!r}")
        self.params = params
        super().__init__({
            "query": In(unsigned(params.head_dim * params.query_bits)),
            "beat": In(range(max(params.beats_per_key, 2))),
            "keys": In(data.ArrayLayout(signed(element_width(params)), params.lanes)),
            "partial": Out(signed(params.score_width)),
        })

    def elaborate(self, platform):
        p = self.params
        m = Module()
        chunk = self.query.word_select(self.beat, p.lanes * p.query_bits)
        terms = [chunk[i * p.query_bits:(i + 1) * p.query_bits].as_signed() * self.keys[i]
                 for i in range(p.lanes)]
        m.d.comb += self.partial.eq(sum(terms[1:], terms[0]))
        return m
