"""Physical memory ports per bank: which datapath port primitives share one RAM port.

A RAM block has one write port and few read ports; the lowered design has a read primitive per
FU and operand and a write primitive per FU and dataflow, each possibly reaching every bank.
Banking makes them conflict-free per step, but the pipeline shifts each port by its stage, so
the question is per cycle: two primitives that are never enabled on a bank in the same cycle
(in any dataflow) can share one RAM port there, its address and enable picked from whichever
is enabled. Readers are packed greedily onto as few read ports as the cycles allow (a bank with
k read ports becomes k RAM copies or a true dual-port RAM); writers must all fit on one write
port, or the design has a write hazard, which is an error.

Each read port also records which words it can read (``BankPorts.views``): the word-address
bits that are the same at every access of its readers, in every dataflow. A port whose reads
keep some bits fixed reads a RAM copy of only the words with those bits (lego.backend.rtl.bank):
in a fused array whose weights share one column bank, weight-stationary row p reads only the
words k = p (mod rows), so its copy holds 4 words of the 32, which distributed RAM stores
without the LUT per bit that picks between two 16-word cells."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from lego.backend.design import Design
from lego.backend.schedule import Schedule
from lego.backend.step_values import StepValues
from lego.errors import LegoError

__all__ = ["BankPorts", "PortPlan", "assign_ports", "fixed_bits"]

_CELL_WORDS = 16  # an ECP5 distributed RAM cell (DPR16X4) holds 16 words


@dataclass(frozen=True)
class BankPorts:
    tensor: str
    bank: int
    readers: tuple[tuple[str, ...], ...]  # per RAM read port, the mem_read primitives on it
    writers: tuple[str, ...]  # the mem_write primitives, all on the one write port
    zeroing: tuple[int, ...] = ()  # the read ports whose one reader zeroes (MemoryPort.zeroes)
    views: tuple[tuple[int, int], ...] = ()  # per read port (fixed bits' mask, their value)

    def read_port(self, reader: str) -> int:
        return next(i for i, names in enumerate(self.readers) if reader in names)


@dataclass(frozen=True)
class PortPlan:
    banks: tuple[BankPorts, ...]  # tensors in design order, banks in order

    def bank(self, tensor: str, bank: int) -> BankPorts:
        return self._by_bank[tensor, bank]

    @cached_property
    def _by_bank(self) -> dict[tuple[str, int], BankPorts]:
        return {(b.tensor, b.bank): b for b in self.banks}

    def dump(self) -> str:
        lines = [f"ports: {len(self.banks)} banks, at most "
                 f"{max((len(b.readers) for b in self.banks), default=0)} read ports per bank"]
        for b in self.banks:
            readers = " | ".join(", ".join(names) + _view_text(b.views, i)
                                 for i, names in enumerate(b.readers)) or "none"
            lines.append(f"  {b.tensor}[{b.bank}]: read {readers}; write "
                         f"{', '.join(b.writers) or 'none'}")
        return "\n".join(lines)


def _view_text(views, port: int) -> str:
    mask, value = views[port]
    return f" (words a & {mask} == {value})" if mask else ""


def assign_ports(design: Design, schedule: Schedule) -> PortPlan:
    cycles, words = _enabled_cycles(design, schedule)
    # the primitives per (kind, tensor, bank): one pass, not one scan of all per bank
    users: dict[tuple, list[str]] = defaultdict(list)
    for kind, tensor, bank, name in cycles:
        users[kind, tensor, bank].append(name)
    # a read whose RAM read register holds a stationary word (MemoryPort.holds) or is zeroed
    # (MemoryPort.zeroes) has its RAM port to itself: another reader's access would overwrite
    # the word, or read the zero
    reads = [p for p in design.graph.primitives() if p.kind == "mem_read"]
    zeroing = {p.name for p in reads if p.params.zeroes}
    alone = zeroing | {p.name for p in reads if p.params.holds}
    banks = []
    for geo in design.tensors:
        for bank in range(geo.banks):
            readers = _pack(sorted(users["mem_read", geo.name, bank]),
                            lambda n, t=geo.name, b=bank: cycles["mem_read", t, b, n], alone)
            writers = _pack(sorted(users["mem_write", geo.name, bank]),
                            lambda n, t=geo.name, b=bank: cycles["mem_write", t, b, n])
            if len(writers) > 1:
                raise LegoError(f"design {design.name}: write hazard on {geo.name} bank {bank}: "
                                f"{writers[0][0]} and {writers[1][0]} write it in the same "
                                "cycle (pipeline stages)")
            views = tuple(fixed_bits(set().union(*(words[geo.name, bank, r] for r in port)),
                                     geo.bank_depths[bank]) for port in readers)
            banks.append(BankPorts(geo.name, bank, tuple(readers),
                                   writers[0] if writers else (),
                                   tuple(i for i, (r, *_) in enumerate(readers)
                                         if r in zeroing), views))
    return PortPlan(tuple(banks))


def fixed_bits(words: set[int], depth: int) -> tuple[int, int]:
    """(mask, value) of the address bits that are the same in every word of ``words`` (0, 0:
    none, or no copy worth its own RAM: one that would hold more than half the bank's words,
    or a bank no deeper than one distributed RAM cell, where a smaller copy saves nothing;
    the port then reads a copy of the whole bank)."""
    bits = max(depth - 1, 1).bit_length()
    if not words or depth <= _CELL_WORDS:
        return 0, 0
    first = min(words)
    mask = (1 << bits) - 1
    for word in words:
        mask &= ~(word ^ first)
    if (1 << (bits - mask.bit_count())) > depth // 2:
        return 0, 0
    return mask, first & mask


def _enabled_cycles(design: Design, schedule: Schedule) -> tuple[dict[tuple, set],
                                                                 dict[tuple, set]]:
    """Per (kind, tensor, bank, primitive): the (dataflow, cycle) pairs in which it accesses the
    bank, a cycle being the step plus the primitive's stage; and per (tensor, bank, read
    primitive) the words it reads there."""
    stages = dict(schedule.stages)
    out: dict[tuple, set] = defaultdict(set)
    words: dict[tuple, set] = defaultdict(set)
    for flow in design.flows:
        values = StepValues(design, flow.index)
        for prim in design.graph.primitives():
            if prim.kind == "mem_write":
                for b, steps in values.accesses(prim.name):
                    key = (prim.kind, prim.params.tensor, b, prim.name)
                    out[key].update((flow.index, int(c)) for c in steps + stages[prim.name])
            elif prim.kind == "mem_read":
                for b, steps, read in values.port_accesses(prim.name):
                    key = (prim.kind, prim.params.tensor, b, prim.name)
                    out[key].update((flow.index, int(c)) for c in steps + stages[prim.name])
                    words[prim.params.tensor, b, prim.name].update(np.unique(read).tolist())
    return out, words


def _pack(names: list[str], cycles_of, alone=frozenset()) -> list[tuple[str, ...]]:
    """First-fit, busiest first: each primitive joins the first port none of whose primitives
    is enabled in a cycle it is enabled in; a primitive in ``alone`` gets a port of its own.
    Ports list their primitives by name."""
    ports: list[tuple[list[str], set]] = []
    for name in sorted(names, key=lambda n: (-len(cycles_of(n)), n)):
        mine = cycles_of(name)
        for members, used in ports:
            if not used & mine and name not in alone and members[0] not in alone:
                members.append(name)
                used |= mine
                break
        else:
            ports.append(([name], set(mine)))
    return [tuple(sorted(members)) for members, _ in ports]
