"""The top's share of the datapath: control predicates, address generators, memory ports and
their RAM port sharing; and the wiring of the FU modules, each fed its nets already tapped.

What each primitive computes comes from :mod:`lego.backend.semantics`; the registers on every
connection from the schedule (:mod:`lego.backend.rtl.nets`)."""

from __future__ import annotations

from amaranth import Const, Mux, Signal

from lego.backend.design import COUNTER, Design
from lego.backend.ports import PortPlan
from lego.backend.rtl import copies
from lego.backend.rtl.address import AddressInstances
from lego.backend.rtl.fu_kinds import FuInstance, registers
from lego.backend.rtl.nets import Nets, ident
from lego.backend.schedule import Schedule
from lego.backend.semantics import MemoryPort, port_hits

__all__ = ["Netlist", "access_probes", "access_signal"]

_ident = ident


class Netlist:
    """Emits into module ``m``; ``banks[tensor][bank]`` are the RAM modules' ports
    (:class:`lego.backend.rtl.instance_ports.InstancePorts` of
    :class:`lego.backend.rtl.bank.Bank`), shared as ``ports`` plans; ``fus`` the FU
    instances, whose ports are ``fu_ports[fu]``; ``library`` instantiates the
    address modules (:mod:`lego.backend.rtl.address`)."""

    def __init__(self, m, design: Design, schedule: Schedule, ports: PortPlan, counters, flow,
                 banks, fus: tuple[FuInstance, ...], fu_ports: dict, library):
        self.m, self.design, self.ports, self.library = m, design, ports, library
        self.stages = dict(schedule.stages)
        self.banks, self.fus, self.fu_ports = banks, fus, fu_ports
        self.read_uses: dict[tuple[str, int, int], list] = {}  # RAM read port -> (hit, address)
        self.read_zeroes: dict[tuple[str, int, int], object] = {}  # RAM read port -> zero
        self.write_uses: dict[tuple[str, int], list] = {}  # bank -> (hit, address, data)
        self.nets = Nets(m, design, flow)
        self.values = self.nets.values
        self.addresses = AddressInstances(m, design, library, self.values)
        if self.stages[COUNTER] != 0:
            raise AssertionError("the step counters must be the earliest node")
        self.nets.declare(COUNTER, counters)
        self.groups = copies.CopyGroups(design, fus)
        self.copies: dict[tuple[str, int, int], Signal] = {}  # (net, registers, group) -> copy
        # what each FU computes for others: (net, registers) -> the FU's output port signal
        self.fu_outputs = {(p.net, p.registers): fu_ports[fu.fu].outputs[p.name]
                           for fu in fus for p in fu.outputs}

    def build(self) -> None:
        graph = self.design.graph
        mine = [p for p in graph.primitives() if not p.unit and p.kind != "counter"]
        for prim in mine:
            if prim.kind == "addr":  # wiring to a shared address generator, no signal
                self.nets.declare(prim.name, self._address(prim), _ident(prim.name))
            elif prim.kind != "mem_write":
                self.nets.declare(prim.name, Signal(prim.width, name=_ident(prim.name)))
        for prim in mine:
            if prim.kind == "mem_read":
                self._emit_mem_read(prim, self._inputs(prim.name, self.groups.port(prim)))
            elif prim.kind == "mem_write":
                self._emit_mem_write(prim, self._inputs(prim.name, self.groups.port(prim)))
            elif prim.kind != "addr":
                self.nets.emit(prim, self._inputs(prim.name))
        for fu in self.fus:
            for p in fu.inputs:
                self.fu_ports[fu.fu].drive(p.name, self._net(p.net, p.registers,
                                                             self.groups.fu(fu.fu)))
        self._drive_banks()

    def _net(self, name: str, regs: int, group: int | None = None):
        """Net ``name`` after ``regs`` registers: a tap here (group ``group``'s copy of it,
        for a control net: lego.backend.rtl.copies), or an FU's output port."""
        if name not in self.nets:
            return self.fu_outputs[name, regs]
        tap = self.nets.tap(name, regs)
        if (group is None or not isinstance(tap, Signal) or tap.init != 0
                or not self._control(name)):
            return tap
        key = (name, regs, group)
        if key in self.copies:
            return self.copies[key]
        if regs >= 1:  # a copy of the register
            label = f"copy_{self.nets.labels[name]}_d{regs}_g{group}"
            copy = Signal.like(tap, name=label)
            self.m.submodules[f"{label}_ff"] = copies.instance(self.nets.tap(name, regs - 1),
                                                                copy)
            self.library.add_verilog(copies.NAME, copies.verilog())
        elif self.design.graph.primitive(name).kind == "cmp":  # the predicate, from copies
            copy = Signal.like(tap, name=f"{self.nets.labels[name]}_g{group}")
            inputs = self._inputs(name, group)
            self.m.d.comb += copy.eq(self.nets.value(self.design.graph.primitive(name), inputs))
        else:
            copy = tap
        self.copies[key] = copy
        return copy

    def _control(self, name: str) -> bool:
        """A net copied per group: the step counters (as address generators and predicates
        read them) and 1-bit nets (predicates: enables, clears). A predicate computed from
        the counters in the cycle it is used is computed again per group from the group's
        copies of the counters."""
        return name == COUNTER or self.design.graph.primitive(name).width == 1

    def _inputs(self, name: str, group: int | None = None) -> list:
        return [self._net(c.src, registers(self.design, self.stages, c.src, name, c.distance),
                          group)
                for c in self.design.graph.inputs(name)]

    def _address(self, prim):
        (conn,) = self.design.graph.inputs(prim.name)
        regs = registers(self.design, self.stages, conn.src, prim.name, conn.distance)
        group = self.groups.address(prim.name)
        return self.addresses.value(prim.name, self._net(conn.src, regs, group),
                                    (conn.src, regs, group))

    def _out(self, prim):
        return self.nets.taps[prim.name][0]

    # -- memory ports --------------------------------------------------------------------
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
            if port_params.zeroes:  # alone on its port (lego.backend.ports)
                self.read_zeroes[tensor, b, port] = inputs[2]
            data.append((b, self.banks[tensor][b].outputs[f"r_data__{port}"]))
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
            bank.drive(f"r_en__{port}", _any(hit for hit, _ in uses))
            bank.drive(f"r_addr__{port}", _select(uses))
        for (tensor, b, port), zero in sorted(self.read_zeroes.items(), key=lambda z: z[0]):
            zeroing = self.ports.bank(tensor, b).zeroing
            self.banks[tensor][b].drive(f"r_zero__{zeroing.index(port)}", zero)
        for (tensor, b), uses in sorted(self.write_uses.items(), key=lambda u: u[0]):
            bank = self.banks[tensor][b]
            # the verify bench watches every written bank's enable and address by name
            bank.probe("w_en", _any(hit for hit, _, _ in uses))
            bank.probe("w_addr", _select([(hit, a) for hit, a, _ in uses]))
            bank.drive("w_data", _select([(hit, d) for hit, _, d in uses]))


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
