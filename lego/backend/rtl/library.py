"""Sub-modules converted to Verilog once per kind and instantiated many times: the FU kinds
and the RAM bank shapes. The design's Verilog is its top followed by these modules, so it grows
with the number of kinds, and so does the conversion time."""

from __future__ import annotations

from dataclasses import dataclass

from amaranth import ClockSignal, Instance, ResetSignal
from amaranth.lib import wiring

from lego.backend.design import Design, TensorGeometry
from lego.backend.ports import PortPlan
from lego.backend.rtl.add_mux import AddMux
from lego.backend.rtl.address import AddressGenerator, address_uses
from lego.backend.rtl.bank import Bank, bank_signature
from lego.backend.rtl.dsp_mul import dsp_multiplies
from lego.backend.rtl.fu_kinds import FuInstance, folded_mux, fu_instances, gate_kind
from lego.backend.rtl.fu_module import FuModule
from lego.backend.rtl.host_read import comb_banks
from lego.backend.rtl.verilog_text import convert
from lego.backend.schedule import Schedule

__all__ = ["ModuleLibrary", "BankKind", "build_library", "bank_module", "bank_kind",
           "host_writes"]


class ModuleLibrary:
    def __init__(self):
        self.texts: dict[str, str] = {}
        self.ports: dict[str, set[str]] = {}

    def add(self, name: str, make) -> None:
        """Convert ``make()`` (a component) as module ``name``, unless done already."""
        if name in self.texts:
            return
        text = convert(make(), name)
        # the header may wrap over several lines (a bank with many ports): up to its ");"
        start = text.index(f"module {name}(") + len(name) + 8
        self.ports[name] = {p.strip() for p in text[start:text.index(");", start)].split(",")}
        self.texts[name] = text

    def add_verilog(self, name: str, text: str) -> None:
        """A module written as Verilog (not converted), e.g. one instantiating an FPGA cell."""
        self.texts.setdefault(name, text)

    def instance(self, name: str, signature: wiring.Signature, interface) -> Instance:
        """An instance of module ``name`` whose ports are ``interface``'s signals."""
        kwargs = {}
        for path, member, value in signature.flatten(interface):
            port = "__".join(str(p) for p in path)
            kwargs[("i_" if member.flow == wiring.In else "o_") + port] = value
        return self._instance(name, kwargs)

    def instance_of(self, name: str, inputs: dict, outputs: dict) -> Instance:
        """An instance of module ``name``: its input ports driven by ``inputs``' values, its
        outputs driving ``outputs``' signals (by port name)."""
        kwargs = {f"i_{port}": value for port, value in inputs.items()}
        kwargs.update({f"o_{port}": value for port, value in outputs.items()})
        return self._instance(name, kwargs)

    def _instance(self, name: str, kwargs: dict) -> Instance:
        if "clk" in self.ports[name]:
            kwargs["i_clk"] = ClockSignal()
        if "rst" in self.ports[name]:
            kwargs["i_rst"] = ResetSignal()
        return Instance(name, **kwargs)

    def verilog(self) -> str:
        return "".join(self.texts[name] for name in self.texts)


def bank_module(design: str, bits: int, depth: int, reads: int, host_writes: bool,
                zeroes: tuple[int, ...] = (), views: tuple[tuple[int, int], ...] = (),
                host_comb: bool = False) -> str:
    """The module name of a bank shape; a read port reading a copy of some words (its view)
    adds ``<port>m<mask>x<value>``, an asynchronous host read ``h``."""
    viewed = [f"{i}m{mask}x{value}" for i, (mask, value) in enumerate(views) if mask]
    return (f"{design}_ram{bits}x{depth}r{reads}" + ("" if host_writes else "o")
            + ("z" + "_".join(map(str, zeroes)) if zeroes else "")
            + ("v" + "_".join(viewed) if viewed else "") + ("h" if host_comb else ""))


@dataclass(frozen=True)
class BankKind:
    """One bank's shape: what its module is made from (lego.backend.rtl.bank.Bank)."""

    bits: int
    depth: int
    reads: int  # datapath read ports
    host_writes: bool
    zeroes: tuple[int, ...]  # zeroing read ports
    views: tuple[tuple[int, int], ...]  # per read port (fixed address bits, their value)
    host_comb: bool = False  # the host reads it asynchronously (lego.backend.rtl.host_read)

    def module(self, design: str) -> str:
        return bank_module(design, self.bits, self.depth, self.reads, self.host_writes,
                           self.zeroes, self.views, self.host_comb)

    def component(self) -> Bank:
        return Bank(self.bits, self.depth, self.reads, self.host_writes, self.zeroes,
                    self.views, self.host_comb)

    def signature(self) -> wiring.Signature:
        return bank_signature(self.bits, self.depth, self.reads, self.host_writes, self.zeroes,
                              self.host_comb)


def host_writes(design: Design, tensor: str) -> bool:
    """Whether the host loads ``tensor``: an input, or an output the datapath reads back
    (accumulated in memory) without a first-write gate (lego.backend.output_write: the host
    must clear it before each run); an output that starts at zero by itself, or that the
    datapath only writes, needs no host writes."""
    return design.tensor(tensor).role == "input" or any(
        p.kind == "mem_read" and p.params.tensor == tensor and not p.params.zeroes
        for p in design.graph.primitives())


def bank_kind(ports: PortPlan, tensor: TensorGeometry, bank: int, tensor_writes: bool,
              host_comb: bool = False) -> BankKind:
    """The shape of one bank of ``tensor``, whose ``host_writes`` is ``tensor_writes`` (asked
    once per tensor: it scans the graph). Only the banks of an output that the datapath reads
    back (accumulates into) take host writes: in a fused design the other dataflows' banks of
    that output are only written by the array, and a host-write mux costs a LUT per data
    bit."""
    plan = ports.bank(tensor.name, bank)
    writes = tensor_writes and (tensor.role == "input" or len(plan.readers) > 0)
    return BankKind(tensor.bits, tensor.bank_depths[bank], len(plan.readers), writes,
                    plan.zeroing, plan.views, host_comb)


def build_library(design: Design, schedule: Schedule, ports: PortPlan
                  ) -> tuple[ModuleLibrary, tuple[FuInstance, ...]]:
    """Every FU kind and bank shape of the design, converted; and the FU instances."""
    library = ModuleLibrary()
    fus = fu_instances(design, schedule)
    for fu in fus:
        if fu.fu == fu.kind.representative:
            library.add(fu.kind.name, lambda fu=fu: FuModule(design, schedule, fu))
    for use in address_uses(design).values():
        library.add(use.module, lambda use=use: AddressGenerator(design, use))
    for dsp in dsp_multiplies(design):
        library.add_verilog(dsp.name, dsp.verilog())
    for adder in add_muxes(design, schedule, fus):
        library.add_verilog(adder.name, adder.verilog())
    comb = comb_banks(design, schedule)
    for t in design.tensors:
        tensor_writes = host_writes(design, t.name)
        for b in range(t.banks):
            kind = bank_kind(ports, t, b, tensor_writes, (t.name, b) in comb)
            library.add(kind.module(design.name), kind.component)
    return library, fus


def add_muxes(design: Design, schedule: Schedule, fus) -> tuple[AddMux, ...]:
    """The distinct adders with a dataflow mux in their carry chain, by width and the clear
    their select takes (lego.backend.rtl.fu_module)."""
    stages = dict(schedule.stages)
    adders = set()
    for fu in fus:
        if fu.fu != fu.kind.representative:
            continue
        for n in fu.kind.members:
            mux = folded_mux(design, stages, n)
            if mux is not None:
                prim = design.graph.primitive(n)
                adders.add(AddMux(prim.params.bits or prim.width,
                                  gate_kind(design, stages, mux)))
    return tuple(sorted(adders, key=lambda a: (a.width, a.gate or "")))
