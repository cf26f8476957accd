"""FU modules as a hand designer writes them: one module per distinct kind of FU, instantiated
once per FU, so the Verilog grows with the number of kinds, not of FUs.

Each FU's datapath primitives (``Primitive.unit``) are described relative to the FU: its own id
becomes ``self`` and a neighbour's becomes its offset (``rel_0_m1`` is the FU one column to the
left), and every register count comes from the schedule. Two FUs whose descriptions are equal
(same primitives, parameters, internal registers and ports) are the same kind: an interior PE,
an edge PE that reads memory, a corner. A port carries a net tapped after some registers: a
net's shift register always lives in the module that computes it, so the registers are exactly
the LP's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lego.backend.design import Design
from lego.backend.schedule import Schedule
from lego.backend.semantics import FlowMux, GateMux, Sum
from lego.backend.shared_clear import clearing_flow, same_flow_readers

__all__ = ["Port", "FuKind", "FuInstance", "fu_instances", "registers", "relative_name",
           "reset_register", "shares_register", "folded_mux", "folded_gate", "input_registers"]

_FU_ID = re.compile(r"fu_\d+(?:_\d+)*")


@dataclass(frozen=True)
class Port:
    name: str  # the module's port name (the same for every FU of the kind)
    net: str  # the primitive whose value it carries, in this FU's own names
    registers: int  # the tap of that net's shift register
    width: int


@dataclass(frozen=True)
class FuKind:
    name: str  # the Verilog module name
    representative: str  # the FU whose primitives the module is built from
    members: tuple[str, ...]  # the representative's primitives
    uses_flow: bool  # has a dataflow mux, so needs the running dataflow


@dataclass(frozen=True)
class FuInstance:
    fu: str
    kind: FuKind
    inputs: tuple[Port, ...]
    outputs: tuple[Port, ...]


def fu_instances(design: Design, schedule: Schedule) -> tuple[FuInstance, ...]:
    """Every FU with its kind, in FU order; kinds numbered in order of first appearance."""
    members: dict[str, list[str]] = {}
    for prim in design.graph.primitives():
        if prim.unit:
            members.setdefault(prim.unit, []).append(prim.name)
    stages = dict(schedule.stages)
    kinds: dict[tuple, FuKind] = {}
    out = []
    for fu in sorted(members, key=_coord):
        key, inputs, outputs = _describe(design, stages, fu, set(members[fu]))
        if key not in kinds:
            uses_flow = any(isinstance(design.graph.primitive(n).params, FlowMux)
                            for n in members[fu])
            kinds[key] = FuKind(f"{design.name}_fu{len(kinds)}", fu, tuple(sorted(members[fu])),
                                uses_flow)
        out.append(FuInstance(fu, kinds[key], inputs, outputs))
    return tuple(out)


def registers(design: Design, stages: dict, src: str, dst: str, distance: int) -> int:
    """Registers on a connection: the LP's stages, the producer's latency, the distance."""
    return stages[dst] - stages[src] - design.graph.primitive(src).latency + distance


def reset_register(design: Design, stages: dict, name: str) -> bool:
    """Whether gate ``name`` (clear ? 0 : x) is built as a register of its own with a
    synchronous reset: both inputs arrive through registers. ECP5 (and most FPGA) flip-flops
    reset for free; the mux would cost a LUT per bit. Where another consumer taps x at the same
    register (an output stationary array writes the finished sum from it while the next tile's
    clear arrives) that register stays as it is and the gate gets its own copy: a flip-flop per
    bit (beyond the LP's count) instead of a LUT per bit. A gate into a dataflow mux (the
    accumulator term of an adder the dataflows share) stays a LUT: the mux's LUT per bit takes
    the clear too (flow, clear, own sum, upstream sum: four inputs), and the shared sum's one
    register then serves as accumulator and as partial sum."""
    prim = design.graph.primitive(name)
    if not isinstance(prim.params, GateMux) or any(
            isinstance(design.graph.primitive(d).params, FlowMux)
            for d in design.graph.graph.successors(name)):
        return False
    clear, data = design.graph.inputs(name)
    return min(registers(design, stages, c.src, name, c.distance) for c in (clear, data)) >= 1


def shares_register(design: Design, stages: dict, name: str) -> bool:
    """Whether gate ``name`` (clear ? 0 : sum one step earlier), the accumulator term of an
    adder the dataflows share, is built as the sum's own first register with a synchronous
    reset, which is then also the partial sum other dataflows tap
    (lego.backend.shared_clear): no reader taps the sum after a register while the gate's
    dataflow runs. The dataflow mux in front of the adder is then left with two plain inputs
    and fits the carry chain's LUTs (``folded_mux``): no LUT per bit for the gate nor the mux."""
    graph = design.graph
    if clearing_flow(graph, name) is None:
        return False
    clear, data = graph.inputs(name)
    return (registers(design, stages, data.src, name, data.distance) == 1
            and registers(design, stages, clear.src, name, clear.distance) >= 1
            and all(registers(design, stages, c.src, c.dst, c.distance) == 0
                    for c in same_flow_readers(graph, name)))


def folded_mux(design: Design, stages: dict, name: str) -> str | None:
    """The dataflow mux that add ``name`` (product + the term the running dataflow picks)
    takes into its carry chain (lego.backend.rtl.add_mux): two dataflows, the mux's only
    consumer, no register between them; else None."""
    graph = design.graph
    prim = graph.primitive(name)
    if prim.kind != "add" or not isinstance(prim.params, Sum) or len(design.flows) != 2:
        return None
    inputs = graph.inputs(name)
    if len(inputs) != 2:
        return None
    mux = graph.primitive(inputs[1].src)
    if (isinstance(mux.params, FlowMux) and mux.unit == prim.unit
            and list(graph.graph.successors(mux.name)) == [name]
            and registers(design, stages, mux.name, name, inputs[1].distance) == 0):
        return mux.name
    return None


def folded_gate(design: Design, stages: dict, mux: str) -> str | None:
    """The clear gate (clear ? 0 : x) that folded dataflow mux ``mux`` takes too, where its
    other dataflow adds 0 (an FU that starts the other dataflow's reduction chain): the pick
    is then ``x`` or 0, and the clear joins the select (one LUT per FU, not per bit)."""
    graph = design.graph
    params = graph.primitive(mux).params
    if None not in params.selects or len(graph.inputs(mux)) != 1:
        return None
    (conn,) = graph.inputs(mux)
    gate = graph.primitive(conn.src)
    if (isinstance(gate.params, GateMux) and gate.unit == graph.primitive(mux).unit
            and list(graph.graph.successors(gate.name)) == [mux]
            and registers(design, stages, gate.name, mux, conn.distance) == 0
            and not reset_register(design, stages, gate.name)
            and not shares_register(design, stages, gate.name)):
        return gate.name
    return None


def gate_kind(design: Design, stages: dict, mux: str) -> str | None:
    """How the clear that folded dataflow mux ``mux`` takes joins its select
    (lego.backend.rtl.add_mux): "or" (flow | clear) where the clearing dataflow's pick is
    0 when selected, "andn" (flow & ~clear) otherwise; None without a folded clear."""
    if folded_gate(design, stages, mux) is None:
        return None
    return "or" if design.graph.primitive(mux).params.selects[1] is None else "andn"


def input_registers(design: Design, stages: dict, name: str) -> list[tuple[str, int]]:
    """(source, registers) of each input of ``name`` as its module taps them: one fewer for a
    reset register's inputs (the register is built inside the gate)."""
    early = 1 if (reset_register(design, stages, name)
                  or shares_register(design, stages, name)) else 0
    return [(c.src, registers(design, stages, c.src, name, c.distance) - early)
            for c in design.graph.inputs(name)]


def _describe(design: Design, stages: dict, fu: str, mine: set[str]):
    """The FU's description relative to itself (its kind's key) and its ports."""
    graph = design.graph
    nodes, inputs, outputs = [], {}, {}
    for name in sorted(mine):
        prim = graph.primitive(name)
        wiring = []
        for src, regs in input_registers(design, stages, name):
            if src in mine:
                wiring.append(("net", relative_name(src, fu), regs))
            else:
                port = _port(src, fu, regs, graph.primitive(src).width)
                inputs[port.name] = port
                wiring.append(("port", port.name))
        nodes.append((relative_name(name, fu), prim.kind, prim.width, prim.latency, prim.params,
                      reset_register(design, stages, name), shares_register(design, stages, name),
                      folded_mux(design, stages, name) is not None, tuple(wiring)))
        for dst in sorted(graph.graph.successors(name)):
            if dst in mine:
                continue
            for conn in graph.inputs(dst):
                if conn.src == name:
                    regs = registers(design, stages, name, dst, conn.distance)
                    port = _port(name, fu, regs, prim.width)
                    outputs[port.name] = port
    ins = tuple(inputs[n] for n in sorted(inputs))
    outs = tuple(outputs[n] for n in sorted(outputs))
    key = (tuple(nodes), tuple((p.name, p.width) for p in ins),
           tuple((p.name, p.width) for p in outs))
    return key, ins, outs


def _port(net: str, fu: str, regs: int, width: int) -> Port:
    name = re.sub(r"[^A-Za-z0-9_]", "_", f"{relative_name(net, fu)}_r{regs}")
    return Port(name, net, regs, width)


def _coord(fu: str) -> tuple[int, ...]:
    return tuple(int(x) for x in fu.split("_")[1:])


def relative_name(name: str, fu: str) -> str:
    """``name`` with FU ids replaced: ``self`` for ``fu``, ``rel_<offsets>`` for another."""
    own = _coord(fu)

    def offset(match: re.Match) -> str:
        other = _coord(match.group(0))
        if other == own:
            return "self"
        return "rel_" + "_".join(f"m{-d}" if d < 0 else str(d)
                                 for d in (o - s for o, s in zip(other, own, strict=True)))
    return _FU_ID.sub(offset, name)
