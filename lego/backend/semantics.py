"""What every primitive computes: one typed parameter class per primitive, and its meaning.

A primitive's parameters are one of the classes below, and ``evaluate`` says what the primitive
computes from its inputs, written once over a small value interface (:class:`Values`). The RTL
(:mod:`lego.backend.rtl.netlist`) supplies Amaranth values and gets hardware; the simulator
(:mod:`sim.sram`) supplies numpy arrays over every step of a dataflow and gets the same control
and address values, so the two cannot disagree about a primitive.

Which ``Values`` methods each primitive needs: predicates and addresses use ``fields``,
``const``, ``pack`` and Python's ``== >= < & | ~ + * // %``; muxes use ``mux`` and ``flow``;
``Product`` and ``Sum`` (datapath only) use ``as_signed``, ``as_unsigned``, ``low_bits``
and ``width``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Values", "AllZero", "RunningFirst", "WriteEnable", "InBox", "ReadTerm", "ReadEnable",
           "PreloadLoad", "BubbleRead", "FixedAddress", "PreloadAddress", "CoordAddress",
           "FlowMux", "PredMux", "GateMux", "MemoryPort", "Product", "Sum", "Wire", "Counters",
           "PARAMS_OF_KIND", "evaluate", "port_hits"]

Box = tuple[tuple[int, int, int], ...]  # (temporal index, lo, hi): counter in [lo, hi)


class Values(Protocol):
    flow: object  # the running dataflow's index

    def fields(self, packed) -> list[tuple[object, list]]: ...  # per dataflow (valid, counters)
    def bubbles_left(self, packed, flow: int): ...  # lego.backend.design.bubbles_field
    def const(self, value: int, bits: int, signed: bool): ...
    def mux(self, select, if_true, if_false): ...
    def pack(self, low, low_bits: int, high, high_bits: int): ...  # high: a value or an int
    def split(self, packed, low_bits: int) -> tuple[object, object]: ...
    def as_signed(self, value): ...
    def as_unsigned(self, value): ...
    def low_bits(self, value, bits: int): ...
    def width(self, value) -> int: ...


def _all(v: Values, terms) -> object:
    value = v.const(1, 1, False)
    for term in terms:
        value = value & term
    return value


def _inside(v: Values, counters, box: Box, bounds) -> object:
    """1 when every counter i of ``box`` is in [lo, hi). Bounds that every counter value meets
    are left out (Verilator flags such comparisons)."""
    value = v.const(1, 1, False)
    for i, lo, hi in box:
        if lo > 0:
            value = value & (counters[i] >= lo)
        if hi < bounds[i]:
            value = value & (counters[i] < hi)
    return value


# -- control predicates (``cmp`` nodes; input: the packed counters) ---------------------------
@dataclass(frozen=True)
class AllZero:
    """Every listed counter of dataflow ``flow`` is 0: the first step of those loops."""

    flow: int
    loops: tuple[int, ...]

    def evaluate(self, v: Values, bounds, packed):
        _, counters = v.fields(packed)[self.flow]
        return _all(v, [counters[i] == 0 for i in self.loops])


@dataclass(frozen=True)
class RunningFirst:
    """Dataflow ``flow`` is running a step and every listed counter is 0: the first step of
    those loops, and never while another dataflow runs (a clear that only this dataflow's
    accumulator may see: the register it resets carries other dataflows' partial sums)."""

    flow: int
    loops: tuple[int, ...]

    def evaluate(self, v: Values, bounds, packed):
        valid, counters = v.fields(packed)[self.flow]
        return _all(v, [valid] + [counters[i] == 0 for i in self.loops])


@dataclass(frozen=True)
class WriteEnable:
    """A step of dataflow ``flow`` is running and every listed counter is at its last value."""

    flow: int
    last: tuple[int, ...]

    def evaluate(self, v: Values, bounds, packed):
        valid, counters = v.fields(packed)[self.flow]
        b = bounds[self.flow]
        return _all(v, [valid] + [counters[i] == b[i] - 1 for i in self.last])


@dataclass(frozen=True)
class InBox:
    """Dataflow ``flow``'s counters are inside ``box`` (a delay edge's source exists)."""

    flow: int
    box: Box

    def evaluate(self, v: Values, bounds, packed):
        _, counters = v.fields(packed)[self.flow]
        return _all(v, [_inside(v, counters, self.box, bounds[self.flow])])


@dataclass(frozen=True)
class ReadTerm:
    flow: int
    equalities: tuple[tuple[int, int], ...]  # (temporal index, value)
    outside: Box  # empty: no box condition


@dataclass(frozen=True)
class ReadEnable:
    """A memory read port's enable: OR over its reading dataflows of (step valid, every
    equality, and outside the box when one is given)."""

    terms: tuple[ReadTerm, ...]

    def evaluate(self, v: Values, bounds, packed):
        fields = v.fields(packed)
        value = v.const(0, 1, False)
        for t in self.terms:
            if isinstance(t, BubbleRead):
                value = value | (v.bubbles_left(packed, t.flow) != 0)
                continue
            valid, counters = fields[t.flow]
            term = valid
            for i, want in t.equalities:
                term = term & (counters[i] == want)
            if t.outside:
                term = term & ~_inside(v, counters, t.outside, bounds[t.flow])
            value = value | term
        return value


@dataclass(frozen=True)
class PreloadLoad:
    """FU ``row`` of dataflow ``flow``'s preload chain (its first FU: row 0) takes its
    upstream's word: in a bubble with at least ``row`` bubbles left, when the chain's first FU
    reads element ``left`` of the chain (PreloadAddress), so that element ``row`` stops at FU
    ``row`` (lego.backend.lower)."""

    flow: int
    row: int

    def evaluate(self, v: Values, bounds, packed):
        return v.bubbles_left(packed, self.flow) >= self.row


@dataclass(frozen=True)
class BubbleRead:
    """A ReadEnable term: the chain's first FU reads in every bubble of dataflow ``flow``."""

    flow: int


# -- address generators (``addr`` nodes; (bank, address) packed, bank in the high bits) --------
@dataclass(frozen=True)
class FixedAddress:
    """A port that stays in ``bank``: address = base + sum(stride_i * counter_i)."""

    flow: int
    tensor: str
    bank: int
    base: int
    strides: tuple[int, ...]

    def evaluate(self, v: Values, bounds, packed, bank_bits: int, address_bits: int,
                 base=None):
        """``base``: the base as a 32-bit signed value (an RTL module's input that the
        instance ties to the constant); by default the constant itself."""
        return v.pack(self._address(v, packed, base), address_bits, self.bank, bank_bits)

    def _address(self, v: Values, packed, base):
        _, counters = v.fields(packed)[self.flow]
        address = v.const(self.base, 32, True) if base is None else base
        for stride, counter in zip(self.strides, counters, strict=True):
            address = address + counter * stride
        return address


@dataclass(frozen=True)
class PreloadAddress(FixedAddress):
    """The first FU of a preload chain: its own element's address, plus ``pre_stride`` per
    bubble left (the element of the FU that many down the chain)."""

    pre_stride: int

    def _address(self, v: Values, packed, base):
        left = v.bubbles_left(packed, self.flow)
        return super()._address(v, packed, base) + left * self.pre_stride


@dataclass(frozen=True)
class CoordAddress:
    """A port whose bank moves: coordinate x = base + sum(strides[t] * counter_t), then the
    banking of :mod:`lego.frontend.memory` (bank_of, bank_address) in hardware."""

    flow: int
    tensor: str
    base: tuple[int, ...]
    strides: tuple[tuple[int, ...], ...]  # per temporal index: coordinate delta
    bank_dims: tuple[int, ...]
    bank_gcd: tuple[int, ...]
    bank_shape: tuple[int, ...]

    def evaluate(self, v: Values, bounds, packed, bank_bits: int, address_bits: int,
                 base=None):
        """``base``: per dimension the base as a 32-bit signed value, as for FixedAddress."""
        _, counters = v.fields(packed)[self.flow]
        coord = []
        for d, b in enumerate(self.base):
            x = v.const(b, 32, True) if base is None else base[d]
            for t, counter in enumerate(counters):
                x = x + counter * self.strides[t][d]
            coord.append(x)
        bank = v.const(0, 1, False)
        address = v.const(0, 1, False)
        for x, n, g, size in zip(coord, self.bank_dims, self.bank_gcd, self.bank_shape,
                                 strict=True):
            bank = bank * n + (x // g) % n
            address = address * size + (x // (g * n)) * g + x % g
        return v.pack(address, address_bits, bank, bank_bits)


# -- muxes ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlowMux:
    """Input ``selects[d]`` in dataflow d; 0 where ``selects[d]`` is None (an operand that
    dataflow does not have, e.g. the partial sum of an FU that starts a reduction chain)."""

    selects: tuple[int | None, ...]

    def evaluate(self, v: Values, inputs):
        def pick(choice):
            return 0 if choice is None else inputs[choice]
        value = pick(self.selects[0])
        for index, choice in enumerate(self.selects[1:], start=1):
            value = v.mux(v.flow == index, pick(choice), value)
        return value


@dataclass(frozen=True)
class PredMux:
    """Inputs (p, a, b): p ? a : b."""

    def evaluate(self, v: Values, inputs):
        return v.mux(inputs[0], inputs[1], inputs[2])


@dataclass(frozen=True)
class GateMux:
    """Inputs (p, x): p ? 0 : x."""

    def evaluate(self, v: Values, inputs):
        return v.mux(inputs[0], 0, inputs[1])


# -- datapath ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Product:
    """The product of the inputs, each sign- or zero-extended by ``signed``, modulo 2**width."""

    signed: tuple[bool, ...]

    def evaluate(self, v: Values, inputs, width: int):
        value = None
        for signed_input, operand in zip(self.signed, inputs, strict=True):
            term = v.as_signed(operand) if signed_input else v.as_unsigned(operand)
            value = term if value is None else value * term
            if v.width(value) > width:
                # the result is taken modulo 2**width, so keep only what reaches it
                value = v.as_signed(v.low_bits(value, width))
        return value


@dataclass(frozen=True)
class Sum:
    """The sum of the inputs modulo 2**width; with ``bits``, a partial sum known to fit that
    many signed bits (lego.backend.partial_sums): modulo 2**bits, sign-extended to width."""

    bits: int = 0

    def evaluate(self, v: Values, inputs, width: int):
        value = inputs[0]
        for operand in inputs[1:]:
            value = v.low_bits(value + operand, self.bits or width)
        return v.as_signed(value) if self.bits and len(inputs) > 1 else value


@dataclass(frozen=True)
class Wire:
    """The input, unchanged (a wire, or a delay line when the connection has a distance)."""

    def evaluate(self, v: Values, inputs):
        return inputs[0]


@dataclass(frozen=True)
class Counters:
    """The controller's packed step counters (the graph's one source)."""


@dataclass(frozen=True)
class MemoryPort:
    """A read port (inputs: packed address, enable; the word one cycle later) or a write port
    (inputs: enable, packed address, data) of ``tensor`` that may touch ``banks``. ``holds``:
    a read of one bank whose word is a stationary operand: it reads at the first step of the
    operand's loops only, and its RAM read register holds the word after (no hold register
    in the FU), so no other primitive may share that RAM port. ``zeroes``: a read with a third
    input that, where 1, makes the word read 0 (the RAM read register's synchronous reset: an
    output's first write adds nothing, lego.backend.output_write); it too has its port alone."""

    tensor: str
    banks: tuple[int, ...]
    holds: bool = False
    zeroes: bool = False

    def __repr__(self) -> str:  # the flags only where set: other ports print as before them
        flags = (", holds=True" if self.holds else "") + (", zeroes=True" if self.zeroes else "")
        return f"MemoryPort(tensor={self.tensor!r}, banks={self.banks!r}{flags})"


def port_hits(v: Values, enable, bank, banks: tuple[int, ...]) -> list[tuple[int, object]]:
    """Per bank the port may touch, its access enable: the port's enable, and (when it may touch
    more than one bank) the addressed bank."""
    if len(banks) == 1:
        return [(banks[0], enable)]
    return [(b, enable & (bank == b)) for b in banks]


PARAMS_OF_KIND = {
    "counter": (Counters,), "cmp": (AllZero, RunningFirst, WriteEnable, InBox, ReadEnable,
                                    PreloadLoad),
    "addr": (FixedAddress, CoordAddress), "mux": (FlowMux, PredMux, GateMux),
    "wire": (Wire,), "mul": (Product,), "add": (Sum,), "mem_read": (MemoryPort,),
    "mem_write": (MemoryPort,),
}


def evaluate(params, v: Values, inputs: list, bounds, width: int, bank_bits: int = 0):
    """The value of a (non-memory) primitive with ``params`` from its input values; ``bounds``:
    per dataflow its temporal bounds; ``width``: the primitive's output bits."""
    if isinstance(params, (AllZero, RunningFirst, WriteEnable, InBox, ReadEnable,
                           PreloadLoad)):
        return params.evaluate(v, bounds, inputs[0])
    if isinstance(params, (FixedAddress, CoordAddress)):
        return params.evaluate(v, bounds, inputs[0], bank_bits, width - bank_bits)
    if isinstance(params, (Product, Sum)):
        return params.evaluate(v, inputs, width)
    if isinstance(params, (FlowMux, PredMux, GateMux, Wire)):
        return params.evaluate(v, inputs)
    raise TypeError(f"{type(params).__name__} has no value of its own")
