"""The Architecture Description Graph: the one hand-off to the back end and the simulator.

A frozen networkx MultiDiGraph (one edge per (src, dst, tensor), keyed by the tensor name):
FU nodes ``fu_<coord>`` with coordinates; one memory node ``mem_<tensor>`` per tensor holding,
per dataflow, its banks and the ports' address generators; edges with tensor, kind
(direct | delay | reduction | memory), FIFO depth per dataflow and validity. Graph attributes
hold the per-dataflow configuration (temporal bounds and step weights, stationary and
accumulate flags, active edges) and the muxes with their per-dataflow select."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from lego.frontend.fusion import SELF, Fusion
from lego.frontend.interconnect import MEMORY, fu_coords
from lego.frontend.memory import MemorySystem, TensorMemory
from lego.frontend.reuse import Reuse, temporal_weights
from lego.ir import Spec
from lego.outputs import stable_json

__all__ = ["ADG", "build_adg", "fu_id", "mem_id"]

_COLORS = ("blue", "red", "darkgreen", "orange", "purple", "brown")


def fu_id(coord: tuple[int, ...]) -> str:
    return "fu_" + "_".join(map(str, coord))


def mem_id(tensor: str) -> str:
    return f"mem_{tensor}"


@dataclass(frozen=True, eq=False)
class ADG:
    graph: nx.MultiDiGraph  # frozen

    @property
    def name(self) -> str:
        return self.graph.graph["name"]

    def to_dict(self) -> dict:
        return {
            "graph": dict(self.graph.graph),
            "nodes": [{"id": n, **self.graph.nodes[n]} for n in sorted(self.graph.nodes)],
            "edges": [{"src": u, "dst": v, "tensor": k, **data}
                      for u, v, k, data in sorted(self.graph.edges(keys=True, data=True),
                                                  key=lambda e: (e[0], e[1], e[2]))],
        }

    def to_json(self) -> str:
        return stable_json(self.to_dict())

    def to_dot(self) -> str:
        tensors = [t["name"] for t in self.graph.graph["tensors"]]
        color = {t: _COLORS[i % len(_COLORS)] for i, t in enumerate(tensors)}
        lines = [f'digraph "{self.name}" {{', "  rankdir=LR;", "  node [fontsize=10];"]
        for n in sorted(self.graph.nodes):
            attrs = self.graph.nodes[n]
            if attrs["kind"] == "fu":
                pos = ",".join(str(c) for c in attrs["coord"])
                lines.append(f'  "{n}" [shape=box, label="FU ({pos})"];')
            else:
                lines.append(f'  "{n}" [shape=cylinder, label="{attrs["tensor"]} memory"];')
        for u, v, k, data in sorted(self.graph.edges(keys=True, data=True),
                                    key=lambda e: (e[0], e[1], e[2])):
            depth = f" d{data['depth']}" if data["depth"] else ""
            style = ", style=dashed" if data["kind"] == "memory" else ""
            lines.append(f'  "{u}" -> "{v}" [color={color[k]}, fontsize=8, '
                         f'label="{k} {data["kind"]}{depth}"{style}];')
        lines.append("}")
        return "\n".join(lines) + "\n"

    def dump(self) -> str:
        return self.to_json()


def build_adg(spec: Spec, reuse: Reuse, fusion: Fusion, memory: MemorySystem) -> ADG:
    coords = fu_coords(spec.dataflows[0].spatial_bounds)
    graph = nx.MultiDiGraph()
    for index, coord in enumerate(coords):
        graph.add_node(fu_id(coord), kind="fu", coord=list(coord), index=index)
    for tensor in spec.tensors:
        graph.add_node(mem_id(tensor.name), kind="memory", tensor=tensor.name, role=tensor.role,
                       bits=tensor.dtype.bits, shape=list(tensor.shape),
                       dataflows={flow.name: _memory_config(memory.get(flow.name, tensor.name))
                                  for flow in spec.dataflows})
    for forest in fusion.forests:
        info = reuse.get(forest.dataflow, forest.tensor)
        for src, dst, vec in forest.edges:
            u = mem_id(forest.tensor) if src == MEMORY else fu_id(coords[src])
            v = mem_id(forest.tensor) if dst == MEMORY else fu_id(coords[dst])
            vector = info.candidates[vec] if vec >= 0 else None
            _add_edge(graph, u, v, forest.tensor, forest.dataflow, vector)
    _finish_edges(graph)
    graph.graph.update(
        name=spec.name, array=list(spec.dataflows[0].spatial_bounds),
        tensors=[{"name": t.name, "role": t.role, "bits": t.dtype.bits, "signed": t.dtype.signed,
                  "shape": list(t.shape)}
                 for t in spec.tensors],
        dataflows={flow.name: _flow_config(spec, flow, reuse, graph) for flow in spec.dataflows},
        muxes=[_mux_config(m, coords) for m in fusion.muxes],
        mux_count=len(fusion.muxes), naive_mux_count=fusion.naive_mux_count,
        independent_mux_count=fusion.independent_mux_count)
    return ADG(nx.freeze(graph))


def _add_edge(graph, u: str, v: str, tensor: str, dataflow: str, vector) -> None:
    if not graph.has_edge(u, v, key=tensor):
        graph.add_edge(u, v, key=tensor, dataflows={})
    kind = "memory" if vector is None else vector.kind
    graph.edges[u, v, tensor]["dataflows"][dataflow] = {
        "kind": kind, "depth": 0 if vector is None else vector.delay,
        "dt": [] if vector is None else list(vector.dt),
        "valid": {} if vector is None else {n: [lo, hi] for n, lo, hi in vector.valid}}


def _finish_edges(graph) -> None:
    """An edge's hardware kind and FIFO depth must serve every dataflow that uses it: a
    direct edge in one dataflow and a delay edge in another is a FIFO whose depth is
    programmed per dataflow (depth 0 = a wire)."""
    for _, _, data in graph.edges(data=True):
        kinds = {c["kind"] for c in data["dataflows"].values()}
        data["kind"] = "delay" if "delay" in kinds else kinds.pop()
        data["depth"] = max(c["depth"] for c in data["dataflows"].values())


def _memory_config(mem: TensorMemory) -> dict:
    return {"banks": mem.banks, "bank_dims": list(mem.bank_dims), "bank_gcd": list(mem.bank_gcd),
            "bank_shape": list(mem.bank_shape), "concurrent": mem.concurrent,
            "coord_strides": [list(s) for s in mem.coord_strides],
            "address_strides": list(mem.address_strides),
            "read_modify_write": mem.read_modify_write,
            "ports": [{"fu": p.fu, "base": list(p.base), "bank": p.bank, "address": p.address,
                       "fallback": p.fallback} for p in mem.ports]}


def _flow_config(spec: Spec, flow, reuse: Reuse, graph) -> dict:
    weights = temporal_weights(flow)
    active = sorted([u, v, k] for u, v, k, data in graph.edges(keys=True, data=True)
                    if flow.name in data["dataflows"])
    return {
        "temporal": [{"name": n, "bound": b, "weight": w}
                     for (n, b), w in zip(flow.temporal, weights, strict=True)],
        "spatial": [{"name": n, "bound": b} for n, b in flow.spatial],
        "num_steps": flow.num_steps,
        "tensors": {t.name: _tensor_flags(reuse.get(flow.name, t.name)) for t in spec.tensors},
        "active_edges": active,
    }


def _tensor_flags(info) -> dict:
    return {"stationary": bool(info.stationary), "invariant_to": list(info.stationary),
            "accumulate_in_memory": info.accumulate_in_memory,
            "reuse": list(info.kinds), "revisits": [list(r) for r in info.revisits]}


def _mux_config(mux, coords) -> dict:
    def name(node: int) -> str:
        return {MEMORY: mem_id(mux.tensor), SELF: "self"}.get(node) or fu_id(coords[node])
    return {"fu": fu_id(coords[mux.fu]), "tensor": mux.tensor,
            "sources": [[name(n) for n in source] for source in mux.sources],
            "select": dict(mux.select)}
