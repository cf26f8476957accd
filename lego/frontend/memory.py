"""Memory system per (dataflow, tensor): ports, banks and affine address generators.

At one step every FU sees the same t, so the coordinates touched by FU s differ only by K_s s.
Banks per tensor dimension d: the offsets' spread over the FUs that may access memory, divided
by their GCD g_d: n_d = (max - min) / g_d + 1. Bank function: bank_d(x) = (x_d // g_d) mod n_d,
which maps offsets min, min + g, ... min + (n-1) g to distinct banks whatever the base. Inside a
bank, element x sits at the row-major address of local_d = (x_d // (g_d n_d)) g_d + x_d mod g_d.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from lego.errors import LegoError
from lego.frontend.fusion import Fusion
from lego.frontend.interconnect import MEMORY
from lego.frontend.reuse import Reuse
from lego.ir import Spec, Tensor

__all__ = ["Port", "TensorMemory", "MemorySystem", "plan_memory", "bank_of", "bank_address"]

Vector = tuple[int, ...]
_CLASS_LIMIT = 4096  # step classes enumerated for the exact concurrency count


@dataclass(frozen=True)
class Port:
    """An FU that accesses memory: coordinate, bank and in-bank address at t = 0.
    ``fallback``: it normally gets the value over a delay edge and reads memory only at steps
    where that edge is not valid."""

    fu: int
    base: Vector
    bank: int
    address: int
    fallback: bool


@dataclass(frozen=True)
class TensorMemory:
    dataflow: str
    tensor: str
    role: str
    ports: tuple[Port, ...]
    bank_dims: Vector  # n_d per tensor dimension
    bank_gcd: Vector  # g_d per tensor dimension
    bank_shape: Vector  # local (per-bank) shape
    coord_strides: tuple[Vector, ...]  # per temporal index: tensor-coordinate delta (K_t col)
    address_strides: tuple[int | None, ...]  # per temporal index; None: the bank changes
    concurrent: int  # most memory accesses in one step
    read_modify_write: bool
    # one banking for every dataflow (_shared_layout): ports may then share a bank in a step,
    # each reading it through a read port of its own
    shared_layout: bool = False
    # a preloaded tensor (lego.ir.Dataflow.preload): the in-bank address delta from one FU of
    # the chain's element to the next's, which the chain's first FU reads in the bubbles
    preload_stride: int | None = None

    @property
    def banks(self) -> int:
        return math.prod(self.bank_dims)

    @property
    def num_ports(self) -> int:
        return sum(1 for p in self.ports if not p.fallback)

    @property
    def fixed_bank(self) -> bool:
        """True when no temporal step moves a port to another bank: the address is then
        ``port.address + sum(address_strides[i] * t_i)`` in the port's own bank."""
        return all(s is not None for s in self.address_strides)

    def port(self, fu: int) -> Port | None:
        """The port of FU ``fu`` (row-major index), if it accesses this memory."""
        return self._port_of.get(fu)

    @cached_property
    def _port_of(self) -> dict[int, Port]:
        # the first port of each FU, as a scan of ``ports`` finds it; looked up per FU
        of: dict[int, Port] = {}
        for p in self.ports:
            of.setdefault(p.fu, p)
        return of

    def dump(self) -> list[str]:
        lines = [f"memory {self.dataflow}/{self.tensor}: {self.num_ports} ports "
                 f"(+{len(self.ports) - self.num_ports} fallback), {self.banks} banks "
                 f"{list(self.bank_dims)} gcd {list(self.bank_gcd)} bank shape "
                 f"{list(self.bank_shape)}, concurrent {self.concurrent}"
                 + (", read-modify-write" if self.read_modify_write else "")
                 + (", one layout for every dataflow" if self.shared_layout else ""),
                 f"  coordinate strides {list(map(list, self.coord_strides))} address strides "
                 f"{list(self.address_strides)}"]
        lines += [f"  port fu{p.fu}{' fallback' if p.fallback else ''}: base {list(p.base)} "
                  f"bank {p.bank} address {p.address}" for p in self.ports]
        return lines


@dataclass(frozen=True)
class MemorySystem:
    tensors: tuple[TensorMemory, ...]

    def get(self, dataflow: str, tensor: str) -> TensorMemory:
        return next(m for m in self.tensors if m.dataflow == dataflow and m.tensor == tensor)

    def dump(self) -> str:
        return "\n".join(line for m in self.tensors for line in m.dump())


def plan_memory(spec: Spec, reuse: Reuse, fusion: Fusion) -> MemorySystem:
    per_tensor = {tensor.name: _shared_layout(spec, tensor, reuse, fusion)
                  for tensor in spec.tensors}
    return MemorySystem(tuple(per_tensor[tensor.name][flow_index]
                              for flow_index in range(len(spec.dataflows))
                              for tensor in spec.tensors))


def _shared_layout(spec: Spec, tensor: Tensor, reuse: Reuse, fusion: Fusion
                   ) -> list[TensorMemory]:
    """Per dataflow the memory of ``tensor``: each dataflow's own banking, or, for an input
    of a fused design, one banking for every dataflow where one with fewer banks keeps every
    port in a bank of its own address stream (no bank moves). Ports that then share a bank in
    a step read it through read ports of their own (copies of the bank's RAM,
    lego.backend.ports) instead of banks of their own, each of which has a host write decode
    and an input to the host's read-back mux (on the fused OS+WS 8x8: 56 banks of B, 814
    LUT4 + FF of 11,926). The host also loads such a tensor once for every dataflow. Fewest
    banks wins; ties go to the earlier dataflow's banking. The choice depends on the array
    and the mappings only, not on the loop bounds, so a design's tiles (sim.spec_layers) have
    its memories."""
    own = [_tensor_memory(spec, i, tensor, reuse, fusion) for i in range(len(spec.dataflows))]
    if len(own) < 2 or tensor.role != "input":
        return own
    most = max(m.banks for m in own)
    for banking in sorted(dict.fromkeys((m.bank_dims, m.bank_gcd) for m in own),
                          key=lambda b: math.prod(b[0])):
        if math.prod(banking[0]) >= most:
            break
        shared = [replace(_tensor_memory(spec, i, tensor, reuse, fusion, banking),
                          shared_layout=True) for i in range(len(spec.dataflows))]
        if all(m.fixed_bank for m in shared):
            return shared
    return own


def _tensor_memory(spec: Spec, flow_index: int, tensor: Tensor, reuse: Reuse, fusion: Fusion,
                   banking: tuple[Vector, Vector] | None = None) -> TensorMemory:
    flow = spec.dataflows[flow_index]
    info = reuse.get(flow.name, tensor.name)
    forest = fusion.get(flow.name, tensor.name)
    coords = list(np.ndindex(*flow.spatial_bounds))
    ports = set(forest.memory_fus)
    fallback = {d: info.candidates[v].valid for s, d, v in forest.edges
                if s != MEMORY and d != MEMORY and info.candidates[v].valid}
    origin = tensor.A @ flow.c + tensor.b
    ks = np.array(info.ks, dtype=np.int64).reshape(tensor.rank, -1)
    base = {fu: tuple(int(x) for x in origin + ks @ np.array(coords[fu]))
            for fu in sorted(ports | set(fallback))}
    dims, gcds = banking or _banking(list(base.values()), tensor.rank)
    local = tuple(-(-size // (g * n)) * g for size, g, n in zip(tensor.shape, gcds, dims,
                                                                 strict=True))
    strides = tuple(tuple(row[i] for row in info.kt) for i in range(len(flow.temporal)))
    preload = _preload_stride(flow, tensor, ks, info.kt, dims, gcds, local)
    return TensorMemory(
        dataflow=flow.name, tensor=tensor.name, role=tensor.role,
        ports=tuple(Port(fu, base[fu], bank_of(base[fu], dims, gcds),
                         bank_address(base[fu], dims, gcds, local), fu not in ports)
                    for fu in sorted(base)),
        bank_dims=dims, bank_gcd=gcds, bank_shape=local, coord_strides=strides,
        address_strides=tuple(_address_stride(s, dims, gcds, local) for s in strides),
        concurrent=_concurrency(flow, ports, fallback),
        read_modify_write=info.accumulate_in_memory, preload_stride=preload)


def _preload_stride(flow, tensor: Tensor, ks: np.ndarray, info_kt, dims: Vector,
                    gcds: Vector, local: Vector) -> int | None:
    """The address delta between neighbours of a preload chain, which must share a bank."""
    along = dict(flow.preload).get(tensor.name)
    if along is None:
        return None
    hop = tuple(int(x) for x in ks[:, flow.spatial_names.index(along)])
    stride = _address_stride(hop, dims, gcds, local)
    moving = any(_address_stride(tuple(row[i] for row in info_kt), dims, gcds, local) is None
                 for i in range(len(flow.temporal)))
    if stride is None or moving:
        raise LegoError(f"dataflow {flow.name}: preload {tensor.name} along {along}: the "
                        f"chain's elements, or its first FU's reads over time, lie in "
                        f"different banks (banks {list(dims)})")
    return stride


def _banking(offsets: list[Vector], rank: int) -> tuple[Vector, Vector]:
    dims, gcds = [], []
    for d in range(rank):
        values = sorted({o[d] for o in offsets}) or [0]
        g = math.gcd(*(v - values[0] for v in values)) or 1
        dims.append((values[-1] - values[0]) // g + 1)
        gcds.append(g)
    return tuple(dims), tuple(gcds)


def bank_of(coord: Vector, dims: Vector, gcds: Vector) -> int:
    """Row-major bank number of a tensor coordinate."""
    bank = 0
    for x, n, g in zip(coord, dims, gcds, strict=True):
        bank = bank * n + (x // g) % n
    return bank


def bank_address(coord: Vector, dims: Vector, gcds: Vector, local: Vector) -> int:
    """Row-major address of a coordinate inside its bank."""
    address = 0
    for x, n, g, size in zip(coord, dims, gcds, local, strict=True):
        address = address * size + (x // (g * n)) * g + x % g
    return address


def _address_stride(stride: Vector, dims: Vector, gcds: Vector, local: Vector) -> int | None:
    """The in-bank address delta of one temporal step, if the step stays in the same bank
    (the coordinate moves by whole bank rows in every dimension); otherwise None."""
    delta = 0
    for x, n, g, size in zip(stride, dims, gcds, local, strict=True):
        if x % (g * n):
            return None
        delta = delta * size + (x // (g * n)) * g
    return delta


def _concurrency(flow, ports: set[int], fallback: dict) -> int:
    """The most FUs accessing memory in one step: the ports plus the fallback FUs whose
    delay edge is invalid then. Validity ranges cut each temporal index into few intervals;
    one step per combination of intervals is enough."""
    if not fallback:
        return len(ports)
    cuts = {name: {0} for name in flow.temporal_names}
    for valid in fallback.values():
        for name, lo, hi in valid:
            cuts[name].update(v for v in (lo, hi) if 0 <= v < dict(flow.temporal)[name])
    if math.prod(len(c) for c in cuts.values()) > _CLASS_LIMIT:
        return len(ports) + len(fallback)
    best = 0
    for values in itertools.product(*(sorted(cuts[n]) for n in flow.temporal_names)):
        step = dict(zip(flow.temporal_names, values, strict=True))
        invalid = sum(1 for fu, valid in fallback.items() if fu not in ports and
                      not all(lo <= step[name] < hi for name, lo, hi in valid))
        best = max(best, len(ports) + invalid)
    return best
