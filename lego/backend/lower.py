"""Lower the ADG to the primitive graph the LP pipelines and the RTL emitter builds.

One source node ``ctrl`` carries the controller's step counters (all dataflows packed); control
predicates (first/last of a stationary loop, edge validity, write enable) are ``cmp`` nodes on it
shared by all FUs, so each FU gets them through taps of one shift register (the systolic skew).
Per FU: operand nets per input tensor (memory read, neighbour wire, delay edge with memory
fallback, stationary hold, dataflow mux), a product, an accumulator or partial-sum adder and the
memory write. Node semantics (all values for step t appear at cycle t + stage):

- ``counter``: the step counters; ``cmp`` params (flow, op, args): a 1-bit predicate;
- ``addr`` params (flow, tensor, mode, ...): (bank, address) packed, bank in the high bits;
- ``mem_read`` params (tensor, banks): inputs (address, enable); the word at the address one
  cycle later, read only when enable is high (SRAM reads are counted: sim/sram.py);
- ``cmp`` op ``read`` (flow -1, args: per reading dataflow (flow, equalities, outside box)):
  the step-valid bit of that dataflow and every counter equality and, when a box is given, the
  counters outside it (a delay edge's fallback reads memory only where the edge is not valid);
- ``mem_write`` params (tensor, banks): inputs (enable, address, data);
- ``mux`` params ("flow", selects) | ("pred",) inputs (p, a, b) -> p ? a : b | ("gate",)
  inputs (p, x) -> p ? 0 : x;
- ``wire``, ``mul`` (sign-extending product), ``add``.
"""

from __future__ import annotations

from dataclasses import dataclass

from lego.backend.layout import TensorGeometry, fixed_bank, geometry
from lego.backend.primitives import DelayModel, Primitive, PrimitiveGraph
from lego.errors import LegoError
from lego.frontend.adg import ADG, mem_id

__all__ = ["Flow", "Design", "lower", "COUNTER", "counter_width", "coord_strides"]

COUNTER = "ctrl"


@dataclass(frozen=True)
class Flow:
    name: str
    index: int
    bounds: tuple[int, ...]  # temporal loop bounds, outermost first
    names: tuple[str, ...]

    @property
    def num_steps(self) -> int:
        steps = 1
        for b in self.bounds:
            steps *= b
        return steps


@dataclass(frozen=True)
class Design:
    name: str
    flows: tuple[Flow, ...]
    tensors: tuple[TensorGeometry, ...]
    num_fus: int
    graph: PrimitiveGraph

    def tensor(self, name: str) -> TensorGeometry:
        return next(t for t in self.tensors if t.name == name)


def counter_width(bound: int) -> int:
    return max(1, (bound - 1).bit_length())


def lower(adg: ADG, delays: DelayModel | None = None) -> Design:
    config = adg.graph.graph
    flows = tuple(Flow(name, i, tuple(t["bound"] for t in c["temporal"]),
                       tuple(t["name"] for t in c["temporal"]))
                  for i, (name, c) in enumerate(config["dataflows"].items()))
    tensors = geometry(adg)
    lowering = _Lowering(adg, flows, tensors, delays or DelayModel())
    lowering.build()
    fus = [n for n in adg.graph.nodes if adg.graph.nodes[n]["kind"] == "fu"]
    return Design(adg.name, flows, tensors, len(fus), lowering.graph)


class _Lowering:
    def __init__(self, adg: ADG, flows, tensors, delays: DelayModel):
        self.adg, self.flows, self.tensors, self.delays = adg, flows, tensors, delays
        self.graph = PrimitiveGraph(adg.name)
        self.config = adg.graph.graph["dataflows"]
        self.operands: dict[tuple[str, str], str] = {}
        self.chains: dict[tuple[str, str], str] = {}
        self.fus = sorted((n for n in adg.graph.nodes if adg.graph.nodes[n]["kind"] == "fu"),
                          key=lambda n: adg.graph.nodes[n]["index"])

    # -- graph helpers -------------------------------------------------------------------
    def node(self, name: str, kind: str, width: int, inputs=(), params=(), latency=0) -> str:
        """Add a node once (names are content keys, so equal logic is shared)."""
        if name not in self.graph.graph:
            self.graph.add(Primitive(name, kind, width, self.delays.delay(kind, width),
                                     latency, params))
            for operand, (src, distance) in enumerate(inputs):
                self.graph.connect(src, name, distance, operand)
        return name

    def pred(self, flow: str, op: str, args: tuple) -> str:
        index = self.flow(flow).index
        return self.node(f"p.{flow}.{op}.{_key(args)}", "cmp", 1, [(COUNTER, 0)],
                         (index, op, args))

    def flow(self, name: str):
        return next(f for f in self.flows if f.name == name)

    def flow_mux(self, name: str, per_flow: list[str], width: int) -> str:
        distinct = sorted(set(per_flow))
        if len(distinct) == 1:
            return distinct[0]
        selects = tuple(distinct.index(n) for n in per_flow)
        return self.node(name, "mux", width, [(n, 0) for n in distinct], ("flow", selects))

    def temporal_index(self, flow: str, names: list[str]) -> tuple[int, ...]:
        return tuple(self.flow(flow).names.index(n) for n in names)

    # -- building ------------------------------------------------------------------------
    def build(self) -> None:
        width = sum(1 + sum(counter_width(b) for b in f.bounds) for f in self.flows)
        self.node(COUNTER, "counter", width)
        for fu in self.fus:
            for tensor in self.tensors:
                if tensor.role == "input":
                    self.operand(fu, tensor.name)
        output = next(t for t in self.tensors if t.role == "output")
        for fu in self.fus:
            for flow in self.flows:
                self.write(fu, flow.name, output)

    def in_edges(self, fu: str, tensor: str, flow: str) -> list[tuple[str, dict]]:
        edges = []
        for src, _, key, data in self.adg.graph.in_edges(fu, keys=True, data=True):
            if key == tensor and flow in data["dataflows"]:
                edges.append((src, data["dataflows"][flow]))
        return sorted(edges, key=lambda e: e[0])

    def port(self, fu: str, tensor: str, flow: str) -> dict | None:
        config = self.adg.graph.nodes[mem_id(tensor)]["dataflows"][flow]
        index = self.adg.graph.nodes[fu]["index"]
        return next((p for p in config["ports"] if p["fu"] == index), None)

    def address(self, fu: str, tensor: str, flow: str) -> str:
        config = self.adg.graph.nodes[mem_id(tensor)]["dataflows"][flow]
        port = self.port(fu, tensor, flow)
        geo = next(t for t in self.tensors if t.name == tensor)
        if fixed_bank(config):
            params = ("fixed", port["bank"], port["address"], tuple(config["address_strides"]))
        else:
            params = ("coord", tuple(port["base"]), _key(config["coord_strides"]),
                      tuple(config["bank_dims"]), tuple(config["bank_gcd"]),
                      tuple(config["bank_shape"]))
        width = _bits(geo.banks) + _bits(geo.depth)
        index = self.flow(flow).index
        return self.node(f"a.{flow}.{tensor}.{fu}", "addr", width, [(COUNTER, 0)],
                         (index, tensor) + params)

    def banks(self, tensor: str, flows: list[str], fu: str) -> tuple[int, ...]:
        """The banks a port may touch: its own bank when fixed, else all."""
        geo = next(t for t in self.tensors if t.name == tensor)
        out = set()
        for flow in flows:
            config = self.adg.graph.nodes[mem_id(tensor)]["dataflows"][flow]
            if fixed_bank(config):
                out.add(self.port(fu, tensor, flow)["bank"])
            else:
                out.update(range(geo.banks))
        return tuple(sorted(out))

    def mem_read(self, fu: str, tensor: str, flows: list[str], tag: str,
                 conditions: tuple) -> str:
        """One read port of ``fu`` on ``tensor``, addressed per dataflow, enabled at the steps
        ``conditions`` (per dataflow: equalities, outside box) name and at no others."""
        geo = next(t for t in self.tensors if t.name == tensor)
        addresses = [self.address(fu, tensor, f) for f in flows]
        per_flow = [addresses[flows.index(f.name)] if f.name in flows else addresses[0]
                    for f in self.flows]
        address = self.flow_mux(f"am.{tensor}.{fu}.{tag}", per_flow,
                                _bits(geo.banks) + _bits(geo.depth))
        enable = self.node(f"re.{conditions!r}".replace(" ", ""), "cmp", 1, [(COUNTER, 0)],
                           (-1, "read", conditions))
        return self.node(f"r.{tensor}.{fu}.{tag}", "mem_read", geo.bits,
                         [(address, 0), (enable, 0)],
                         (tensor, self.banks(tensor, flows, fu)), latency=1)

    def operand_read(self, fu: str, tensor: str) -> str:
        """The read port feeding ``fu``'s ``tensor`` operand, shared by every dataflow in which
        ``fu`` reads it; it reads only at the steps whose word is used."""
        flows = self.reading_flows(fu, tensor)
        conditions = tuple(c for c in (self.read_condition(fu, tensor, f) for f in flows)
                           if c is not None)
        return self.mem_read(fu, tensor, flows, "p", conditions)

    def read_condition(self, fu: str, tensor: str, flow: str) -> tuple | None:
        """When ``fu`` needs a memory word of ``tensor`` in ``flow``: a stationary operand only
        at the first step of its invariant loops (it is held after), a delay edge's fallback
        only where the edge is not valid."""
        (_, edge), = self.in_edges(fu, tensor, flow)
        if edge["kind"] == "memory":
            box = ()
        else:
            box = self.valid_box(flow, edge)
            if edge["kind"] == "direct" or not box:
                return None
        flags = self.config[flow]["tensors"][tensor]
        zeros = (self.temporal_index(flow, flags["invariant_to"]) if flags["stationary"]
                 else ())
        return (self.flow(flow).index, tuple((i, 0) for i in zeros), box)

    def valid_box(self, flow: str, edge: dict) -> tuple:
        """Where a delay edge's source point exists: (temporal index, lo, hi) per limited loop."""
        return tuple((self.flow(flow).names.index(n), lo, hi)
                     for n, (lo, hi) in sorted(edge["valid"].items()))

    def reading_flows(self, fu: str, tensor: str) -> list[str]:
        return [f.name for f in self.flows if self.port(fu, tensor, f.name) is not None]

    def operand(self, fu: str, tensor: str) -> str:
        key = (fu, tensor)
        if key in self.operands:
            return self.operands[key]
        geo = next(t for t in self.tensors if t.name == tensor)
        per_flow = []
        for flow in self.flows:
            source = self.source(fu, tensor, flow.name, geo.bits)
            flags = self.config[flow.name]["tensors"][tensor]
            if flags["stationary"]:
                first = self.pred(flow.name, "all_zero",
                                  self.temporal_index(flow.name, flags["invariant_to"]))
                hold = f"h.{tensor}.{fu}.{first}.{source}"
                source = self.node(hold, "mux", geo.bits, [(first, 0), (source, 0), (hold, 1)],
                                   ("pred",))
            per_flow.append(source)
        net = self.flow_mux(f"o.{tensor}.{fu}", per_flow, geo.bits)
        self.operands[key] = net
        return net

    def source(self, fu: str, tensor: str, flow: str, bits: int) -> str:
        edges = self.in_edges(fu, tensor, flow)
        if len(edges) != 1:
            raise LegoError(f"design {self.adg.name}: {fu} has {len(edges)} sources for "
                            f"{tensor} in dataflow {flow}; the ADG must give exactly one")
        src, edge = edges[0]
        if edge["kind"] == "memory":
            return self.operand_read(fu, tensor)
        upstream = self.operand(src, tensor)
        if edge["kind"] == "direct":
            return self.node(f"w.{tensor}.{src}.{fu}", "wire", bits, [(upstream, 0)])
        depth = edge["depth"]
        ranges = self.valid_box(flow, edge)
        if self.port(fu, tensor, flow) is None or not ranges:
            return self.node(f"d.{tensor}.{src}.{fu}.{depth}", "wire", bits,
                             [(upstream, depth)])
        valid = self.pred(flow, "in_box", ranges)
        memory = self.operand_read(fu, tensor)
        return self.node(f"f.{tensor}.{src}.{fu}.{depth}.{valid}", "mux", bits,
                         [(valid, 0), (upstream, depth), (memory, 0)], ("pred",))

    def product(self, fu: str, output: TensorGeometry) -> str:
        inputs = [(self.operand(fu, t.name), 0) for t in self.tensors if t.role == "input"]
        signs = tuple(t.signed for t in self.tensors if t.role == "input")
        return self.node(f"m.{fu}", "mul", output.bits, inputs, signs)

    def chain(self, fu: str, flow: str, output: TensorGeometry) -> str:
        """The partial sum ``fu`` passes on (or writes) at each step of ``flow``."""
        key = (fu, flow)
        if key in self.chains:
            return self.chains[key]
        flags = self.config[flow]["tensors"][output.name]
        contrib = self.product(fu, output)
        if flags["stationary"]:
            first = self.pred(flow, "all_zero", self.temporal_index(flow, flags["invariant_to"]))
            acc = f"acc.{fu}.{first}"
            if acc not in self.graph.graph:
                # acc = product + (first ? 0 : acc of the previous step)
                self.graph.add(Primitive(acc, "add", output.bits,
                                         self.delays.delay("add", output.bits)))
                gate = self.node(f"g.{fu}.{first}", "mux", output.bits, [(first, 0), (acc, 1)],
                                 ("gate",))
                self.graph.connect(contrib, acc, 0, 0)
                self.graph.connect(gate, acc, 0, 1)
            contrib = acc
        partials = []
        for src, _, key_, data in sorted(self.adg.graph.in_edges(fu, keys=True, data=True)):
            if key_ == output.name and flow in data["dataflows"] and src != mem_id(output.name):
                partials.append(self.chain(src, flow, output))
        if partials:
            contrib = self.node(f"s.{fu}.{flow}", "add", output.bits,
                                [(contrib, 0)] + [(p, 0) for p in sorted(partials)])
        self.chains[key] = contrib
        return contrib

    def write(self, fu: str, flow: str, output: TensorGeometry) -> None:
        if not self.adg.graph.has_edge(fu, mem_id(output.name), key=output.name):
            return
        if flow not in self.adg.graph.edges[fu, mem_id(output.name), output.name]["dataflows"]:
            return
        flags = self.config[flow]["tensors"][output.name]
        data = self.chain(fu, flow, output)
        last = (self.temporal_index(flow, flags["invariant_to"]) if flags["stationary"]
                else ())
        enable = self.pred(flow, "write", last)
        address = self.address(fu, output.name, flow)
        if flags["accumulate_in_memory"]:
            # the old value is needed exactly when the new one is written
            bounds = self.flow(flow).bounds
            written = (self.flow(flow).index, tuple((i, bounds[i] - 1) for i in last), ())
            old = self.mem_read(fu, output.name, [flow], f"rmw.{flow}", (written,))
            data = self.node(f"rmw.{fu}.{flow}", "add", output.bits, [(data, 0), (old, 0)])
        self.node(f"wr.{fu}.{flow}", "mem_write", output.bits,
                  [(enable, 0), (address, 0), (data, 0)],
                  (output.name, self.banks(output.name, [flow], fu)))


def _bits(count: int) -> int:
    return max(1, (count - 1).bit_length())


def coord_strides(key: str, temporal: int, rank: int) -> list[list[int]]:
    """The per-temporal-index coordinate strides a ``coord`` address node's key holds."""
    values = [int(v) for v in key.split("_")] if key != "none" else []
    return [values[t * rank:(t + 1) * rank] for t in range(temporal)]


def _key(value) -> str:
    """A compact deterministic text for tuples of ints in node names."""
    if isinstance(value, (list, tuple)):
        return "_".join(_key(v) for v in value) or "none"
    return str(value)
