"""SpAtten progressive-quantization engine: MSB-only scores, fixed-point softmax confidence check,
LSB re-fetch and full-precision recompute when the maximum probability is below the threshold.

Phases (one request, run-time length L): MSB (L * D/lanes key beats, one per cycle when valid),
EXP (ceil(L / exp_units) cycles: exp and sum), DIV (prob_bits + 1 cycles: p_max = 1 / sum), then
either LSB (request raised, L * D/lanes LSB beats) + EXP + DIV again, or straight to OUT
(L (score, prob) beats), and a one-cycle ``done`` pulse. Scores live in one buffer indexed by
key; the exp is recomputed from the stored score in the OUT phase rather than stored.
Fixed-point formats: see pq_params.
"""

from __future__ import annotations

from amaranth import Module, Mux, Signal, signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.memory import Memory
from amaranth.lib.wiring import In, Out

from lego.spatten.pq_divider import PqDivider
from lego.spatten.pq_dot import PqDot
from lego.spatten.pq_exp import PqExp
from lego.spatten.pq_params import PqParams

__all__ = ["PqEngine", "out_layout"]

_STATES = ("IDLE", "MSB", "LSB", "EXP", "DIV", "OUT", "DONE")
_IDLE, _MSB, _LSB, _EXP, _DIV, _OUT, _DONE = range(len(_STATES))


def out_layout(params: PqParams) -> data.StructLayout:
    return data.StructLayout({"score": signed(params.score_width),
                              "prob": unsigned(params.exp_width)})


class PqEngine(wiring.Component):
    """Ports: ``start`` with ``length`` and ``query`` (sampled in the start cycle, while idle);
    ``msb`` and ``lsb`` key streams (``lanes`` elements per beat, key-major, element order within
    a key); ``lsb_request`` (high while LSB beats are wanted); ``out`` stream of (score, prob) in
    key order; ``done`` pulse; ``refetched``, ``bytes_fetched``, ``p_max`` and ``error`` (length 0
    or over max_len: no stream is touched) hold their values from ``done`` until the next start."""

    def __init__(self, params: PqParams):
        if not isinstance(params, PqParams):
            raise TypeError(f"params must be PqParams, not {params!r}")
        self.params = params
        p = params
        super().__init__({
            "start": In(1),
            "length": In(unsigned(p.len_width)),
            "query": In(data.ArrayLayout(signed(p.query_bits), p.head_dim)),
            "idle": Out(1),
            "msb": In(stream.Signature(data.ArrayLayout(signed(p.msb_bits), p.lanes))),
            "lsb_request": Out(1),
            "lsb": In(stream.Signature(data.ArrayLayout(unsigned(p.lsb_bits), p.lanes))),
            "out": Out(stream.Signature(out_layout(p))),
            "done": Out(1),
            "error": Out(1),
            "refetched": Out(1),
            "bytes_fetched": Out(unsigned(p.bytes_width)),
            "p_max": Out(unsigned(p.exp_width)),
        })

    def elaborate(self, platform):
        p = self.params
        m = Module()
        m.submodules.scores = scores = Memory(shape=signed(p.score_width), depth=p.max_len,
                                              init=[])
        # Port 0 and exp unit 0 serve every phase; the others only widen the EXP phase.
        rds = [scores.read_port(domain="comb") for _ in range(p.exp_units)]
        rd = rds[0]
        wr = scores.write_port()
        exps = []
        for e in range(p.exp_units):
            m.submodules[f"exp{e}"] = unit = PqExp(p)
            exps.append(unit)
        exp = exps[0]
        m.submodules.div = div = PqDivider(p)

        # An If/Elif chain on `state` rather than m.FSM: Amaranth's FSM becomes partial Verilog
        # case statements, which Verilator -Wall reports (CASEINCOMPLETE).
        state = Signal(range(len(_STATES)))
        query = Signal(p.head_dim * p.query_bits)
        length = Signal(unsigned(p.len_width))
        idx = Signal(range(max(p.max_len, 2)))
        beat = Signal(range(max(p.beats_per_key, 2)))
        acc = Signal(signed(p.score_width))
        smax = Signal(signed(p.score_width))
        total = Signal(unsigned(p.sum_width))
        full = Signal()  # second (full-precision) pass

        last_key = idx == length - 1
        last_beat = beat == p.beats_per_key - 1
        m.d.comb += wr.addr.eq(idx)
        exp_sum = 0
        for e, (port, unit) in enumerate(zip(rds, exps, strict=True)):
            m.d.comb += [port.addr.eq(idx + e), unit.diff.eq(smax - port.data)]
            exp_sum += Mux(idx + e < length, unit.exp, 0) if e else unit.exp  # tail mask
        m.d.comb += div.total.eq(total + exp_sum)
        m.submodules.dot = dot = PqDot(p)
        m.d.comb += [dot.query.eq(query), dot.beat.eq(beat)]
        # The MSB and LSB passes never overlap: one set of lane multipliers serves both.
        with m.If(state == _LSB):  # LSB elements are unsigned: zero-extended into dot.keys
            m.d.comb += [dot.keys[i].eq(self.lsb.payload[i]) for i in range(p.lanes)]
        with m.Else():
            m.d.comb += [dot.keys[i].eq(self.msb.payload[i]) for i in range(p.lanes)]

        def key_beat(running, score):
            """Accumulate one beat (``running`` is the new partial dot product); on a key's last
            beat store ``score`` and track the max."""
            with m.If(last_beat):
                m.d.comb += [wr.en.eq(1), wr.data.eq(score)]
                m.d.sync += [acc.eq(0), beat.eq(0)]
                with m.If((idx == 0) | (score > smax)):
                    m.d.sync += smax.eq(score)
                with m.If(last_key):
                    m.d.sync += [idx.eq(0), total.eq(0)]
                    m.d.sync += state.eq(_EXP)
                with m.Else():
                    m.d.sync += idx.eq(idx + 1)
            with m.Else():
                m.d.sync += [acc.eq(running), beat.eq(beat + 1)]

        with m.If(state == _IDLE):
            m.d.comb += self.idle.eq(1)
            with m.If(self.start):
                bad = (self.length == 0) | (self.length > p.max_len)
                msb_bytes = (self.length * (p.head_dim * p.msb_bits) + 7) >> 3
                m.d.sync += [query.eq(self.query.as_value()), length.eq(self.length),
                             idx.eq(0), beat.eq(0), acc.eq(0), full.eq(0),
                             self.refetched.eq(0), self.error.eq(bad),
                             self.bytes_fetched.eq(0), self.p_max.eq(0)]
                with m.If(bad):
                    m.d.sync += state.eq(_DONE)
                with m.Else():
                    m.d.sync += self.bytes_fetched.eq(msb_bytes)
                    m.d.sync += state.eq(_MSB)
        with m.Elif(state == _MSB):
            m.d.comb += self.msb.ready.eq(1)
            with m.If(self.msb.valid):
                key_beat(acc + dot.partial, (acc + dot.partial) << p.lsb_bits)
        with m.Elif(state == _LSB):
            m.d.comb += [self.lsb_request.eq(1), self.lsb.ready.eq(1)]
            with m.If(self.lsb.valid):  # rd reads the key's MSB score, stored in the MSB pass
                key_beat(acc + dot.partial, rd.data + acc + dot.partial)
        with m.Elif(state == _EXP):
            m.d.sync += total.eq(div.total)
            with m.If(idx + p.exp_units >= length):
                m.d.comb += div.start.eq(1)
                m.d.sync += idx.eq(0)
                m.d.sync += state.eq(_DIV)
            with m.Else():
                m.d.sync += idx.eq(idx + p.exp_units)
        with m.Elif(state == _DIV):
            with m.If(div.last):
                m.d.sync += self.p_max.eq(div.result)
                with m.If(~full & (div.result < p.threshold_fixed)):
                    lsb_bytes = (length * (p.head_dim * p.lsb_bits) + 7) >> 3
                    m.d.sync += [full.eq(1), self.refetched.eq(1),
                                 self.bytes_fetched.eq(self.bytes_fetched + lsb_bytes)]
                    m.d.sync += state.eq(_LSB)
                with m.Else():
                    m.d.sync += state.eq(_OUT)
        with m.Elif(state == _OUT):
            m.d.comb += [self.out.valid.eq(1), self.out.payload.score.eq(rd.data),
                         self.out.payload.prob.eq((exp.exp * self.p_max) >> p.prob_bits)]
            with m.If(self.out.ready):
                with m.If(last_key):
                    m.d.sync += state.eq(_DONE)
                with m.Else():
                    m.d.sync += idx.eq(idx + 1)
        with m.Else():  # DONE
            m.d.comb += self.done.eq(1)
            m.d.sync += state.eq(_IDLE)
        return m
