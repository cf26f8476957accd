"""The top-k engine's candidate buffer: P single-write-port banks with a zero eliminator in front.

A row of P lanes is written with only its kept lanes, packed: lane ``j`` goes to buffer position
``wp + (kept lanes before j)`` (prefix sum), i.e. to bank ``position mod P`` (the rotation) at
row ``position div P``. Reads return one whole row per cycle, one cycle after ``rd_en``.
"""

from __future__ import annotations

from amaranth import Cat, Const, Module, signed, unsigned
from amaranth.lib import data, memory, wiring
from amaranth.lib.wiring import In, Out

from lego.spatten.topk_params import TopKParams

__all__ = ["CandidateBuffer", "lane_layout", "row_layout", "popcount", "prefix_counts"]


def lane_layout(params: TopKParams) -> data.StructLayout:
    return data.StructLayout({"score": signed(params.score_width),
                              "index": unsigned(params.index_width)})


def row_layout(params: TopKParams) -> data.ArrayLayout:
    return data.ArrayLayout(lane_layout(params), params.parallelism)


def popcount(bits) -> object:
    return sum((b.as_unsigned() for b in bits), Const(0, 1))


def prefix_counts(bits) -> list:
    """Exclusive prefix counts: the zero eliminator's slot for every set lane."""
    return [popcount(bits[:j]) for j in range(len(bits))]


class CandidateBuffer(wiring.Component):
    """``write`` stores the ``keep`` lanes of ``row`` packed from position ``wp``; ``rd_en``
    reads row ``rd_addr`` into ``rd_data`` at the next clock edge."""

    def __init__(self, params: TopKParams):
        if not isinstance(params, TopKParams):
            raise TypeError(f"params must be TopKParams, not {params!r}")
        self.params = params
        super().__init__({
            "write": In(1),
            "row": In(row_layout(params)),
            "keep": In(params.parallelism),
            "wp": In(params.position_width),
            "rd_en": In(1),
            "rd_addr": In(range(params.rows + 1)),
            "rd_data": Out(row_layout(params)),
        })

    def elaborate(self, platform):
        p = self.params
        log_p = p.parallelism.bit_length() - 1
        m = Module()
        slot = [self.wp + s for s in prefix_counts(list(self.keep))]
        read = []
        for b in range(p.parallelism):
            m.submodules[f"bank{b}"] = bank = memory.Memory(
                shape=unsigned(p.word_width), depth=p.rows, init=[])
            wr, rd = bank.write_port(), bank.read_port()
            for j in range(p.parallelism):
                with m.If(self.write & self.keep[j] & (slot[j][:log_p] == b)):
                    m.d.comb += [wr.en.eq(1), wr.addr.eq(slot[j][log_p:]),
                                 wr.data.eq(self.row[j].as_value())]
            m.d.comb += [rd.addr.eq(self.rd_addr), rd.en.eq(self.rd_en)]
            read.append(rd.data)
        m.d.comb += self.rd_data.eq(Cat(*read))
        return m
