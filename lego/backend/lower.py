"""Lower the ADG to the primitive graph the LP pipelines and the RTL emitter builds.

One source node ``ctrl`` carries the controller's step counters (all dataflows packed); control
predicates (first/last of a stationary loop, edge validity, write and read enables) are ``cmp``
nodes on it shared by all FUs, so each FU gets them through taps of one shift register (the
systolic skew). Per FU: operand nets per input tensor (memory read, neighbour wire, delay edge
with memory fallback, stationary hold, dataflow mux), a product, an accumulator or partial-sum
adder and the memory write. What each node computes is its parameter class in
:mod:`lego.backend.semantics`; all values for step t appear at cycle t + stage.

Node names are content keys (equal logic is built once and shared) and become the Verilog's
signal names, so they are part of the output: change them only on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from lego.backend import preload
from lego.backend.design import COUNTER, Design, Flow, TensorGeometry, counters_width
from lego.backend.layout import geometry
from lego.backend.output_write import first_writes_exact, write
from lego.backend.partial_sums import partial_sum_bits
from lego.backend.primitives import DelayModel, Primitive, PrimitiveGraph, fits_dsp
from lego.backend.semantics import (
    AllZero,
    CoordAddress,
    Counters,
    FixedAddress,
    FlowMux,
    GateMux,
    InBox,
    MemoryPort,
    PredMux,
    PreloadAddress,
    Product,
    ReadEnable,
    ReadTerm,
    RunningFirst,
    Sum,
    Wire,
)
from lego.frontend.adg import ADG, EdgeUse, mem_id

__all__ = ["lower"]

def lower(adg: ADG, delays: DelayModel | None = None, period_ns: float | None = None) -> Design:
    """``period_ns``: the clock the LP will pipeline for; where a DSP's product cannot reach its
    adder within it, the product keeps a register in the fabric (None: never)."""
    flows = preload.flows(adg)
    tensors = geometry(adg)

    def lowered(zero_start: bool) -> Design:
        lowering = _Lowering(adg, flows, tensors, delays or DelayModel(), period_ns, zero_start)
        lowering.build()
        return Design(adg.name, flows, tensors, len(adg.fus), lowering.graph)
    # an output that starts at zero by itself (output_write), unless its gate would be wrong
    design = lowered(True)
    return design if first_writes_exact(design) else lowered(False)


class _Lowering:
    def __init__(self, adg: ADG, flows: tuple[Flow, ...], tensors, delays: DelayModel,
                 period_ns: float | None = None, zero_start: bool = False):
        self.adg, self.flows, self.tensors, self.delays = adg, flows, tensors, delays
        self.period_ns, self.zero_start = period_ns, zero_start  # zero_start: output_write
        self.graph = PrimitiveGraph(adg.name)
        self.operands: dict[tuple[str, str], str] = {}
        self.chains: dict[tuple[str, str], str] = {}
        self.building: set[tuple[str, str]] = set()  # operands being built (cycle detection)
        self.later: list[tuple[_Later, str, int, int]] = []  # (upstream, dst, distance, operand)
        self.fu_index = {fu.id: fu.index for fu in adg.fus}
        self.coords = {fu.id: fu.coord for fu in adg.fus}
        self.acyclic_sums = False  # set by build: may the dataflows share each FU's adder
        self.partial_sum = Sum(partial_sum_bits(adg))  # an FU's adders (not read-modify-write)

    # -- graph helpers -------------------------------------------------------------------
    def node(self, name: str, kind: str, width: int, params, inputs=(), latency=0,
             unit: str = "", free: bool = False) -> str:
        """Add a node once (names are content keys, so equal logic is shared); ``unit``: the FU
        whose module holds it ("" for the top); ``free``: inside its consumer's cells, no delay."""
        if name not in self.graph.graph:
            delay, launch = self.timing(name, kind, width, params, latency)
            self.graph.add(Primitive(name, kind, width, 0 if free else delay, latency, params,
                                     unit, launch))
            for operand, (src, distance, *least) in enumerate(inputs):
                if isinstance(src, _Later):
                    self.later.append((src, name, distance, operand))
                else:
                    self.graph.connect(src, name, distance, operand, *least)
        return name

    def timing(self, name: str, kind: str, width: int, params, latency: int) -> tuple:
        """(delay, launch) of a new node: a node with latency (a RAM read, a multiply in a DSP
        with its registers) ends the paths into it with its setup and starts the paths out
        of it with its clock-to-out; a memory write only ends paths (rmw: DelayModel.write)."""
        if kind in ("mem_read", "mem_write"):
            depth = self.geometry(params.tensor).depth
            if kind == "mem_write":  # wr.<fu>.<flow>, after rmw.<fu>.<flow> if a read-modify-write
                rmw = "rmw" + name[2:] in self.graph.graph
                return self.delays.write(depth, len(self.adg.fus), rmw), 0.0
            return self.delays.read(depth, len(self.adg.fus))
        if kind == "mul" and latency:  # no fabric register: paths start on the array's route
            fabric = self.delays.fabric_product(width, self.period_ns, len(self.adg.fus))
            return self.delays.dsp_setup_ns, (self.delays.dsp_clk_to_out_ns if fabric
                                              else self.delays.product_out(len(self.adg.fus)))
        return self.delays.delay(kind, width), 0.0

    def pred(self, flow: str, op: str, args: tuple, params) -> str:
        return self.node(f"p.{flow}.{op}.{_key(args)}", "cmp", 1, params, [(COUNTER, 0)])

    def first_step(self, flow: str, loops: tuple[str, ...], running: bool = False) -> str:
        """1 at the first step of ``loops``; ``running``: only while ``flow`` runs (a clear)."""
        index, at = self.temporal_index(flow, loops), self.flow(flow).index
        return self.pred(flow, *(("running_first", index, RunningFirst(at, index)) if running
                                 else ("all_zero", index, AllZero(at, index))))

    def flow(self, name: str) -> Flow:
        return next(f for f in self.flows if f.name == name)

    def geometry(self, tensor: str) -> TensorGeometry:
        return next(t for t in self.tensors if t.name == tensor)

    def flow_mux(self, name: str, per_flow: list, width: int, unit="", free=False) -> str:
        """Net ``per_flow[d]`` in dataflow d (None: 0); ``free``: see ``node``."""
        distinct = sorted({n for n in per_flow if n is not None})
        if len(distinct) == 1 and None not in per_flow:
            return distinct[0]
        selects = tuple(None if n is None else distinct.index(n) for n in per_flow)
        return self.node(name, "mux", width, FlowMux(selects), [(n, 0) for n in distinct],
                         unit=unit, free=free)

    def temporal_index(self, flow: str, names) -> tuple[int, ...]:
        return tuple(self.flow(flow).names.index(n) for n in names)

    def flags(self, flow: str, tensor: str):
        return self.adg.flow(flow).flags(tensor)

    # -- building ------------------------------------------------------------------------
    def build(self) -> None:
        self.node(COUNTER, "counter", counters_width(self.flows), Counters())
        for fu in self.adg.fus:
            for tensor in self.tensors:
                if tensor.role == "input":
                    self.operand(fu.id, tensor.name)
        for upstream, dst, distance, operand in self.later:
            self.graph.connect(self.operands[upstream.key], dst, distance, operand)
        output = next(t for t in self.tensors if t.role == "output")
        self.acyclic_sums = nx.is_directed_acyclic_graph(nx.DiGraph(
            [(src, fu.id) for fu in self.adg.fus for flow in self.flows
             for src, _ in self.adg.in_edges(fu.id, output.name, flow.name)
             if src != mem_id(output.name)]))
        for fu in self.adg.fus:
            for flow in self.flows:
                write(self, fu.id, flow.name, output)

    def port(self, fu: str, tensor: str, flow: str):
        return self.adg.memory(flow, tensor).port(self.fu_index[fu])

    def address(self, fu: str, tensor: str, flow: str) -> str:
        mem, port, index = (self.adg.memory(flow, tensor), self.port(fu, tensor, flow),
                            self.flow(flow).index)
        if mem.preload_stride is not None:  # a preload chain's first FU (lego.backend.preload)
            params = PreloadAddress(index, tensor, port.bank, port.address,
                                    mem.address_strides, mem.preload_stride)
        elif mem.fixed_bank:
            params = FixedAddress(index, tensor, port.bank, port.address, mem.address_strides)
        else:
            params = CoordAddress(index, tensor, port.base, mem.coord_strides, mem.bank_dims,
                                  mem.bank_gcd, mem.bank_shape)
        geo = self.geometry(tensor)
        return self.node(f"a.{flow}.{tensor}.{fu}", "addr", geo.bank_bits + geo.address_bits,
                         params, [(COUNTER, 0)])

    def banks(self, tensor: str, flows: list[str], fu: str) -> tuple[int, ...]:
        """The banks a port may touch: its own bank when fixed, else all."""
        out = set()
        for flow in flows:
            if self.adg.memory(flow, tensor).fixed_bank:
                out.add(self.port(fu, tensor, flow).bank)
            else:
                out.update(range(self.geometry(tensor).banks))
        return tuple(sorted(out))

    def mem_read(self, fu: str, tensor: str, flows: list[str], tag: str,
                 terms: tuple[ReadTerm, ...], holds: bool = False, zero: str | None = None
                 ) -> str:
        """One read port of ``fu`` on ``tensor``, addressed per dataflow, enabled at the steps
        ``terms`` name and at no others; ``holds``, ``zero`` (the net that zeroes the word
        read): see ``MemoryPort``."""
        geo = self.geometry(tensor)
        addresses = [self.address(fu, tensor, f) for f in flows]
        per_flow = [addresses[flows.index(f.name)] if f.name in flows else addresses[0]
                    for f in self.flows]
        address = self.flow_mux(f"am.{tensor}.{fu}.{tag}", per_flow,
                                geo.bank_bits + geo.address_bits)
        key = tuple((t.flow, t.equalities, t.outside) if isinstance(t, ReadTerm)
                    else (t.flow, "bubbles") for t in terms)
        enable = self.node(f"re.{key!r}".replace(" ", ""), "cmp", 1, ReadEnable(terms),
                           [(COUNTER, 0)])
        return self.node(f"r.{tensor}.{fu}.{tag}", "mem_read", geo.bits,
                         MemoryPort(tensor, self.banks(tensor, flows, fu), holds,
                                    zero is not None),
                         [(address, 0), (enable, 0)] + ([(zero, 0)] if zero else []), latency=1)

    def operand_read(self, fu: str, tensor: str) -> str:
        """The read port feeding ``fu``'s ``tensor`` operand, shared by every dataflow in which
        ``fu`` reads it; it reads only at the steps whose word is used."""
        flows = [f.name for f in self.flows if self.port(fu, tensor, f.name) is not None]
        terms = tuple(t for t in (self.read_term(fu, tensor, f) for f in flows)
                      if t is not None)
        terms += preload.bubble_reads(self, tensor, flows)
        # a stationary word read from one bank is read at its first step only: the RAM's read
        # register holds it, as a hold register in the FU would (MemoryPort.holds)
        held = [f for f in flows if self.flags(f, tensor).stationary
                and self.adg.in_edges(fu, tensor, f)[0][1].kind == "memory"]
        holds = bool(held) and len(self.banks(tensor, flows, fu)) == 1
        return self.mem_read(fu, tensor, flows, "p", terms, holds)

    def read_term(self, fu: str, tensor: str, flow: str) -> ReadTerm | None:
        """When ``fu`` reads ``tensor`` in ``flow``: a stationary operand at the first step of its
        invariant loops only (held after), a delay edge's fallback where the edge is not valid."""
        (_, edge), = self.adg.in_edges(fu, tensor, flow)
        box = () if edge.kind == "memory" else self.valid_box(flow, edge)
        if edge.kind == "direct" or (edge.kind != "memory" and not box):
            return None
        zeros = self.temporal_index(flow, self.flags(flow, tensor).invariant_to)
        return ReadTerm(self.flow(flow).index, tuple((i, 0) for i in zeros), box)

    def valid_box(self, flow: str, edge: EdgeUse) -> tuple:
        """Where a delay edge's source point exists: (temporal index, lo, hi) per limited loop."""
        return tuple((self.flow(flow).names.index(n), lo, hi) for n, lo, hi in sorted(edge.valid))

    def operand(self, fu: str, tensor: str) -> str:
        key = (fu, tensor)
        if key in self.operands:
            return self.operands[key]
        geo = self.geometry(tensor)
        self.building.add(key)
        per_flow, holds = [], []
        for flow in self.flows:
            source = self.source(fu, tensor, flow.name, geo.bits)
            flags = self.flags(flow.name, tensor)
            params = self.graph.primitive(source).params
            if flags.stationary and not (isinstance(params, MemoryPort) and params.holds):
                first = (preload.load_predicate(self, fu, tensor, flow.name)
                         or self.first_step(flow.name, flags.invariant_to))
                source = self.node(f"h.{tensor}.{fu}.{first}.{source}", "mux", geo.bits,
                                   PredMux(), [(first, 0), (source, 0)], unit=fu)
                holds.append(source)
            per_flow.append(source)
        net = self.flow_mux(f"o.{tensor}.{fu}", per_flow, geo.bits, unit=fu)
        for hold in holds:
            # the held value is the operand's own previous value: in the dataflow that holds,
            # the dataflow mux passes the hold, so the register after the mux (the one the
            # multiplier's input has anyway) doubles as the hold register
            self.graph.connect(net, hold, 1, 2)
        self.operands[key] = net
        self.building.discard(key)
        return net

    def source(self, fu: str, tensor: str, flow: str, bits: int) -> str:
        edges = self.adg.in_edges(fu, tensor, flow)
        if len(edges) != 1:
            # the front end gives every FU one source per tensor and dataflow: a bug, not input
            raise RuntimeError(f"internal error: design {self.adg.name}: {fu} has "
                               f"{len(edges)} sources for {tensor} in dataflow {flow}")
        src, edge = edges[0]
        if edge.kind == "memory":
            return self.operand_read(fu, tensor)
        # dataflows may pass an operand along the same FUs in opposite directions (a cycle
        # across dataflows, through registers or dataflow muxes): the operand being built is
        # connected once it exists
        upstream = (_Later((src, tensor)) if (src, tensor) in self.building
                    else self.operand(src, tensor))
        if edge.kind in ("direct", "preload"):
            return self.node(f"w.{tensor}.{src}.{fu}", "wire", bits, Wire(), [(upstream, 0)],
                             unit=fu)
        box = self.valid_box(flow, edge)
        if self.port(fu, tensor, flow) is None or not box:
            return self.node(f"d.{tensor}.{src}.{fu}.{edge.depth}", "wire", bits, Wire(),
                             [(upstream, edge.depth)], unit=fu)
        valid = self.pred(flow, "in_box", box, InBox(self.flow(flow).index, box))
        memory = self.operand_read(fu, tensor)
        return self.node(f"f.{tensor}.{src}.{fu}.{edge.depth}.{valid}", "mux", bits, PredMux(),
                         [(valid, 0), (upstream, edge.depth), (memory, 0)], unit=fu)

    def product(self, fu: str, output: TensorGeometry) -> str:
        inputs = [(self.operand(fu, t.name), 0) for t in self.tensors if t.role == "input"]
        operands = tuple((t.bits, t.signed) for t in self.tensors if t.role == "input")
        latency = self.delays.dsp_latency if fits_dsp(operands) else 0
        return self.node(f"m.{fu}", "mul", output.bits, Product(tuple(s for _, s in operands)),
                         inputs, latency=latency, unit=fu)

    def product_registers(self, source: str) -> int:
        """The registers an adder wants on its input from ``source``: one for a DSP's product
        that cannot reach the adder within the period (``DelayModel.fabric_product``)."""
        prim = self.graph.primitive(source)
        return int(prim.kind == "mul" and prim.latency > 0 and self.delays.fabric_product(
            prim.width, self.period_ns, len(self.adg.fus)))

    def accumulator(self, fu: str, flow: str, output: TensorGeometry, contrib: str) -> str:
        """acc = product + (first ? 0 : acc of the previous step), for a stationary output."""
        first = self.first_step(flow, self.flags(flow, output.name).invariant_to)
        acc = f"acc.{fu}.{first}"
        if acc not in self.graph.graph:
            self.graph.add(Primitive(acc, "add", output.bits, self.delays.delay("add", output.bits),
                                     0, self.partial_sum, fu))
            # gate + feedback register = one register with a synchronous reset (fu_module.py)
            gate = self.node(f"g.{fu}.{first}", "mux", output.bits, GateMux(),
                             [(first, 0, 1), (acc, 1)], unit=fu)
            self.graph.connect(contrib, acc, 0, 0, self.product_registers(contrib))
            self.graph.connect(gate, acc, 0, 1)
        return acc

    def chain(self, fu: str, flow: str, output: TensorGeometry) -> str:
        """The partial sum ``fu`` passes on (or writes) at each step of ``flow``."""
        key = (fu, flow)
        if key in self.chains:
            return self.chains[key]
        terms = self.sum_terms(fu, output)
        if terms is not None:
            total = self.shared_sum(fu, output, terms)
            self.chains.update({(fu, f.name): total for f in self.flows})
            return total
        contrib = self.product(fu, output)
        if self.flags(flow, output.name).stationary:
            contrib = self.accumulator(fu, flow, output, contrib)
        partials = sorted(self.chain(src, flow, output)
                          for src, _ in self.adg.in_edges(fu, output.name, flow)
                          if src != mem_id(output.name))
        if partials:
            contrib = self.node(f"s.{fu}.{flow}", "add", output.bits, self.partial_sum,
                                [(contrib, 0, self.product_registers(contrib))]
                                + [(p, 0, self.product_registers(p)) for p in partials],
                                unit=fu)
        self.chains[key] = contrib
        return contrib

    def sum_terms(self, fu: str, output: TensorGeometry) -> list[str | None] | None:
        """What ``fu`` adds to its product in each dataflow, when that is at most one term:
        ``"acc"`` (its own sum of the previous step, a stationary output), an upstream FU (a
        partial sum arriving) or None (nothing); None when one adder cannot serve: a single
        dataflow, a dataflow adding several terms, or partial sums that flow both ways
        between two FUs across the dataflows (the shared adders would form a loop)."""
        if len(self.flows) < 2 or not self.acyclic_sums:
            return None
        terms = []
        for flow in self.flows:
            partials = [src for src, _ in self.adg.in_edges(fu, output.name, flow.name)
                        if src != mem_id(output.name)]
            stationary = self.flags(flow.name, output.name).stationary
            if len(partials) + stationary > 1:
                return None
            terms.append("acc" if stationary else partials[0] if partials else None)
        return terms if any(t is not None for t in terms) else None

    def shared_sum(self, fu: str, output: TensorGeometry, terms: list[str | None]) -> str:
        """One adder for every dataflow, as a hand-written multi-dataflow PE has: product + the
        term the running dataflow picks (own sum cleared at the first step, or upstream's)."""
        total = f"acc.{fu}.flows"
        self.graph.add(Primitive(total, "add", output.bits, self.delays.delay("add", output.bits),
                                 0, self.partial_sum, fu))
        per_flow = []
        for flow, term in zip(self.flows, terms, strict=True):
            if term == "acc":
                first = self.first_step(flow.name, self.flags(flow.name, output.name)
                                        .invariant_to, running=True)
                term = self.node(f"g.{fu}.{first}", "mux", output.bits, GateMux(),
                                 [(first, 0, 1), (total, 1)], unit=fu)
            elif term is not None:
                term = self.chain(term, flow.name, output)
            per_flow.append(term)
        product = self.product(fu, output)
        self.graph.connect(product, total, 0, 0, self.product_registers(product))
        # with two dataflows the pick sits in the adder's carry LUTs (rtl.add_mux)
        self.graph.connect(self.flow_mux(f"t.{fu}", per_flow, output.bits, unit=fu,
                                         free=len(self.flows) == 2), total, 0, 1)
        return total


@dataclass(frozen=True)
class _Later:
    """An operand net still being built: connected at the end of the operand phase."""

    key: tuple[str, str]


def _key(value) -> str:
    """A compact deterministic text for tuples of ints in node names."""
    if isinstance(value, (list, tuple)):
        return "_".join(_key(v) for v in value) or "none"
    return str(value)
