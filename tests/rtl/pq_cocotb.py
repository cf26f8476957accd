"""cocotb coroutines for the progressive-quantization engine (lego.spatten.pq.PqEngine).

Stimuli and expected results come from the JSON file named by ``PQ_CASES`` (written by
tests/rtl/test_spatten_pq.py from the bit-exact model and lego.spatten.pq_timing). One clocked
loop drives every stream each cycle: inputs are set after the rising edge, handshakes are
sampled in ReadOnly.
"""

import json
import os
import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge


def _pack(values, bits):
    word = 0
    for i, value in enumerate(values):
        word |= (int(value) & ((1 << bits) - 1)) << (i * bits)
    return word


def _signed(value, bits):
    return value - (1 << bits) if value >> (bits - 1) else value


class BeatDriver:
    """Drives a valid/ready stream from a list of beats; ``p_valid`` < 1 inserts random bubbles
    between beats (an offered beat stays valid until taken, as stream sources must). Beats are
    offered from the start (like a prefetching memory); with ``request`` every accepted beat must
    coincide with that signal being high (the LSB request)."""

    def __init__(self, dut, name, beats, p_valid, rng, request=None):
        self.valid = getattr(dut, f"{name}__valid")
        self.payload = getattr(dut, f"{name}__payload")
        self.ready = getattr(dut, f"{name}__ready")
        self.beats, self.p_valid, self.rng, self.request = list(beats), p_valid, rng, request
        self.accepted = 0
        self.first_accept = None
        self.offered = False

    def drive(self):
        offer = bool(self.beats) and (self.offered or self.rng.random() < self.p_valid)
        self.valid.value = int(offer)
        if self.beats:
            self.payload.value = self.beats[0]
        self.offered = offer

    def sample(self, cycle):
        if self.offered and int(self.ready.value):
            assert self.request is None or int(self.request.value), "beat taken without request"
            self.beats.pop(0)
            self.offered = False
            self.accepted += 1
            if self.first_accept is None:
                self.first_accept = cycle


class OutMonitor:
    """Random ready on the (score, prob) stream; records every accepted beat and checks that a
    stalled beat (valid, not ready) keeps its payload until it is taken."""

    def __init__(self, dut, p_ready, rng, score_bits):
        self.dut, self.p_ready, self.rng, self.score_bits = dut, p_ready, rng, score_bits
        self.beats = []
        self.stalled = None

    def drive(self):
        self.ready = self.rng.random() < self.p_ready
        self.dut.out__ready.value = int(self.ready)

    def sample(self):
        if not int(self.dut.out__valid.value):
            assert self.stalled is None, "valid dropped before the beat was taken"
            return
        word = self.dut.out__payload.value.to_unsigned()
        assert self.stalled in (None, word), "payload changed while stalled"
        self.stalled = None if self.ready else word
        if self.ready:
            score = _signed(word & ((1 << self.score_bits) - 1), self.score_bits)
            self.beats.append((score, word >> self.score_bits))


async def _reset(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.start.value = 0
    dut.msb__valid.value = 0
    dut.lsb__valid.value = 0
    dut.out__ready.value = 0
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0


async def _run_case(dut, params, case, p_valid, p_ready, rng):
    """Start one request, drive it to ``done``; returns what was observed."""
    lanes, beats_per_key = params["lanes"], params["head_dim"] // params["lanes"]
    def beats(rows, bits):
        return [_pack(row[b * lanes:(b + 1) * lanes], bits)
                for row in rows for b in range(beats_per_key)]
    await RisingEdge(dut.clk)
    dut.start.value = 1
    dut.length.value = case["length"]
    dut.query.value = _pack(case["query"], params["query_bits"])
    await RisingEdge(dut.clk)
    dut.start.value = 0
    msb = BeatDriver(dut, "msb", beats(case["msb"], params["msb_bits"]), p_valid, rng)
    lsb = BeatDriver(dut, "lsb", beats(case["lsb"], params["lsb_bits"]), p_valid, rng,
                     request=dut.lsb_request)
    out = OutMonitor(dut, p_ready, rng, params["score_width"])
    for cycle in range(1_000_000):
        msb.drive()
        lsb.drive()
        out.drive()
        await ReadOnly()
        msb.sample(cycle)
        lsb.sample(cycle)
        out.sample()
        if int(dut.done.value):
            seen = {"scores": [s for s, _ in out.beats], "probs": [p for _, p in out.beats],
                    "refetched": int(dut.refetched.value), "error": int(dut.error.value),
                    "bytes_fetched": dut.bytes_fetched.value.to_unsigned(),
                    "p_max": dut.p_max.value.to_unsigned(),
                    "msb_beats": msb.accepted, "lsb_beats": lsb.accepted,
                    "cycles": None if msb.first_accept is None else cycle - msb.first_accept + 1}
            break
        await RisingEdge(dut.clk)
    else:
        raise AssertionError("no done within 1e6 cycles")
    await RisingEdge(dut.clk)
    dut.msb__valid.value = 0
    dut.lsb__valid.value = 0
    dut.out__ready.value = 0
    return seen


def _check(case, seen, with_cycles):
    want = case["expected"]
    keys = ["scores", "probs", "refetched", "error", "bytes_fetched", "p_max", "msb_beats",
            "lsb_beats"] + (["cycles"] if with_cycles else [])
    for key in keys:
        assert seen[key] == want[key], \
            f"case {case['name']}: {key}: rtl {seen[key]!r} != model {want[key]!r}"


async def _run_all(dut, p_valid, p_ready, with_cycles):
    data = json.loads(open(os.environ["PQ_CASES"]).read())
    rng = random.Random(data["seed"])
    await _reset(dut)
    for case in data["cases"]:
        if not with_cycles and not case["bubbles"]:
            continue  # long corner cases run once, without bubbles, to keep the test short
        seen = await _run_case(dut, data["params"], case, p_valid, p_ready, rng)
        _check(case, seen, with_cycles)
    dut._log.info("checked %d cases", len(data["cases"]))


@cocotb.test()
async def exact_values_and_cycles(dut):
    """No input bubbles, output always ready: values and cycle counts equal the models."""
    await _run_all(dut, 1.0, 1.0, with_cycles=True)


@cocotb.test()
async def values_under_bubbles_and_backpressure(dut):
    """Random valid bubbles on both key streams, random ready on the output: values only."""
    await _run_all(dut, 0.6, 0.5, with_cycles=False)
