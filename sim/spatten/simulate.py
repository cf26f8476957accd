"""A trace through the whole SpAtten accelerator, request by request, layer by layer.

Flow of one request (each arrow: the next operation waits for the one before it):
DRAM K-MSB -> Q x K -> softmax [-> DRAM K-LSB -> Q x K -> softmax, on a re-fetch, same engine]
-> local value top-k (if values < keys) -> DRAM V (only the kept values) -> prob x V.

Overlap rules (see pipeline.py for the units):
- the requests (heads) of one layer are independent and overlap freely on different stages;
- after a layer, its cascade token top-k (``if_topk``) and head top-k (the next layer has fewer
  heads) run on the cascade top-k engine once all the layer's softmax outputs exist (the
  importance scores accumulate attention probabilities);
- a layer starts when the one before has finished everything: its query is the previous layer's
  output, and its keys are the tokens the cascade top-k kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.spatten.fetch import fetch
from sim.spatten.hardware import Hardware
from sim.spatten.pipeline import InOrderUnits, Schedule, Timeline
from sim.spatten.stages import StageModels
from sim.spatten.trace import Request, Trace

__all__ = ["STAGES", "Layer", "Run", "simulate"]

STAGES = ("dram", "qk", "softmax", "local_v_topk", "pv", "cascade_topk")


@dataclass(frozen=True)
class Layer:
    iteration: int
    layer: int
    start: int
    cycles: int
    requests: int
    tokens: int       # kept by cascade token pruning (the largest key count of the layer)
    keys: int
    values: int
    refetches: int
    k_msb_bits: int
    k_lsb_bits: int
    v_bits: int


@dataclass(frozen=True)
class Run:
    cycles: int
    layers: tuple[Layer, ...]
    busy: dict          # stage -> cycles summed over its units (the engines' own models)
    critical: dict      # stage -> cycles on the critical path
    units: dict
    macs: int
    topk_runs: int


class _Machine:
    def __init__(self, hw: Hardware, models: StageModels):
        self.schedule = Schedule()
        self.models = models
        self.units = {s: 1 for s in STAGES} | {"softmax": hw.softmax_units}
        self.lines = {s: Timeline(self.schedule, s) for s in STAGES if s != "softmax"}
        self.softmax = InOrderUnits(self.schedule, "softmax", hw.softmax_units)
        self.macs = 0

    def on(self, stage: str, after: int, duration: int) -> int:
        """An operation on a gap-filling stage after operation ``after`` (0 cycles: none)."""
        if duration == 0:
            return after
        return self.lines[stage].place(self.schedule.end(after), after, duration)

    def request(self, r: Request, d: int, bits, local_v: int, after: int) -> tuple[int, int]:
        """Schedule one request; returns (its softmax's last op, its last op)."""
        m = self.models
        op = self.on("dram", after, m.dram(bits.key_msb_bits))
        op = self.on("qk", op, m.qk(r.keys))
        first, rest = m.softmax(r.keys, bits.refetch)
        unit = self.softmax.pick()
        if bits.refetch:
            op = self.softmax.place(unit, self.schedule.end(op), op, first)
            op = self.on("dram", op, m.dram(bits.key_lsb_bits))
            op = self.on("qk", op, m.qk(r.keys))
        op = self.softmax.place(unit, self.schedule.end(op), op, rest)
        softmax_op = op
        op = self.on("local_v_topk", op, local_v)
        op = self.on("dram", op, m.dram(bits.value_bits))
        op = self.on("pv", op, m.pv(r.values))
        self.macs += ((2 if bits.refetch else 1) * r.keys + r.values) * d
        return softmax_op, op

    def latest(self, ops: list[int]) -> int:
        return max(ops, key=lambda i: (self.schedule.end(i), i))


def _groups(trace: Trace) -> list[list[Request]]:
    groups: list[list[Request]] = []
    for r in trace.requests:
        if not groups or (groups[-1][0].iteration, groups[-1][0].layer) != (r.iteration, r.layer):
            groups.append([])
        groups[-1].append(r)
    return groups


def _cascade(machine: _Machine, group: list[Request], following: list[Request] | None,
             softmax_ops: list[int]) -> int:
    """The token and head top-k after a layer; returns the last op (or the softmax's)."""
    op = machine.latest(softmax_ops)
    for r in group:
        if r.topk is not None:
            # fewer kept than alive: prune the survivors (cascade); more: the next iteration
            # restarts from the whole sentence
            n = r.keys if r.topk <= r.keys else r.length
            op = machine.on("cascade_topk", op, machine.models.topk(n, r.topk))
    same_iteration = following and following[0].iteration == group[0].iteration
    if same_iteration and len(following) < len(group):
        op = machine.on("cascade_topk", op, machine.models.topk(len(group), len(following)))
    return op


def simulate(trace: Trace, hw: Hardware, rule: str, topk_model: str, seed: int,
             dense_bits: int) -> Run:
    d = trace.head_dim
    models = StageModels(hw, d, max(r.keys for r in trace.requests), topk_model, seed)
    machine = _Machine(hw, models)
    groups, layers, barrier = _groups(trace), [], -1
    for index, group in enumerate(groups):
        start = machine.schedule.end(barrier)
        ends, softmax_ops, amounts = [], [], [0, 0, 0, 0]
        for r, local_v in zip(group, models.local_v(group), strict=True):
            bits = fetch(r, d, rule, dense_bits)
            softmax_op, last = machine.request(r, d, bits, local_v, barrier)
            softmax_ops.append(softmax_op)
            ends.append(last)
            amounts = [a + b for a, b in zip(amounts, (bits.refetch, bits.key_msb_bits,
                                                       bits.key_lsb_bits, bits.value_bits),
                                             strict=True)]
        following = groups[index + 1] if index + 1 < len(groups) else None
        ends.append(_cascade(machine, group, following, softmax_ops))
        barrier = machine.latest(ends)
        layers.append(Layer(group[0].iteration, group[0].layer, start,
                            machine.schedule.end(barrier) - start, len(group),
                            max(r.keys for r in group), sum(r.keys for r in group),
                            sum(r.values for r in group), *amounts))
    busy = {s: 0 for s in STAGES}
    for op in machine.schedule.ops:
        busy[op.stage] += op.end - op.start
    critical = {s: 0 for s in STAGES} | machine.schedule.critical_path()
    return Run(machine.schedule.end(barrier), tuple(layers), busy, critical, machine.units,
               machine.macs, models.topk_runs)
