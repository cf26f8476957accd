"""One FU kind as its own module: the datapath primitives of its representative FU, with the
registers between them; every other net arrives or leaves through a port, already tapped by
the module that computes it (:mod:`lego.backend.rtl.fu_kinds`)."""

from __future__ import annotations

from amaranth import Module, Mux, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Design
from lego.backend.rtl.fu_kinds import (
    FuInstance,
    input_registers,
    relative_name,
    reset_register,
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
        graph = self.design.graph
        for name in self.fu.kind.members:
            prim = graph.primitive(name)
            # a reset register takes no domain reset: its clear is its only synchronous reset,
            # the flip-flop's one LSR pin (with both, Yosys keeps the clear as a LUT per bit)
            reset_less = reset_register(self.design, self.stages, name)
            nets.declare(name, Signal(prim.width, name=ident(relative_name(name, self.fu.fu)),
                                      reset_less=reset_less))
        ports = {(p.net, p.registers): getattr(self, p.name) for p in self.fu.inputs}
        for name in self.fu.kind.members:
            inputs = [nets.tap(src, regs) if src in nets else ports[src, regs]
                      for src, regs in input_registers(self.design, self.stages, name)]
            if reset_register(self.design, self.stages, name):
                # clear ? 0 : x, one edge early, into the gate's own register: a flip-flop
                # with a synchronous reset (inputs tapped one register early for it)
                clear, data = inputs
                m.d.sync += nets.taps[name][0].eq(Mux(clear, 0, data))
            else:
                nets.emit(graph.primitive(name), inputs)
        for port in self.fu.outputs:
            m.d.comb += getattr(self, port.name).eq(nets.tap(port.net, port.registers))
        return m
