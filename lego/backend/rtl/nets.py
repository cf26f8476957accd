"""The nets of the primitives built in one module: each net's value and its shift register.

A connection u -> v holds ``stage(v) - stage(u) - latency(u) + distance`` registers; the fanouts
of a net share one shift register and tap it (exactly the registers the LP paid for). Every
input is a tap, so the order primitives are emitted in does not matter."""

from __future__ import annotations

import re

from amaranth import Cat, Const, Mux, Signal, signed, unsigned

from lego.backend.design import Design, bubbles_field, counter_fields
from lego.backend.rtl.dsp_mul import dsp_multiply
from lego.backend.semantics import evaluate

__all__ = ["Nets", "AmaranthValues", "ident"]


def ident(name: str) -> str:
    """A Verilog identifier for a primitive name."""
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


class Nets:
    """Nets of module ``m``: ``declare`` one per primitive built here, ``tap`` it after some
    registers, ``emit`` a (non-memory) primitive's value from its inputs."""

    def __init__(self, m, design: Design, flow):
        self.m, self.design = m, design
        self.values = AmaranthValues(design.flows, flow)
        self.taps: dict[str, list] = {}
        self.labels: dict[str, str] = {}  # the name its registers are named after
        self.bounds = [f.bounds for f in design.flows]

    def declare(self, name: str, value, label: str | None = None) -> None:
        """Net ``name`` is ``value``: a signal (its registers named after it), or any value
        and the ``label`` to name its registers after."""
        self.taps[name] = [value]
        self.labels[name] = label or value.name

    def __contains__(self, name: str) -> bool:
        return name in self.taps

    def tap(self, name: str, registers: int):
        if registers < 0:
            raise AssertionError(f"negative registers on {name}")
        taps = self.taps[name]
        while len(taps) <= registers:
            reg = Signal.like(taps[0], name=f"{self.labels[name]}_d{len(taps)}")
            self.m.d.sync += reg.eq(taps[-1])
            taps.append(reg)
        return taps[registers]

    def emit(self, prim, inputs) -> None:
        """Every primitive but the memory ports: its meaning, with Amaranth values; a
        multiply with latency is the DSP module (its registers inside)."""
        if prim.kind == "mul" and prim.latency:
            out = self.taps[prim.name][0]
            dsp = dsp_multiply(self.design, prim)
            self.m.submodules[f"{out.name}_dsp"] = dsp.instance(*inputs, out)
            return
        self.m.d.comb += self.taps[prim.name][0].eq(self.value(prim, inputs))  # extends

    def value(self, prim, inputs):
        """What a (non-memory, non-DSP) primitive computes from ``inputs``' values."""
        bank_bits = self.design.tensor(prim.params.tensor).bank_bits if prim.kind == "addr" else 0
        return evaluate(prim.params, self.values, inputs, self.bounds, prim.width, bank_bits)


class AmaranthValues:
    """The value interface of :mod:`lego.backend.semantics` over Amaranth values; ``flows``
    lay out the packed counters, ``flow`` is the running dataflow's select."""

    def __init__(self, flows=(), flow=None):
        self.flows, self.flow = tuple(flows), flow

    def fields(self, packed):
        return counter_fields(self.flows, packed)

    def bubbles_left(self, packed, flow: int):
        return bubbles_field(self.flows, packed, flow)

    def const(self, value: int, bits: int, signed_: bool):
        return Const(value, signed(bits) if signed_ else unsigned(bits))

    def mux(self, select, if_true, if_false):
        return Mux(select, if_true, if_false)

    def pack(self, low, low_bits: int, high, high_bits: int):
        top = Const(high, high_bits) if isinstance(high, int) else high[:high_bits]
        return Cat(low[:low_bits], top)

    def split(self, packed, low_bits: int):
        return packed[:low_bits], packed[low_bits:]

    def as_signed(self, value):
        return value.as_signed()

    def as_unsigned(self, value):
        return value.as_unsigned()

    def low_bits(self, value, bits: int):
        return value[:bits]

    def width(self, value) -> int:
        return len(value)
