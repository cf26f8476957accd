"""Every control and address net of a lowered design at every step of one dataflow, at once:
the value interface of :mod:`lego.backend.semantics` over numpy arrays. The back end uses it to
see which memory ports are enabled together, sim/ to count SRAM accesses; both get the very
meanings the RTL is generated from."""

from __future__ import annotations

import numpy as np

from lego.backend.design import COUNTER, Design, Flow
from lego.backend.semantics import evaluate, port_hits

__all__ = ["StepValues", "issued_steps", "running_fields"]


class StepValues:
    """The value interface of :mod:`lego.backend.semantics` over numpy arrays: every net's
    value at every step of one dataflow (the other dataflows' step-valid bits are 0)."""

    def __init__(self, design: Design, flow_index: int):
        self.design, self.flow = design, flow_index
        self.counters, self.valid, self.left = issued_steps(design.flows[flow_index])
        self.steps = (len(self.valid),)
        self.cache: dict[str, object] = {}
        self.at_enable: dict[str, tuple[np.ndarray, StepValues]] = {}  # _enabled_steps

    def net(self, name: str):
        """The value of node ``name``: its meaning applied to its inputs' values. Control and
        address nets carry no delays, so every input is the same step's value."""
        if name not in self.cache:
            prim = self.design.graph.primitive(name)
            if name == COUNTER:
                value = None  # the packed counters: ``fields`` unpacks them
            else:
                inputs = []
                for conn in self.design.graph.inputs(name):
                    if conn.distance:
                        raise AssertionError(f"{name} depends on an earlier step's value")
                    inputs.append(self.net(conn.src))
                bank_bits = (self.design.tensor(prim.params.tensor).bank_bits
                             if prim.kind == "addr" else 0)
                value = evaluate(prim.params, self, inputs,
                                 [f.bounds for f in self.design.flows], prim.width, bank_bits)
            self.cache[name] = value
        return self.cache[name]

    def accesses(self, name: str) -> list[tuple[int, np.ndarray]]:
        """Per bank memory port ``name`` may touch, the steps at which it accesses that bank
        (indices into this dataflow's steps)."""
        prim, enable, _ = self._port(name)
        if len(prim.params.banks) == 1:  # no bank to pick: the enable alone (port_hits)
            return [(prim.params.banks[0],
                     np.flatnonzero(np.broadcast_to(self.net(enable), self.steps)))]
        return [(b, steps) for b, steps, _ in self.port_accesses(name)]

    def _port(self, name: str):
        """(primitive, enable net, address net) of memory port ``name``."""
        prim = self.design.graph.primitive(name)
        inputs = [c.src for c in self.design.graph.inputs(name)]
        enable, address = (inputs[1], inputs[0]) if prim.kind == "mem_read" else inputs[:2]
        return prim, enable, address

    def port_accesses(self, name: str) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """Per bank memory port ``name`` may touch: the steps at which it accesses that bank
        and the (in-bank) address it accesses at each. The address and bank are evaluated
        only at the steps the port is enabled (every net is a function of one step's
        counters, so that is the same value at those steps; a write port of a stationary
        output is enabled once per output tile)."""
        graph = self.design.graph
        prim, enable, address = self._port(name)
        enabled, at = self._enabled_steps(enable)
        bank_bits = self.design.tensor(prim.params.tensor).bank_bits
        words, bank = at.split(at.net(address), graph.primitive(address).width - bank_bits)
        words = np.broadcast_to(words, at.steps)
        return [(b, enabled[hits], words[hits])
                for b, hits in ((b, np.broadcast_to(h, at.steps)) for b, h in
                                port_hits(at, at.net(enable), bank, prim.params.banks))]

    def _enabled_steps(self, enable: str) -> tuple[np.ndarray, StepValues]:
        """The steps at which net ``enable`` is 1, and the values at those steps only: one
        pair per enable net, shared by the ports on it (every FU's port of a tensor, as a
        rule), so the nets they share are evaluated there once."""
        if enable not in self.at_enable:
            enabled = np.flatnonzero(np.broadcast_to(self.net(enable), self.steps))
            self.at_enable[enable] = enabled, self.at_steps(enabled)
        return self.at_enable[enable]

    def at_steps(self, steps: np.ndarray) -> StepValues:
        """The same dataflow's values at ``steps`` only (indices into its steps)."""
        sub = StepValues.__new__(StepValues)
        sub.design, sub.flow, sub.cache, sub.at_enable = self.design, self.flow, {}, {}
        sub.steps = (len(steps),)
        sub.counters = [c[steps] for c in self.counters]
        sub.valid, sub.left = self.valid[steps], self.left[steps]
        return sub

    def fields(self, packed):
        return running_fields(self.design.flows, self.flow, self.counters, self.steps,
                              self.valid)

    def bubbles_left(self, packed, flow: int):
        return self.left if flow == self.flow else np.zeros(self.steps, dtype=np.int64)

    def const(self, value: int, bits: int, signed: bool):
        return np.bool_(value) if bits == 1 and not signed else np.int64(value)

    def mux(self, select, if_true, if_false):
        return np.where(select, if_true, if_false)

    def pack(self, low, low_bits: int, high, high_bits: int):
        return self.low_bits(low, low_bits) | (self.low_bits(high, high_bits) << low_bits)

    def split(self, packed, low_bits: int):
        return self.low_bits(packed, low_bits), packed >> low_bits

    def low_bits(self, value, bits: int):
        return np.asarray(value, dtype=np.int64) & ((1 << bits) - 1)

    # The datapath (products, operand values) is the golden model's business, not the
    # simulator's: only control and address nets are evaluated here.
    def as_signed(self, value):
        raise NotImplementedError("sim evaluates control and address nets only")

    def as_unsigned(self, value):
        raise NotImplementedError("sim evaluates control and address nets only")

    def width(self, value) -> int:
        raise NotImplementedError("sim evaluates control and address nets only")


def issued_steps(flow: Flow) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Every step the controller issues, in order: the loop counters (outermost first), the
    step-valid bit (0 at a bubble, whose counters are its tile's first step's) and the
    bubbles left (``bubbles`` .. 1 in a tile's bubbles, 0 at its computing steps)."""
    bounds = flow.bounds
    steps = flow.num_steps
    # explicit step count: a dataflow without temporal loops has one step (and no counter)
    counters = np.indices(bounds, dtype=np.int64).reshape(len(bounds), steps)
    valid = np.ones(steps, dtype=bool)
    left = np.zeros(steps, dtype=np.int64)
    if flow.bubbles:
        per_tile = steps // flow.tiles
        first = np.repeat(np.arange(0, steps, per_tile), flow.bubbles)  # held counters
        tiles = np.arange(steps).reshape(flow.tiles, per_tile)
        order = np.concatenate([first.reshape(flow.tiles, flow.bubbles), tiles], axis=1)
        order = order.ravel()
        valid = np.concatenate([np.zeros((flow.tiles, flow.bubbles), dtype=bool),
                                np.ones((flow.tiles, per_tile), dtype=bool)], axis=1).ravel()
        counters = counters[:, order]
        left = np.concatenate([np.tile(np.arange(flow.bubbles, 0, -1), (flow.tiles, 1)),
                               np.zeros((flow.tiles, per_tile), dtype=np.int64)],
                              axis=1).ravel()
    return list(counters), valid, left


def running_fields(flows, running: int, counters, shape, valid=None) -> list:
    """The per-dataflow (running, counters) fields of the value interface when dataflow
    ``running`` runs with ``counters`` over ``shape`` steps (``valid``: its step-valid bits,
    default every step's): the others idle at 0."""
    out = []
    for flow in flows:
        if flow.index == running:
            out.append((np.ones(shape, dtype=bool) if valid is None else valid, counters))
        else:
            zeros = np.zeros(shape, dtype=np.int64)
            out.append((np.zeros(shape, dtype=bool), [zeros] * len(flow.bounds)))
    return out
