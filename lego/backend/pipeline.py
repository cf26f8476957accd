"""Pipeline-register insertion by linear programming (Leiserson-Saxe retiming on a DAG-like
primitive graph, with fanout sharing through mirror vertices).

Every primitive v gets a stage r(v) (cycle offset). On a connection u -> v with dataflow distance
d and producer latency L(u) the registers are ``r(v) - r(u) - L(u) + d >= 0``. A net's fanouts share
one shift register as taps, so the net costs ``bits(u) * max_v(regs(u, v))`` (``bits``: the
flip-flops one register on the net takes, its value's bits: lego.backend.net_bits); a mirror
variable m(u) >= r(v) + d - L(u) for every fanout keeps every constraint a difference
constraint, so the constraint matrix is totally unimodular and the LP optimum is integral
(checked, not assumed).
One cost is not a register: a reader that taps a shared adder's sum after a register while its
accumulator's clear can land keeps that clear a LUT per bit (lego.backend.shared_clear); the LP
pays those bits per register on the tap, as it pays a register's flip-flops.
The LP has tied optima; we take the earliest, which the LP alone defines (lego.backend.lp_solve),
so that the Verilog does not depend on the solver's pivoting.
Timing: any register-free path whose delay exceeds the period budget must hold a register, i.e.
``r(v) - r(u) >= 1`` for each minimal too-slow path u ~> v through combinational nodes; longer
paths are implied because stages never decrease along a wire. A connection with a dataflow distance
(FIFO, loop-carried value) keeps at least one register, so timing paths never run through it.
"""

from __future__ import annotations

import time
from dataclasses import replace

import networkx as nx
import numpy as np

from lego.backend.lp_solve import DifferenceLP, Infeasible, earliest_optimum
from lego.backend.net_bits import register_bits_per_net
from lego.backend.primitives import DelayModel, PrimitiveGraph
from lego.backend.schedule import Schedule
from lego.backend.semantics import FixedAddress, GateMux
from lego.backend.shared_clear import clearing_flow, same_flow_readers
from lego.errors import LegoError

__all__ = ["pipeline", "per_primitive_register_bits", "shortest_period"]

_EPS = 1e-6
RAM_CELL_BITS = 4  # an ECP5 distributed RAM cell (TRELLIS_DPR16X4) holds 4 bits of a word


def per_primitive_register_bits(graph: PrimitiveGraph,
                                net_bits: dict[str, int] | None = None) -> int:
    """A register on the output of every primitive (each control predicate, address generator
    and mux included), plus the FIFOs the dataflow itself needs: an upper bound nobody would
    build, kept to show how much of the graph the LP leaves combinational. The fair baseline
    is the hand-style count in the report (lego.backend.generate.hand_style_register_bits).
    A register counts the flip-flops it takes (lego.backend.net_bits), as the LP's do."""
    bits = 0
    fanouts, net_bits = graph.fanouts(), net_bits or register_bits_per_net(graph)
    for prim in graph.primitives():
        out = fanouts.get(prim.name)
        if prim.kind != "mem_write" and out:
            distance = max(conn.distance for conn in out)
            bits += net_bits[prim.name] * (max(1, prim.latency) + distance)
    return bits


def net_loads(graph: PrimitiveGraph) -> dict[str, int]:
    """Per net, the LUT and RAM pins it drives: a 1-bit net (a control predicate) drives every
    bit of its consumers, a wider net one bit of each, except an address into a RAM port of one
    bank, whose every bit drives each RAM cell of the bank (an enable likewise). Registers on a
    net's fan-outs are taps of one shift register, so the loads stay on one driver whether the
    LP registers them or not. Nodes Yosys merges into one (``_merged_with``) share one net."""
    loads: dict[str, int] = {}
    for u, out in graph.fanouts().items():
        src = graph.primitive(u)
        loads[u] = sum(_pins(src, graph.primitive(conn.dst), conn.operand) for conn in out)
    for group in _merged_groups(graph):
        total = sum(loads.get(n, 0) for n in group)
        loads.update((n, total) for n in group)
    return loads


def _pins(src, consumer, operand: int) -> int:
    """The pins of ``consumer`` one bit of ``src`` drives (``operand``: which input)."""
    cells = -(-consumer.width // RAM_CELL_BITS)  # a bank's RAM cells for one word
    if consumer.kind in ("mem_read", "mem_write"):
        address = operand == (1 if consumer.kind == "mem_write" else 0)
        if src.width == 1 or (address and len(consumer.params.banks) == 1):
            return cells  # an enable, or the address of a fixed bank: one pin per RAM cell
        return 1
    return consumer.width if src.width == 1 else 1


def _merged_groups(graph: PrimitiveGraph) -> list[list[str]]:
    """Address nodes that compute the same bits from the same inputs: a port fixed to one bank
    carries its bank as constant bits, so every FU's write address of an output is the same
    logic, and Yosys builds it once, driving every FU's bank (at one LP stage they are the same
    net; counted as one always, which is conservative where the stages differ)."""
    groups: dict[tuple, list[str]] = {}
    for prim in graph.primitives():
        if prim.kind == "addr" and isinstance(prim.params, FixedAddress):
            inputs = tuple((c.src, c.distance) for c in graph.inputs(prim.name))
            key = (replace(prim.params, bank=0), prim.width, inputs)
            groups.setdefault(key, []).append(prim.name)
    return [g for g in groups.values() if len(g) > 1]


def _launch(graph: PrimitiveGraph, delays: DelayModel, fanout: dict[str, float]
            ) -> dict[str, float]:
    """Per node, what its inputs add to a path that starts at it in a new cycle: the slowest
    input's fan-out (from its register) and, for a RAM's read data or a DSP's product, its
    clock-to-out. Charged whether or not the LP registers that input (it cannot know yet):
    conservative; except where the input must keep a register (``least_registers``, e.g. the
    fabric register on a DSP product in an array): the path then starts at that flip-flop,
    whose clock-to-out is in the register overhead."""
    launch = {}
    for name in graph.graph.nodes:
        if _reset_gate(graph, name):
            launch[name] = 0.0
            continue
        launch[name] = max((fanout[c.src] + (0.0 if c.least_registers
                                             else graph.primitive(c.src).launch_ns)
                            for c in graph.inputs(name)), default=0.0)
    return launch


def _reset_gate(graph: PrimitiveGraph, name: str) -> bool:
    """A gate (clear ? 0 : x) whose inputs both keep a register: the RTL builds it as x's
    register with a synchronous reset (lego.backend.rtl.fu_kinds.reset_register), so its output
    leaves a register and the clear's fan-out ends at the reset pins, not on its paths. (Where
    another consumer taps x at that register the RTL falls back to a LUT mux; the accumulators
    this is for never share it.)"""
    return (isinstance(graph.primitive(name).params, GateMux)
            and all(c.least_registers >= 1 for c in graph.inputs(name)))


def _alone(graph: PrimitiveGraph, launch: dict[str, float], fanout: dict[str, float]
           ) -> dict[str, float]:
    """Per node, the path no register can shorten: its inputs' launch and its own delay, or,
    where an output must keep a register, its clock-to-out (a RAM's, a DSP's) into it."""
    alone, fanouts = {}, graph.fanouts()
    for name, start in launch.items():
        prim = graph.primitive(name)
        into_register = (prim.launch_ns + fanout[name]
                         if any(conn.least_registers for conn in fanouts.get(name, ())) else 0.0)
        alone[name] = round(max(start + prim.delay_ns, into_register), 6)
    return alone


def _combinational(graph: PrimitiveGraph) -> tuple[dict[str, list[str]], list[str]]:
    """The register-free connections (none asked for, from a node without latency): per node
    its successors on them, sorted, and the nodes in a topological order of them. Plain dicts:
    a networkx graph of them cost more to build than the searches on it."""
    succ: dict[str, list[str]] = {name: [] for name in graph.graph.nodes}
    for u, out in graph.fanouts().items():
        if graph.primitive(u).latency == 0:
            succ[u] = sorted({conn.dst for conn in out if conn.least_registers == 0})
    waiting = dict.fromkeys(succ, 0)
    for targets in succ.values():
        for v in targets:
            waiting[v] += 1
    order = [name for name, count in waiting.items() if count == 0]
    for node in order:  # Kahn's algorithm: ``order`` grows while it is walked
        for v in succ[node]:
            waiting[v] -= 1
            if waiting[v] == 0:
                order.append(v)
    if len(order) < len(succ):  # the loop named as a networkx graph of them finds it
        comb = nx.DiGraph()
        comb.add_nodes_from(graph.graph.nodes)
        comb.add_edges_from((u, conn.dst) for u, out in graph.fanouts().items()
                            if graph.primitive(u).latency == 0
                            for conn in out if conn.least_registers == 0)
        cycle = nx.find_cycle(comb)
        raise LegoError(f"design {graph.name}: combinational loop through "
                        f"{' -> '.join(u for u, _ in cycle)}")
    return succ, order


def _timing_pairs(graph: PrimitiveGraph, budget: float, delays: DelayModel
                  ) -> tuple[list[tuple[str, str]], dict[str, float]]:
    """Minimal pairs (u, v) joined by a register-free path slower than ``budget``, and per
    node the path it alone takes (``_alone``). A path costs its start (``_launch``), every
    node's delay, and every net's fan-out it crosses."""
    succ, order = _combinational(graph)
    fanout = {n: delays.fanout(k) for n, k in net_loads(graph).items()}
    fanout.update((n, 0.0) for n in succ if n not in fanout)
    launch = _launch(graph, delays, fanout)
    delay = {n: graph.primitive(n).delay_ns for n in succ}
    # where no path is too slow, the search from every source would find nothing
    slow = _slowest_arrival(succ, order, launch, fanout, delay) > budget + _EPS
    position = {n: i for i, n in enumerate(order)}
    pairs = []
    for source in sorted(succ) if slow else ():
        arrival = {source: launch[source] + delay[source]}
        frontier = [source]
        while frontier:
            frontier.sort(key=position.__getitem__)
            node = frontier.pop(0)
            for nxt in succ[node]:
                t = arrival[node] + fanout[node] + delay[nxt]
                if t > budget + _EPS:
                    pairs.append((source, nxt))
                elif t > arrival.get(nxt, -1.0):
                    if nxt not in arrival:
                        frontier.append(nxt)
                    arrival[nxt] = t
    return sorted(set(pairs)), _alone(graph, launch, fanout)


def _slowest_arrival(succ: dict[str, list[str]], order: list[str], launch: dict[str, float],
                     fanout: dict[str, float], delay: dict[str, float]) -> float:
    """The latest arrival over every register-free path, summed in the order the per-source
    search sums it: rounding is monotone, so no arrival that search computes exceeds this."""
    arrival = {node: launch[node] + delay[node] for node in order}
    for node in order:  # topological: a node's arrival is final before it is pushed on
        out = arrival[node] + fanout[node]
        for v in succ[node]:
            arrival[v] = max(arrival[v], out + delay[v])
    return max(arrival.values(), default=0.0)


def shortest_period(graph: PrimitiveGraph, delays: DelayModel) -> float:
    """The period below which :func:`pipeline` refuses the graph: its slowest primitive alone
    (with what its inputs' fan-out and a RAM's clock-to-out add) plus the register overhead.
    The LP may still need more, where a loop must fit in the cycles its distance gives."""
    _, alone = _timing_pairs(graph, float("inf"), delays)
    return _floor(alone, delays)


def _floor(alone: dict[str, float], delays: DelayModel) -> float:
    """The slowest primitive alone (``_alone``) plus the register overhead."""
    return round(max(alone.values(), default=0.0) + delays.reg_overhead_ns, 6)


def pipeline(graph: PrimitiveGraph, period_ns: float, delays: DelayModel | None = None,
             read_after_write: tuple[tuple[str, str, int], ...] = (),
             hint: tuple[tuple[str, int], ...] | None = None) -> Schedule:
    """Choose stages so every path fits ``period_ns`` with the fewest register bits; every
    cycle loses ``delays.reg_overhead_ns`` to the registers themselves. ``hint``: the stages
    of a graph with the same nodes that may be optimal here too (the same array at other loop
    bounds); it only speeds the solve up (lego.backend.lp_solve), the answer is the same."""
    if not period_ns > 0:
        raise LegoError(f"design {graph.name}: clock period must be a positive number of ns, "
                        f"not {period_ns}")
    delays = delays or DelayModel()
    overhead = delays.reg_overhead_ns
    budget = period_ns - overhead
    started = time.perf_counter()
    pairs, alone = _timing_pairs(graph, budget, delays)
    slowest = max(graph.primitives(), key=lambda p: alone[p.name], default=None)  # first by name
    if slowest is not None and alone[slowest.name] > budget + _EPS:
        raise LegoError(f"design {graph.name}: clock period {period_ns} ns is too short: "
                        f"{slowest.kind} {slowest.name} alone takes {alone[slowest.name]} ns "
                        f"plus {overhead} ns register overhead (timing constraints)")
    net_bits = register_bits_per_net(graph)
    names, lp = _model(graph, pairs, read_after_write, net_bits)
    try:
        guess = dict(hint or ())
        earliest = earliest_optimum(lp, [guess[n] for n in names]
                                    if guess.keys() == set(names) else None)
    except Infeasible:
        raise LegoError(f"design {graph.name}: pipelining LP is infeasible at "
                        f"{period_ns} ns (causality/timing constraints)") from None
    elapsed = time.perf_counter() - started
    values = {name: int(earliest[i]) for i, name in enumerate(names)}
    edges, bits = _registers(graph, values, net_bits)
    return Schedule(design=graph.name, period_ns=period_ns,
                    stages=tuple(sorted(values.items())), edge_registers=tuple(edges),
                    register_bits=bits,
                    per_primitive_bits=per_primitive_register_bits(graph, net_bits),
                    timing_constraints=len(pairs), solve_seconds=round(elapsed, 3),
                    tightest_period_ns=_floor(alone, delays))


def _model(graph: PrimitiveGraph, pairs, read_after_write, net_bits: dict[str, int] | None = None
           ) -> tuple[list[str], DifferenceLP]:
    """The LP: a stage per node (variable i for the i-th name, >= 0) and a mirror per node
    that drives a net (free), the causality, fanout, timing and read-after-write families,
    and the register bits to minimise: a register on a net costs the flip-flops it takes
    (lego.backend.net_bits), not the net's declared width."""
    names = sorted(graph.graph.nodes)
    net_bits = net_bits or register_bits_per_net(graph)
    stage = {n: i for i, n in enumerate(names)}
    cost = [0] * len(names)
    at_least = []  # (a, b, c): variable a - variable b >= c
    fanouts = graph.fanouts()
    for name in names:
        prim = graph.primitive(name)
        outs = fanouts.get(name)
        if not outs:
            continue
        mirror = len(cost)
        cost.append(net_bits[name])  # bits * (mirror - stage + latency), less the constant
        cost[stage[name]] -= net_bits[name]
        for conn in outs:
            dst = conn.dst
            # registers on the edge are non-negative, an edge that crosses steps keeps at least
            # one so that timing paths always end at it, and one that asks for registers gets
            # them (causality family)
            at_least.append((stage[dst], stage[name],
                             conn.least_registers + prim.latency - conn.distance))
            # ... and a net's shared shift register is as long as its longest tap
            at_least.append((mirror, stage[dst], conn.distance))
    for total, bits, conn in _gate_taps(graph, net_bits):
        # a register on this tap keeps the gate a LUT per bit (lego.backend.shared_clear):
        # priced as the bits it costs, like a register's flip-flops
        cost[stage[conn.dst]] += bits
        cost[stage[total]] -= bits
    at_least += [(stage[dst], stage[src], 1) for src, dst in pairs]  # timing family
    # the read of a step ``steps`` later issues after the write has landed
    at_least += [(stage[read], stage[write], 1 - steps)
                 for write, read, steps in read_after_write]
    hi, lo, rhs = np.array(at_least, dtype=np.int64).reshape(-1, 3).T
    return names, DifferenceLP(np.array(cost, dtype=np.int64), hi, lo, rhs, bounded=len(names))


def _gate_taps(graph: PrimitiveGraph, net_bits: dict[str, int]):
    """(sum, the gate's bits, connection) for every reader that taps the sum of a shared
    adder's accumulator gate while the gate's dataflow runs."""
    for gate in sorted(graph.graph.nodes):
        if clearing_flow(graph, gate) is not None:
            total = graph.inputs(gate)[1].src
            for conn in same_flow_readers(graph, gate):
                yield total, net_bits[gate], conn


def _registers(graph: PrimitiveGraph, values: dict[str, int], net_bits: dict[str, int]
               ) -> tuple[list, int]:
    """Registers per connection and the total bits, a net's fanouts sharing one shift
    register (each register the flip-flops it takes, lego.backend.net_bits)."""
    edges, bits = [], 0
    fanouts = graph.fanouts()
    for name in sorted(graph.graph.nodes):
        prim = graph.primitive(name)
        longest = None
        for conn in sorted(fanouts.get(name, ()), key=lambda c: (c.dst, c.distance)):
            dst, distance = conn.dst, conn.distance
            regs = values[dst] - values[name] - prim.latency + distance
            edges.append((name, dst, distance, regs))
            longest = regs if longest is None else max(longest, regs)
        if longest:
            bits += net_bits[name] * longest
    return edges, bits
