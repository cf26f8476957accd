"""Build the pipelined datapath from the primitive graph and its schedule.

A connection u -> v holds ``stage(v) - stage(u) - latency(u) + distance`` registers; the fanouts
of a net share one shift register and tap it (exactly the registers the LP paid for). Nodes are
emitted in the graph's sorted order; every input is a tap, so the order does not matter."""

from __future__ import annotations

import re

from amaranth import Cat, Const, Mux, Signal, signed, unsigned

from lego.backend.design import COUNTER, Design, counter_fields
from lego.backend.ports import PortPlan
from lego.backend.schedule import Schedule
from lego.backend.semantics import MemoryPort, evaluate, port_hits

__all__ = ["Netlist", "access_probes", "access_signal"]


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


class Netlist:
    """Emits into module ``m``; ``banks[tensor][bank]`` are the RAM modules
    (:class:`lego.backend.rtl.bank.Bank`), their ports shared as ``ports`` plans."""

    def __init__(self, m, design: Design, schedule: Schedule, ports: PortPlan, counters, flow,
                 banks):
        self.m, self.design, self.schedule, self.ports = m, design, schedule, ports
        self.stages = dict(schedule.stages)
        self.flow, self.banks = flow, banks
        self.read_uses: dict[tuple[str, int, int], list] = {}  # RAM read port -> (hit, address)
        self.write_uses: dict[tuple[str, int], list] = {}  # bank -> (hit, address, data)
        self.values = AmaranthValues(design, flow)
        self.nets: dict[str, list] = {}
        if self.stages[COUNTER] != 0:
            raise AssertionError("the step counters must be the earliest node")
        self.nets[COUNTER] = [counters]

    def build(self) -> None:
        graph = self.design.graph
        for prim in graph.primitives():
            if prim.kind != "counter" and prim.kind != "mem_write":
                self.nets[prim.name] = [Signal(prim.width, name=_ident(prim.name))]
        for prim in graph.primitives():
            if prim.kind == "mem_read":
                self._emit_mem_read(prim, self._inputs(prim.name))
            elif prim.kind == "mem_write":
                self._emit_mem_write(prim, self._inputs(prim.name))
            elif prim.kind != "counter":
                self._emit(prim, self._inputs(prim.name))
        self._drive_banks()

    def _tap(self, name: str, registers: int):
        taps = self.nets[name]
        while len(taps) <= registers:
            reg = Signal.like(taps[0], name=f"{_ident(name)}_d{len(taps)}")
            self.m.d.sync += reg.eq(taps[-1])
            taps.append(reg)
        return taps[registers]

    def _inputs(self, name: str) -> list:
        graph = self.design.graph
        out = []
        for conn in graph.inputs(name):
            latency = graph.primitive(conn.src).latency
            registers = self.stages[name] - self.stages[conn.src] - latency + conn.distance
            if registers < 0:
                raise AssertionError(f"negative registers on {conn.src} -> {name}")
            out.append(self._tap(conn.src, registers))
        return out

    def _out(self, prim):
        return self.nets[prim.name][0]

    # -- primitives ----------------------------------------------------------------------
    def _emit(self, prim, inputs):
        """Every primitive but the memory ports: its meaning, with Amaranth values."""
        bank_bits = self.design.tensor(prim.params.tensor).bank_bits if prim.kind == "addr" else 0
        bounds = [f.bounds for f in self.design.flows]
        value = evaluate(prim.params, self.values, inputs, bounds, prim.width, bank_bits)
        self.m.d.comb += self._out(prim).eq(value)  # sign- or zero-extends to the width

    def _emit_mem_read(self, prim, inputs):
        port_params: MemoryPort = prim.params
        tensor = port_params.tensor
        geo = self.design.tensor(tensor)
        addr_bits = self.design.graph.primitive(
            self.design.graph.inputs(prim.name)[0].src).width - geo.bank_bits
        address, bank = self.values.split(inputs[0], addr_bits)
        data = []
        for b, enable in port_hits(self.values, inputs[1], bank, port_params.banks):
            hit = Signal(name=access_signal(prim.name, b))
            self.m.d.comb += hit.eq(enable)
            port = self.ports.bank(tensor, b).read_port(prim.name)
            self.read_uses.setdefault((tensor, b, port), []).append((hit, address))
            data.append((b, self.banks[tensor][b].r_data[port]))
        if len(data) == 1:
            self.m.d.comb += self._out(prim).eq(data[0][1])
            return
        chosen = Signal(geo.bank_bits, name=f"{_ident(prim.name)}_bank")
        self.m.d.sync += chosen.eq(bank)
        value = data[0][1]
        for b, word in data[1:]:
            value = Mux(chosen == b, word, value)
        self.m.d.comb += self._out(prim).eq(value)

    def _emit_mem_write(self, prim, inputs):
        port_params: MemoryPort = prim.params
        enable, packed, data = inputs
        geo = self.design.tensor(port_params.tensor)
        address, bank = self.values.split(packed, len(packed) - geo.bank_bits)
        for b, hit_value in port_hits(self.values, enable, bank, port_params.banks):
            hit = Signal(name=access_signal(prim.name, b))
            self.m.d.comb += hit.eq(hit_value)
            self.write_uses.setdefault((port_params.tensor, b), []).append((hit, address, data))

    def _drive_banks(self) -> None:
        """Each RAM port takes the address (and data) of whichever of its primitives is enabled:
        the port plan guarantees at most one is, in every cycle."""
        for (tensor, b, port), uses in sorted(self.read_uses.items(), key=lambda u: u[0]):
            bank = self.banks[tensor][b]
            self.m.d.comb += [bank.r_en[port].eq(_any(hit for hit, _ in uses)),
                              bank.r_addr[port].eq(_select(uses))]
        for (tensor, b), uses in sorted(self.write_uses.items(), key=lambda u: u[0]):
            bank = self.banks[tensor][b]
            self.m.d.comb += [bank.w_en.eq(_any(hit for hit, _, _ in uses)),
                              bank.w_addr.eq(_select([(hit, a) for hit, a, _ in uses])),
                              bank.w_data.eq(_select([(hit, d) for hit, _, d in uses]))]


def _any(hits):
    value = Const(0, 1)
    for hit in hits:
        value = value | hit
    return value


def _select(uses):
    """The value of the enabled use (AND-OR: uses are never enabled together)."""
    if len(uses) == 1:
        return uses[0][1]
    value = Const(0, 1)
    for hit, word in uses:
        value = value | Mux(hit, word, 0)
    return value


class AmaranthValues:
    """The value interface of :mod:`lego.backend.semantics` over Amaranth values."""

    def __init__(self, design: Design, flow):
        self.design, self.flow = design, flow

    def fields(self, packed):
        return counter_fields(self.design.flows, packed)

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


def access_signal(node: str, bank: int) -> str:
    """Name of the 1-bit enable of memory node ``node``'s port on ``bank``: high in a cycle
    when the port reads (``mem_read``) or writes (``mem_write``) that bank."""
    return f"{_ident(node)}_en{bank}"


def access_probes(design: Design) -> list[tuple[str, str, int, str]]:
    """Every datapath memory port enable: (``read``|``write``, tensor, bank, signal name)."""
    probes = []
    for prim in design.graph.primitives():
        if prim.kind in ("mem_read", "mem_write"):
            kind = "read" if prim.kind == "mem_read" else "write"
            probes += [(kind, prim.params.tensor, b, access_signal(prim.name, b))
                       for b in prim.params.banks]
    return probes
