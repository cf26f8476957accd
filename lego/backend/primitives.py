"""The primitive-level graph the back end pipelines: operators, registers, FIFOs, memory ports.

A node is one primitive with a combinational delay (ns), a latency (cycles: 0 for combinational
operators, 1 for a synchronous memory read) and the bit width of its output net. An edge carries a
``distance``: how many steps earlier the consumer wants the producer's value (0 for a wire, d for a
delay line of depth d, 1 for an accumulator's feedback). The pipelining LP adds registers on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import networkx as nx

from lego.backend.semantics import PARAMS_OF_KIND

__all__ = ["Primitive", "Connection", "PrimitiveGraph", "DelayModel", "DSP_BITS", "fits_dsp"]

DSP_BITS = 18  # a MULT18X18D's signed operand inputs


def fits_dsp(operands: tuple[tuple[int, bool], ...]) -> bool:
    """Whether two operands of (bits, signed) fit one MULT18X18D's signed 18-bit inputs (an
    unsigned one zero-extended, so at most 17 bits)."""
    return len(operands) == 2 and all(
        bits <= (DSP_BITS if signed else DSP_BITS - 1) for bits, signed in operands)


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
    # what the output adds to the paths it starts, one cycle later (a RAM's clock-to-out);
    # ``delay_ns`` of a latency-1 node is what it adds at the end of the paths into it
    launch_ns: float = 0.0

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
        crossing = 1 if self.distance >= 1 else self.distance  # min(distance, 1), inlined:
        return max(crossing, self.min_registers)  # the timing analysis asks ~10^4 times


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
    # memory ports and fan-out (0 in this generic model: not modelled; the ECP5 table sets them)
    read_setup_ns: float = 0.0       # read address/enable into a RAM, beyond a register's setup
    read_clk_to_out_ns: float = 0.0  # a RAM's read data, beyond a register's clock-to-q
    write_setup_ns: float = 0.0      # write address/data/enable into a RAM
    block_read_setup_ns: float = 0.0  # the same three for block RAM (banks deeper than
    block_clk_to_out_ns: float = 0.0  # ``distributed_max_words``)
    block_write_setup_ns: float = 0.0
    distributed_max_words: int = 64
    fanout_ns_per_sqrt_load: float = 0.0  # a net driving n LUT inputs: this x (sqrt(n) - 1)
    # a multiply whose operands fit a DSP, built with the DSP's own operand and product
    # registers (lego.backend.rtl.dsp_mul): this many cycles, and the routing into and out of
    # the DSP at the ends of the paths around it. 0: combinational, ``mul_ns_per_bit`` applies
    dsp_latency: int = 0
    dsp_setup_ns: float = 0.0
    dsp_clk_to_out_ns: float = 0.0
    # the same out of a DSP in an array into an adder (its carry chain cannot sit next to every
    # DSP); where that path does not fit the period, the product is registered in the fabric.
    # With ``array_product_ns_per_fu`` (fitted to whole arrays) it grows with the array's FUs
    # instead, dsp_clk_to_out_ns + this per FU beyond the first (``product_out``): an ECP5's
    # DSPs sit in rows across the die, so an array's DSPs spread along them as it grows; held
    # at ``array_product_max_fus`` (the largest array fitted; 0: no limit) beyond it
    dsp_array_clk_to_out_ns: float = 0.0
    array_product_ns_per_fu: float = 0.0
    array_product_max_fus: int = 0
    # a distributed-RAM read in an array of n x n FUs: its read register is placed by the FU it
    # feeds, the RAM by its address logic, so the read's setup grows by this per FU side
    # beyond the first (the word crosses the array inside one cycle); a read-modify-write's
    # write likewise (the sum of the old word and an FU's comes across the array)
    array_read_ns_per_side: float = 0.0
    array_write_ns_per_side: float = 0.0

    def memory(self, side: str, depth: int) -> float:
        """A RAM port's delay: ``side`` is read_setup, clk_to_out or write_setup."""
        block = depth > self.distributed_max_words
        names = {"read_setup": ("read_setup_ns", "block_read_setup_ns"),
                 "clk_to_out": ("read_clk_to_out_ns", "block_clk_to_out_ns"),
                 "write_setup": ("write_setup_ns", "block_write_setup_ns")}
        return getattr(self, names[side][block])

    def read(self, depth: int, fus: int) -> tuple[float, float]:
        """A read port's (setup, clock-to-out) in an array of ``fus`` FUs."""
        setup = self._across(self.memory("read_setup", depth), self.array_read_ns_per_side,
                             depth, fus)
        return setup, self.memory("clk_to_out", depth)

    def write(self, depth: int, fus: int, rmw: bool) -> float:
        """A write port's setup in an array of ``fus`` FUs; ``rmw``: a read-modify-write's (the
        sum of the bank's old word and an FU's crosses the array on its way in)."""
        setup = self.memory("write_setup", depth)
        return self._across(setup, self.array_write_ns_per_side, depth, fus) if rmw else setup

    def _across(self, setup: float, per_side: float, depth: int, fus: int) -> float:
        """``setup`` plus ``per_side`` per FU side beyond the first, for a distributed RAM."""
        if depth > self.distributed_max_words or fus <= 1:
            return setup
        side = math.isqrt(fus - 1) + 1  # the side of the smallest square holding the FUs
        return round(setup + per_side * (side - 1), 6)

    def product_out(self, fus: int) -> float:
        """A DSP product's clock-to-out into the fabric's logic in an array of ``fus`` FUs."""
        if not self.array_product_ns_per_fu:
            return self.dsp_array_clk_to_out_ns
        fus = min(fus, self.array_product_max_fus or fus)
        return round(self.dsp_clk_to_out_ns + self.array_product_ns_per_fu * (fus - 1), 6)

    def fabric_product(self, bits: int, period_ns: float | None, fus: int) -> bool:
        """Does a DSP's ``bits``-bit product, in an array of ``fus`` FUs, need a register in the
        fabric before its adder at ``period_ns`` (None: no period)? Without one, the route out
        of the DSP row into the carry chain starts every path through the adder."""
        direct = self.reg_overhead_ns + self.product_out(fus) + self.delay("add", bits)
        return period_ns is not None and direct > period_ns + 1e-6

    def fanout(self, loads: int) -> float:
        """What a net driving ``loads`` LUT inputs adds to the paths through it."""
        return round(self.fanout_ns_per_sqrt_load * (max(loads, 1) ** 0.5 - 1), 6)

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
    """A thin wrapper over a networkx MultiDiGraph of primitives (nodes added in order). Add
    and connect through it only: it keeps each node's primitive and input connections in
    dicts of its own too, because the back end looks them up per node many times and a
    networkx view per look-up cost more than the work done with it."""

    name: str
    graph: nx.MultiDiGraph = field(default_factory=nx.MultiDiGraph)
    _prims: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # per node, per source (first connected first) its connections: networkx's in_edges order;
    # and per node, per destination its connections: the order of networkx's out_edges
    _into: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _out: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _fanouts: dict | None = field(default=None, init=False, repr=False, compare=False)

    def add(self, primitive: Primitive) -> str:
        if primitive.name in self._prims:
            raise ValueError(f"duplicate primitive {primitive.name!r}")
        self.graph.add_node(primitive.name, prim=primitive)
        self._prims[primitive.name] = primitive
        self._into[primitive.name] = {}
        self._out[primitive.name] = {}
        self._fanouts = None
        return primitive.name

    def connect(self, src: str, dst: str, distance: int = 0, operand: int = 0,
                min_registers: int = 0) -> None:
        for end in (src, dst):
            if end not in self._prims:
                raise ValueError(f"unknown primitive {end!r}")
        conn = Connection(src, dst, distance, operand, min_registers)
        self.graph.add_edge(src, dst, conn=conn)
        self._into[dst].setdefault(src, []).append(conn)
        self._out[src].setdefault(dst, []).append(conn)
        self._fanouts = None

    def inputs(self, name: str) -> list[Connection]:
        """The connections into ``name`` in operand order."""
        conns = [conn for group in self._into[name].values() for conn in group]
        return sorted(conns, key=lambda c: c.operand)

    def outputs(self, name: str) -> tuple[Connection, ...]:
        """The connections out of ``name`` in networkx's ``out_edges`` order."""
        return self.fanouts().get(name, ())

    def fanouts(self) -> dict[str, tuple[Connection, ...]]:
        """Per node that drives a net, its out-connections: ``edges()``'s order (nodes as
        added, per node its destinations as first connected). Built once per graph (the
        pipelining pass asks for it six times); read it, do not change it."""
        if self._fanouts is None:
            self._fanouts = {name: tuple(c for group in out.values() for c in group)
                             for name, out in self._out.items() if out}
        return self._fanouts

    def primitive(self, name: str) -> Primitive:
        return self._prims[name]

    def primitives(self) -> list[Primitive]:
        return [self._prims[n] for n in sorted(self._prims)]

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
            launch = f" launch{prim.launch_ns}ns" if prim.launch_ns else ""
            lines.append(f"  {prim.name}: {prim.kind} w{prim.width} {prim.delay_ns}ns "
                         f"lat{prim.latency}{launch}{unit} {prim.params!r} <- [{inputs}]")
        return lines
