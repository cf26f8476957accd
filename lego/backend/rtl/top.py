"""The accelerator top: controller, one RAM module per tensor bank, a registered host port, and
the pipelined datapath. The interface is the same for every design (see ``Accelerator``)."""

from __future__ import annotations

import functools
import operator

from amaranth import Cat, Module, Signal, unsigned
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.design import Design
from lego.backend.ports import PortPlan
from lego.backend.rtl.controller import Controller
from lego.backend.rtl.fu_kinds import FuInstance
from lego.backend.rtl.fu_module import fu_signature
from lego.backend.rtl.host_read import HOST_READ_GROUP, comb_banks, read_chunks
from lego.backend.rtl.instance_ports import InstancePorts, signature_ports
from lego.backend.rtl.library import ModuleLibrary, bank_kind, host_writes
from lego.backend.rtl.netlist import Netlist
from lego.backend.schedule import Schedule, drain_cycles
from lego.widths import index_bits

__all__ = ["Accelerator", "top_signature"]


def top_signature(design: Design) -> dict:
    """The top's ports (less ``clk`` and ``rst``), in order: the widths the design's interface
    document (:mod:`lego.backend.interface`) states are these."""
    tensors = design.tensors
    return {
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
    }


class Accelerator(wiring.Component):
    """``start`` runs dataflow ``dataflow`` (sampled at start) over the loaded tensors; ``done``
    is high from completion until the next start. Host port (used only while not busy): tensor
    ``host_tensor`` (index in ADG order), bank, address; ``host_we`` writes ``host_wdata`` (it
    lands one edge later; an output the datapath only writes takes no host writes);
    ``host_rdata`` is the word addressed ``host_read_latency`` edges earlier
    (lego.backend.rtl.host_read). Every host input
    is registered before it reaches a RAM, so the host port adds no logic to the datapath's
    timing paths."""

    def __init__(self, design: Design, schedule: Schedule, ports: PortPlan,
                 library: ModuleLibrary, fus: tuple[FuInstance, ...]):
        if schedule.design != design.name:
            raise ValueError(f"Schedule is for {schedule.design!r}, not {design.name!r}")
        self.design, self.schedule, self.ports = design, schedule, ports
        self.library, self.fus = library, fus
        self.comb = comb_banks(design, schedule)  # banks the host reads asynchronously
        super().__init__(top_signature(design))

    def elaborate(self, platform):
        m = Module()
        m.submodules.controller = ctrl = Controller(self.design.flows,
                                                    drain_cycles(self.design, self.schedule))
        flow = Signal.like(self.dataflow, name="flow")
        with m.If(self.start & ~ctrl.busy):
            m.d.sync += flow.eq(self.dataflow)
        m.d.comb += [ctrl.start.eq(self.start & ~ctrl.busy), ctrl.flow.eq(flow),
                     self.busy.eq(ctrl.busy), self.done.eq(ctrl.done)]
        # the host owns the banks in the next cycle: the datapath is idle and not starting
        banks = self._banks(m, ~ctrl.busy & ~ctrl.start)
        fus = self._fus(m, flow)
        Netlist(m, self.design, self.schedule, self.ports, ctrl.counters, flow, banks,
                self.fus, fus, self.library).build()
        for ports in [b for t in self.design.tensors for b in banks[t.name]] + list(fus.values()):
            m.submodules[ports.label] = ports.instance(self.library)
        return m

    def _fus(self, m, flow) -> dict[str, InstancePorts]:
        """The ports of each FU's instance of its kind's module, by FU."""
        out, kinds = {}, {}
        for fu in self.fus:
            if fu.kind.name not in kinds:  # the same ports for every FU of the kind
                kinds[fu.kind.name] = signature_ports(fu_signature(self.design, fu))
            out[fu.fu] = ports = InstancePorts(m, fu.fu, fu.kind.name, kinds[fu.kind.name])
            if fu.kind.uses_flow:
                ports.drive("flow", flow)
        return out

    def _banks(self, m, idle) -> dict[str, list[InstancePorts]]:
        """Per tensor and bank the ports of its RAM module, the host's registered inputs on
        them; ``idle``: the host owns the banks in the next cycle."""
        wdata = Signal.like(self.host_wdata, name="host_wdata_q")
        m.d.sync += wdata.eq(self.host_wdata)
        banks: dict[str, list] = {}
        words, shapes = {}, {}
        for t in self.design.tensors:
            banks[t.name] = []
            tensor_writes = host_writes(self.design, t.name)
            for b in range(t.banks):
                comb = (t.name, b) in self.comb
                if b % HOST_READ_GROUP == 0:
                    address, reading = self._group_address(m, t, b // HOST_READ_GROUP, idle)
                kind = bank_kind(self.ports, t, b, tensor_writes, comb)
                depth, writes = kind.depth, kind.host_writes
                module = kind.module(self.design.name)
                if module not in shapes:
                    shapes[module] = signature_ports(kind.signature())
                bank = InstancePorts(m, f"mem_{t.name}_{b}", module, shapes[module])
                if not comb:
                    bank.drive("host_read", reading)
                bank.drive("host_addr", address[:index_bits(depth)])
                if writes:
                    # the bank's write enable is decoded before its register, with the other
                    # host inputs: decoded after them it was the 8x8 WS array's critical path
                    # (host_bank_q -> compare -> every RAM cell's write enable, 7.1 ns)
                    we_q = Signal(name=f"host_we_{t.name}_{b}_q")
                    m.d.sync += we_q.eq(idle & self.host_we & (self.host_tensor == t.index)
                                        & (self.host_bank == b))
                    bank.drive("host_we", we_q)
                    bank.drive("host_wdata", wdata[:t.bits])
                words[(t.name, b)] = bank.outputs["host_rdata"]
                banks[t.name].append(bank)
        self._read_back(m, words)
        return banks

    def _group_address(self, m, tensor, group: int, idle) -> tuple[Signal, Signal]:
        """The host address and whether the host reads the group (its banks' read port 0 is
        then the host's), registered for a group of
        ``HOST_READ_GROUP`` banks of ``tensor``. One host address register for every bank was
        the 8x8 arrays' critical path at 5.5 ns, and one per tensor drives every RAM cell of a
        64-bank output, as did one read select per tensor (the 8x8 WS array's critical path at
        5.5 ns, host_read_C_q -> every C bank's read address); Yosys merges identical
        registers, not these (their enables and inputs differ)."""
        bits = HOST_READ_GROUP.bit_length() - 1
        address = Signal.like(self.host_addr, name=f"host_addr_{tensor.name}_{group}_q")
        reading = Signal(name=f"host_read_{tensor.name}_{group}_q")
        addressed = (self.host_tensor == tensor.index) & (self.host_bank[bits:] == group)
        group_banks = range(group * HOST_READ_GROUP, min((group + 1) * HOST_READ_GROUP,
                                                          tensor.banks))
        if any((tensor.name, b) not in self.comb for b in group_banks):
            m.d.sync += reading.eq(idle & addressed)  # an asynchronous read has no enable
        with m.If(addressed):
            m.d.sync += address.eq(self.host_addr)
        return address, reading

    def _read_back(self, m, words) -> None:
        """The addressed bank's word through two registered stages after the banks' read
        registers, or after their asynchronous reads (``words``: per (tensor, bank) its word;
        lego.backend.rtl.host_read, which also says where the asynchronous chunks' OR takes a
        register of its own), none more than
        one ``HOST_READ_GROUP``:1 mux or an OR: alongside the banks' read, per chunk of words,
        the selected word's position (binary) and whether the chunk holds it are registered
        (a decode of bank and tensor); (1) each chunk registers the word at that position,
        or 0 (a flip-flop reset) when it does not hold the selected word; (2) ``host_rdata``
        registers the OR of the chunks. No stage decodes the select on its way to the data:
        a registered select decoded in front of the final mux was the 8x8 OS array's
        critical path at 5.5 ns (host_sel_q2 -> host_rdata, 7.5 ns)."""
        # decoded from the host's inputs before their register, then registered again: the
        # decode behind host_bank_q was the 4x4 WS array's critical path at 5.1 ns (4.9 ns)
        select = Cat(self.host_bank, self.host_tensor)
        chunks = []
        for c, entries in enumerate(read_chunks(self.design)):
            chunk = [(value, words[(t, b)]) for value, t, b in entries]
            comb = (entries[0][1], entries[0][2]) in self.comb  # a chunk's banks are alike
            # which word of the chunk the host selects, and whether one is (at least a
            # bit wide: Verilator rejects the [-1:0] of a chunk of one word)
            decoded = Signal(range(max(len(chunk), 2)), name=f"host_pick_{c}_d")
            found = Signal(name=f"host_hit_{c}_d")
            with m.Switch(select):
                for position, (value, _) in enumerate(chunk):
                    with m.Case(value):
                        m.d.sync += [decoded.eq(position), found.eq(1)]
                with m.Default():
                    m.d.sync += [decoded.eq(0), found.eq(0)]
            pick, hit = decoded, found
            if not comb:  # a second register, beside the banks' read registers
                pick = Signal.like(decoded, name=f"host_pick_{c}_q")
                hit = Signal(name=f"host_hit_{c}_q")
                m.d.sync += [pick.eq(decoded), hit.eq(found)]
            # (1) that word by a binary select, or 0 where the chunk does not hold it
            word_q = Signal(max(len(word) for _, word in chunk), name=f"host_chunk_{c}_q")
            with m.If(~hit):
                m.d.sync += word_q.eq(0)
            with m.Else():
                with m.Switch(pick):
                    for position, (_, word) in enumerate(chunk[:-1]):
                        with m.Case(position):
                            m.d.sync += word_q.eq(word)
                    with m.Default():
                        m.d.sync += word_q.eq(chunk[-1][1])
            chunks.append((word_q, comb))
        early = [q for q, comb in chunks if comb]
        late = [q for q, comb in chunks if not comb]
        if early and late:  # the asynchronous chunks' words an edge earlier: one more register
            ored = Signal(max(len(q) for q in early), name="host_chunks_comb_q")
            m.d.sync += ored.eq(functools.reduce(operator.or_, early))
            early = [ored]
        chunks = early + late
        # (2) the selected chunk's word: an OR, the other chunks hold 0
        m.d.sync += self.host_rdata.eq(functools.reduce(operator.or_, chunks))
