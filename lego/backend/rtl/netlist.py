"""Build the pipelined datapath from the primitive graph and its schedule.

A connection u -> v holds ``stage(v) - stage(u) - latency(u) + distance`` registers; the fanouts
of a net share one shift register and tap it (exactly the registers the LP paid for). Nodes are
emitted in the graph's sorted order; every input is a tap, so the order does not matter."""

from __future__ import annotations

import re

from amaranth import Cat, Const, Mux, Signal, signed, unsigned

from lego.backend.lower import COUNTER, Design, coord_strides
from lego.backend.pipeline import Schedule
from lego.backend.rtl.controller import counter_fields

__all__ = ["Netlist", "access_probes", "access_signal"]


def _ident(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


class Netlist:
    """Emits into module ``m``; ``memories[tensor][bank]`` are lib.memory.Memory objects."""

    def __init__(self, m, design: Design, schedule: Schedule, counters, flow, memories):
        self.m, self.design, self.schedule = m, design, schedule
        self.stages = dict(schedule.stages)
        self.flow, self.memories = flow, memories
        self.fields = counter_fields(design.flows, counters)
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
            if prim.kind != "counter":
                getattr(self, f"_emit_{prim.kind}")(prim, self._inputs(prim.name))

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

    # -- operators -----------------------------------------------------------------------
    def _emit_cmp(self, prim, inputs):
        flow, op, args = prim.params
        if op == "read":
            self.m.d.comb += self._out(prim).eq(self._read_condition(inputs[0], args))
            return
        valid, counters = counter_fields(self.design.flows, inputs[0])[flow]
        bounds = self.design.flows[flow].bounds
        if op == "all_zero":
            terms = [counters[i] == 0 for i in args]
        elif op == "write":
            terms = [valid] + [counters[i] == bounds[i] - 1 for i in args]
        elif op == "in_box":
            terms = [_inside(counters, args, bounds)]
        else:
            raise AssertionError(f"unknown predicate {op}")
        value = Const(1, 1)
        for term in terms:
            value = value & term
        self.m.d.comb += self._out(prim).eq(value)

    def _read_condition(self, packed, conditions):
        """OR over the reading dataflows of: step valid, counter equalities, outside the box."""
        fields = counter_fields(self.design.flows, packed)
        value = Const(0, 1)
        for flow, equalities, box in conditions:
            valid, counters = fields[flow]
            bounds = self.design.flows[flow].bounds
            term = valid
            for i, want in equalities:
                term = term & (counters[i] == want)
            if box:
                term = term & ~_inside(counters, box, bounds)
            value = value | term
        return value

    def _emit_addr(self, prim, inputs):
        flow, tensor, mode = prim.params[:3]
        _, counters = counter_fields(self.design.flows, inputs[0])[flow]
        geo = self.design.tensor(tensor)
        bank_bits = max(1, (geo.banks - 1).bit_length())
        addr_bits = prim.width - bank_bits
        if mode == "fixed":
            bank, base, strides = prim.params[3:]
            address = Const(base, signed(32))
            for stride, counter in zip(strides, counters, strict=True):
                address = address + counter * stride
            value = Cat(address[:addr_bits], Const(bank, bank_bits))
        else:
            base, strides_key, dims, gcds, local = prim.params[3:]
            strides = coord_strides(strides_key, len(counters), len(base))
            coord = []
            for d, b in enumerate(base):
                x = Const(b, signed(32))
                for t, counter in enumerate(counters):
                    x = x + counter * strides[t][d]
                coord.append(x)
            value = Cat(_linear_address(coord, dims, gcds, local)[:addr_bits],
                        _linear_bank(coord, dims, gcds)[:bank_bits])
        self.m.d.comb += self._out(prim).eq(value)

    def _emit_mem_read(self, prim, inputs):
        tensor, banks = prim.params
        geo = self.design.tensor(tensor)
        bank_bits = max(1, (geo.banks - 1).bit_length())
        addr_bits = self.design.graph.primitive(
            self.design.graph.inputs(prim.name)[0].src).width - bank_bits
        address, bank = inputs[0][:addr_bits], inputs[0][addr_bits:]
        enable = inputs[1]
        data = []
        for b in banks:
            port = self.memories[tensor][b].read_port()
            hit = Signal(name=access_signal(prim.name, b))
            self.m.d.comb += [hit.eq(enable if len(banks) == 1 else enable & (bank == b)),
                              port.addr.eq(address), port.en.eq(hit)]
            data.append(port.data)
        if len(banks) == 1:
            self.m.d.comb += self._out(prim).eq(data[0])
            return
        chosen = Signal(bank_bits, name=f"{_ident(prim.name)}_bank")
        self.m.d.sync += chosen.eq(bank)
        value = data[0]
        for b, word in zip(banks[1:], data[1:], strict=True):
            value = Mux(chosen == b, word, value)
        self.m.d.comb += self._out(prim).eq(value)

    def _emit_mem_write(self, prim, inputs):
        tensor, banks = prim.params
        enable, packed, data = inputs
        geo = self.design.tensor(tensor)
        bank_bits = max(1, (geo.banks - 1).bit_length())
        addr_bits = len(packed) - bank_bits
        for b in banks:
            port = self.memories[tensor][b].write_port()
            hit = Signal(name=access_signal(prim.name, b))
            self.m.d.comb += [hit.eq(enable if len(banks) == 1
                                     else enable & (packed[addr_bits:] == b)),
                              port.addr.eq(packed[:addr_bits]), port.data.eq(data),
                              port.en.eq(hit)]

    def _emit_mux(self, prim, inputs):
        mode = prim.params[0]
        if mode == "flow":
            selects = prim.params[1]
            value = inputs[selects[0]]
            for index, choice in enumerate(selects[1:], start=1):
                value = Mux(self.flow == index, inputs[choice], value)
        elif mode == "pred":
            value = Mux(inputs[0], inputs[1], inputs[2])
        else:  # gate
            value = Mux(inputs[0], 0, inputs[1])
        self.m.d.comb += self._out(prim).eq(value)

    def _emit_wire(self, prim, inputs):
        self.m.d.comb += self._out(prim).eq(inputs[0])

    def _emit_mul(self, prim, inputs):
        value = None
        for signed_input, operand in zip(prim.params, inputs, strict=True):
            term = operand.as_signed() if signed_input else operand.as_unsigned()
            value = term if value is None else value * term
            if len(value) > prim.width:
                # the result is taken modulo 2**width, so keep only what reaches it
                value = value[:prim.width].as_signed()
        self.m.d.comb += self._out(prim).eq(value)  # sign- or zero-extends to the width

    def _emit_add(self, prim, inputs):
        value = inputs[0]
        for operand in inputs[1:]:
            value = (value + operand)[:prim.width]
        self.m.d.comb += self._out(prim).eq(value)


def access_signal(node: str, bank: int) -> str:
    """Name of the 1-bit enable of memory node ``node``'s port on ``bank``: high in a cycle
    when the port reads (``mem_read``) or writes (``mem_write``) that bank."""
    return f"{_ident(node)}_en{bank}"


def access_probes(design: Design) -> list[tuple[str, str, int, str]]:
    """Every datapath memory port enable: (``read``|``write``, tensor, bank, signal name)."""
    probes = []
    for prim in design.graph.primitives():
        if prim.kind in ("mem_read", "mem_write"):
            tensor, banks = prim.params
            kind = "read" if prim.kind == "mem_read" else "write"
            probes += [(kind, tensor, b, access_signal(prim.name, b)) for b in banks]
    return probes


def _inside(counters, box, bounds):
    """1 when every counter i of ``box`` (i, lo, hi) is in [lo, hi). Bounds that every counter
    value meets are left out (Verilator flags such comparisons)."""
    value = Const(1, 1)
    for i, lo, hi in box:
        if lo > 0:
            value = value & (counters[i] >= lo)
        if hi < bounds[i]:
            value = value & (counters[i] < hi)
    return value


def _linear_bank(coord, dims, gcds):
    """lego.frontend.memory.bank_of in hardware: row-major over (x // g) mod n per dimension."""
    bank = Const(0, unsigned(1))
    for x, n, g in zip(coord, dims, gcds, strict=True):
        bank = bank * n + (x // g) % n
    return bank


def _linear_address(coord, dims, gcds, local):
    """lego.frontend.memory.bank_address in hardware."""
    address = Const(0, unsigned(1))
    for x, n, g, size in zip(coord, dims, gcds, local, strict=True):
        address = address * size + (x // (g * n)) * g + x % g
    return address

