"""The accelerator top: controller, banked tensor memories with the host port, and the pipelined
datapath. The interface is the same for every design (see ``Accelerator``)."""

from __future__ import annotations

from amaranth import Cat, Module, Signal, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Design
from lego.backend.rtl.controller import Controller
from lego.backend.rtl.netlist import Netlist
from lego.backend.schedule import Schedule, drain_cycles
from lego.widths import index_bits

__all__ = ["Accelerator"]


class Accelerator(wiring.Component):
    """``start`` runs dataflow ``dataflow`` (sampled at start) over the loaded tensors; ``done``
    is high from completion until the next start. Host port (only while not busy): tensor
    ``host_tensor`` (index in ADG order), bank, address; write with ``host_we``; reads are
    synchronous (``host_rdata`` valid the cycle after the address)."""

    def __init__(self, design: Design, schedule: Schedule):
        if schedule.design != design.name:
            raise ValueError(f"Schedule is for {schedule.design!r}, not {design.name!r}")
        self.design, self.schedule = design, schedule
        tensors = design.tensors
        super().__init__({
            "start": In(1),
            "dataflow": In(unsigned(index_bits(len(design.flows)))),
            "busy": Out(1),
            "done": Out(1),
            "host_tensor": In(unsigned(index_bits(len(tensors)))),
            "host_bank": In(unsigned(index_bits(max(t.banks for t in tensors)))),
            "host_addr": In(unsigned(index_bits(max(t.depth for t in tensors)))),
            "host_wdata": In(unsigned(max(t.bits for t in tensors))),
            "host_we": In(1),
            "host_rdata": Out(unsigned(max(t.bits for t in tensors))),
        })

    def elaborate(self, platform):
        m = Module()
        m.submodules.controller = ctrl = Controller(self.design.flows,
                                                    drain_cycles(self.design, self.schedule))
        flow = Signal.like(self.dataflow, name="flow")
        with m.If(self.start & ~ctrl.busy):
            m.d.sync += flow.eq(self.dataflow)
        m.d.comb += [ctrl.start.eq(self.start & ~ctrl.busy), ctrl.flow.eq(flow),
                     self.busy.eq(ctrl.busy), self.done.eq(ctrl.done)]
        memories = self._memories(m)
        Netlist(m, self.design, self.schedule, ctrl.counters, flow, memories).build()
        return m

    def _memories(self, m) -> dict:
        """Per tensor and bank one memory, each with a host write port and host read port."""
        memories, words = {}, []
        tensor_q = Signal.like(self.host_tensor, name="host_tensor_q")
        bank_q = Signal.like(self.host_bank, name="host_bank_q")
        m.d.sync += [tensor_q.eq(self.host_tensor), bank_q.eq(self.host_bank)]
        for t in self.design.tensors:
            memories[t.name] = []
            for b in range(t.banks):
                mem = memory.Memory(shape=unsigned(t.bits), depth=t.depth, init=[])
                m.submodules[f"mem_{t.name}_{b}"] = mem
                write = mem.write_port()
                read = mem.read_port()
                selected = (self.host_tensor == t.index) & (self.host_bank == b)
                m.d.comb += [write.addr.eq(self.host_addr), write.data.eq(self.host_wdata),
                             write.en.eq(self.host_we & selected & ~self.busy),
                             read.addr.eq(self.host_addr)]
                words.append((t.index, b, read.data))
                memories[t.name].append(mem)
        # a flat case statement: a chain of muxes over thousands of banks is too deep
        with m.Switch(Cat(bank_q, tensor_q)):
            for index, bank, word in words:
                with m.Case(bank | (index << len(bank_q))):
                    m.d.comb += self.host_rdata.eq(word)
            with m.Default():
                m.d.comb += self.host_rdata.eq(0)
        return memories
