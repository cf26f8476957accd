"""One FU kind as its own module: the datapath primitives of its representative FU, with the
registers between them; every other net arrives or leaves through a port, already tapped by
the module that computes it (:mod:`lego.backend.rtl.fu_kinds`)."""

from __future__ import annotations

from amaranth import Const, Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Design
from lego.backend.rtl.add_mux import AddMux
from lego.backend.rtl.fu_kinds import (
    FuInstance,
    folded_gate,
    folded_mux,
    gate_kind,
    input_registers,
    relative_name,
    reset_register,
    shares_register,
)
from lego.backend.rtl.nets import Nets, ident
from lego.backend.schedule import Schedule
from lego.widths import index_bits

__all__ = ["FuModule", "fu_signature"]


def fu_signature(design: Design, fu: FuInstance) -> wiring.Signature:
    members = {p.name: In(unsigned(p.width)) for p in fu.inputs}
    members.update({p.name: Out(unsigned(p.width)) for p in fu.outputs})
    if fu.kind.uses_flow:
        members["flow"] = In(unsigned(index_bits(len(design.flows))))
    return wiring.Signature(members)


class FuModule(wiring.Component):
    """Built from ``fu``, the representative FU of its kind."""

    def __init__(self, design: Design, schedule: Schedule, fu: FuInstance):
        if fu.fu != fu.kind.representative:
            raise ValueError(f"FU module is built from {fu.kind.representative}, not {fu.fu}")
        self.design, self.stages, self.fu = design, dict(schedule.stages), fu
        super().__init__(fu_signature(design, fu))

    def elaborate(self, platform):
        m = Module()
        nets = Nets(m, self.design, self.flow if self.fu.kind.uses_flow else None)
        graph, stages = self.design.graph, self.stages
        folded = {folded_mux(self.design, stages, n) for n in self.fu.kind.members} - {None}
        folded |= {folded_gate(self.design, stages, n) for n in folded} - {None}
        for name in self.fu.kind.members:
            if name in folded:
                continue  # inside its adder's carry chain
            prim = graph.primitive(name)
            # a reset register takes no domain reset: its clear is its only synchronous reset,
            # the flip-flop's one LSR pin (with both, Yosys keeps the clear as a LUT per bit)
            reset_less = (reset_register(self.design, stages, name)
                          or shares_register(self.design, stages, name))
            nets.declare(name, Signal(prim.width, name=ident(relative_name(name, self.fu.fu)),
                                      reset_less=reset_less))
        for name in self.fu.kind.members:
            if shares_register(self.design, stages, name):
                # the gate is the sum's first register: every later tap of the sum follows it
                nets.taps[graph.inputs(name)[1].src].append(nets.taps[name][0])
        ports = {(p.net, p.registers): getattr(self, p.name) for p in self.fu.inputs}

        def inputs_of(name):
            return [nets.tap(src, regs) if src in nets else ports[src, regs]
                    for src, regs in input_registers(self.design, stages, name)]
        for name in self.fu.kind.members:
            if name in folded:
                continue
            mux = folded_mux(self.design, stages, name)
            if mux is not None:
                (product, regs), _ = input_registers(self.design, stages, name)
                self._add_mux(m, nets, name, nets.tap(product, regs), inputs_of)
            elif (reset_register(self.design, stages, name)
                    or shares_register(self.design, stages, name)):
                # clear ? 0 : x, one edge early, into the gate's own register: a flip-flop
                # with a synchronous reset (inputs tapped one register early for it)
                clear, data = inputs_of(name)
                m.d.sync += nets.taps[name][0].eq(Mux(clear, 0, data))
            else:
                nets.emit(graph.primitive(name), inputs_of(name))
        for port in self.fu.outputs:
            m.d.comb += getattr(self, port.name).eq(nets.tap(port.net, port.registers))
        return m

    def _add_mux(self, m, nets, name: str, product, inputs_of) -> None:
        """product + (the term the running dataflow picks), the pick in the carry chain; a
        gate (clear ? 0 : x) against 0 in the other dataflow joins the select."""
        prim = self.design.graph.primitive(name)
        mux = folded_mux(self.design, self.stages, name)
        selects = self.design.graph.primitive(mux).params.selects
        bits = prim.params.bits or prim.width
        gate, clear = folded_gate(self.design, self.stages, mux), None
        if gate is None:
            terms = inputs_of(mux)
        else:
            clear, *terms = inputs_of(gate)
        kind = gate_kind(self.design, self.stages, mux)
        x0, x1 = (Const(0, bits) if s is None else terms[s][:bits] for s in selects)
        total = Signal(bits, name=f"{nets.taps[name][0].name}_sum")
        m.submodules[f"{total.name}_add"] = AddMux(bits, kind).instance(
            product[:bits], x1, x0, self.flow, total, clear)
        m.d.comb += nets.taps[name][0].eq(total.as_signed() if prim.params.bits else total)
