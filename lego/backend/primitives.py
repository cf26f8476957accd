"""The primitive-level graph the back end pipelines: operators, registers, FIFOs, memory ports.

A node is one primitive with a combinational delay (ns), a latency (cycles: 0 for combinational
operators, 1 for a synchronous memory read) and the bit width of its output net. An edge carries a
``distance``: how many steps earlier the consumer wants the producer's value (0 for a wire, d for a
delay line of depth d, 1 for an accumulator's feedback). The pipelining LP adds registers on top.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from lego.backend.semantics import PARAMS_OF_KIND

__all__ = ["Primitive", "Connection", "PrimitiveGraph", "DelayModel"]


@dataclass(frozen=True)
class Primitive:
    """``params`` is the kind's parameter class from :mod:`lego.backend.semantics` (what the
    primitive computes); the pipelining LP needs only kind, width, delay and latency."""

    name: str
    kind: str  # a key of PARAMS_OF_KIND: counter, cmp, addr, mux, wire, mul, add, mem_read, ...
    width: int  # bits of the output net
    delay_ns: float = 0.0
    latency: int = 0
    params: object = None
    unit: str = ""  # the FU whose module builds it; "" for the top (control, addresses, RAM)

    def __post_init__(self):
        allowed = PARAMS_OF_KIND.get(self.kind)
        if self.params is not None and (allowed is None or not isinstance(self.params, allowed)):
            raise TypeError(f"Primitive {self.name!r} of kind {self.kind!r} cannot have "
                            f"parameters {self.params!r}")


@dataclass(frozen=True)
class Connection:
    src: str
    dst: str
    distance: int = 0  # steps of delay the dataflow asks for (FIFO depth, loop-carried distance)
    operand: int = 0  # which input of ``dst`` this connection drives
    # the fewest registers the hardware wants on it (the LP may add more; the values stay those
    # of the same step): e.g. one before an accumulator's clear, so the clear becomes the
    # synchronous reset of the accumulator's register instead of a LUT per bit
    min_registers: int = 0

    @property
    def least_registers(self) -> int:
        """What the LP must keep: a step-crossing connection holds at least one register, so
        that timing paths always end at it; and at least ``min_registers``."""
        return max(min(self.distance, 1), self.min_registers)


@dataclass(frozen=True)
class DelayModel:
    """Combinational delay estimates in ns (generic 28 nm-class standard cells; estimates, not
    sign-off numbers). ``mul`` and ``add`` scale with operand width; override any entry."""

    mul_ns_per_bit: float = 0.11    # array multiplier: delay grows ~linearly with width
    add_ns_per_bit: float = 0.025   # ripple-ish adder with carry lookahead blocks
    add_base_ns: float = 0.1
    mux_ns: float = 0.08
    reg_overhead_ns: float = 0.12   # clock-to-q plus setup, taken off every cycle's budget
    wire_ns: float = 0.02           # FU-to-FU hop
    cmp_ns: float = 0.15            # counter comparisons of the control predicates
    addr_ns: float = 0.6            # address arithmetic (constant multiplies, adds)

    def delay(self, kind: str, width: int) -> float:
        if kind == "mul":
            return round(self.mul_ns_per_bit * width, 6)
        if kind == "add":
            return round(self.add_base_ns + self.add_ns_per_bit * width, 6)
        if kind == "mux":
            return self.mux_ns
        if kind == "wire":
            return self.wire_ns
        if kind == "cmp":
            return self.cmp_ns
        if kind == "addr":
            return self.addr_ns
        return 0.0


@dataclass
class PrimitiveGraph:
    """A thin wrapper over a networkx MultiDiGraph of primitives (nodes added in order)."""

    name: str
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)

    def add(self, primitive: Primitive) -> str:
        if primitive.name in self.graph:
            raise ValueError(f"duplicate primitive {primitive.name!r}")
        self.graph.add_node(primitive.name, prim=primitive)
        return primitive.name

    def connect(self, src: str, dst: str, distance: int = 0, operand: int = 0,
                min_registers: int = 0) -> None:
        for end in (src, dst):
            if end not in self.graph:
                raise ValueError(f"unknown primitive {end!r}")
        self.graph.add_edge(src, dst, conn=Connection(src, dst, distance, operand,
                                                      min_registers))

    def inputs(self, name: str) -> list[Connection]:
        """The connections into ``name`` in operand order."""
        conns = [data["conn"] for _, _, data in self.graph.in_edges(name, data=True)]
        return sorted(conns, key=lambda c: c.operand)

    def primitive(self, name: str) -> Primitive:
        return self.graph.nodes[name]["prim"]

    def primitives(self) -> list[Primitive]:
        return [self.graph.nodes[n]["prim"] for n in sorted(self.graph.nodes)]

    def connections(self) -> list[Connection]:
        conns = [data["conn"] for _, _, data in self.graph.edges(data=True)]
        return sorted(conns, key=lambda c: (c.src, c.dst, c.distance))

    def dump(self) -> list[str]:
        """Stable text: per primitive (by name) its kind, width, delay, latency, parameters and
        inputs in operand order (``@d``: the value d steps earlier)."""
        lines = []
        for prim in self.primitives():
            inputs = ", ".join(c.src + (f"@{c.distance}" if c.distance else "")
                               + (f" (>={c.min_registers} regs)" if c.min_registers else "")
                               for c in self.inputs(prim.name))
            unit = f" in {prim.unit}" if prim.unit else ""
            lines.append(f"  {prim.name}: {prim.kind} w{prim.width} {prim.delay_ns}ns "
                         f"lat{prim.latency}{unit} {prim.params!r} <- [{inputs}]")
        return lines
