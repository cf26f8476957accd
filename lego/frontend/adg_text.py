"""Text views of the ADG: ``adg.json`` (sorted, byte-stable) and ``adg.dot`` (Graphviz)."""

from __future__ import annotations

from lego.frontend.adg import ADG, Edge, FlowConfig, MuxConfig, TensorFlags, mem_id
from lego.frontend.memory import TensorMemory
from lego.outputs import stable_json

__all__ = ["adg_dict", "adg_json", "adg_dot"]

_COLORS = ("blue", "red", "darkgreen", "orange", "purple", "brown")


def adg_json(adg: ADG) -> str:
    return stable_json(adg_dict(adg))


def adg_dict(adg: ADG) -> dict:
    fus = [{"id": fu.id, "kind": "fu", "coord": list(fu.coord), "index": fu.index}
           for fu in adg.fus]
    memories = [{"id": mem_id(t.name), "kind": "memory", "tensor": t.name, "role": t.role,
                 "bits": t.bits, "shape": list(t.shape),
                 "dataflows": {f.name: _memory(adg.memory(f.name, t.name)) for f in adg.flows}}
                for t in adg.tensors]
    return {
        "graph": {
            "name": adg.name, "array": list(adg.array),
            "tensors": [{"name": t.name, "role": t.role, "bits": t.bits, "signed": t.signed,
                         "shape": list(t.shape)} for t in adg.tensors],
            "dataflows": {f.name: _flow(f) for f in adg.flows},
            "muxes": [_mux(m) for m in adg.muxes], "mux_count": len(adg.muxes),
            "naive_mux_count": adg.naive_mux_count,
            "independent_mux_count": adg.independent_mux_count},
        "nodes": sorted(fus + memories, key=lambda n: n["id"]),
        "edges": [_edge(e) for e in adg.edges],
    }


def _edge(edge: Edge) -> dict:
    return {"src": edge.src, "dst": edge.dst, "tensor": edge.tensor, "kind": edge.kind,
            "depth": edge.depth,
            "dataflows": {u.dataflow: {"kind": u.kind, "depth": u.depth, "dt": list(u.dt),
                                       "valid": {n: [lo, hi] for n, lo, hi in u.valid}}
                          for u in edge.uses}}


def _memory(mem: TensorMemory) -> dict:
    return {"banks": mem.banks, "bank_dims": list(mem.bank_dims), "bank_gcd": list(mem.bank_gcd),
            "bank_shape": list(mem.bank_shape), "concurrent": mem.concurrent,
            "coord_strides": [list(s) for s in mem.coord_strides],
            "address_strides": list(mem.address_strides),
            "read_modify_write": mem.read_modify_write,
            "ports": [{"fu": p.fu, "base": list(p.base), "bank": p.bank, "address": p.address,
                       "fallback": p.fallback} for p in mem.ports]}


def _flow(flow: FlowConfig) -> dict:
    return {
        "temporal": [{"name": loop.name, "bound": loop.bound, "weight": loop.weight}
                     for loop in flow.temporal],
        "spatial": [{"name": loop.name, "bound": loop.bound} for loop in flow.spatial],
        "num_steps": flow.num_steps,
        "tensors": {f.tensor: _flags(f) for f in flow.tensors},
        "active_edges": [list(e) for e in flow.active_edges],
    }


def _flags(flags: TensorFlags) -> dict:
    return {"stationary": flags.stationary, "invariant_to": list(flags.invariant_to),
            "accumulate_in_memory": flags.accumulate_in_memory, "reuse": list(flags.reuse),
            "revisits": [list(r) for r in flags.revisits]}


def _mux(mux: MuxConfig) -> dict:
    return {"fu": mux.fu, "tensor": mux.tensor, "sources": [list(s) for s in mux.sources],
            "select": dict(mux.select)}


def adg_dot(adg: ADG) -> str:
    color = {t.name: _COLORS[i % len(_COLORS)] for i, t in enumerate(adg.tensors)}
    nodes = [(fu.id, f'shape=box, label="FU ({",".join(map(str, fu.coord))})"')
             for fu in adg.fus]
    nodes += [(mem_id(t.name), f'shape=cylinder, label="{t.name} memory"') for t in adg.tensors]
    lines = [f'digraph "{adg.name}" {{', "  rankdir=LR;", "  node [fontsize=10];"]
    lines += [f'  "{n}" [{attrs}];' for n, attrs in sorted(nodes)]
    for e in adg.edges:
        depth = f" d{e.depth}" if e.depth else ""
        style = ", style=dashed" if e.kind == "memory" else ""
        lines.append(f'  "{e.src}" -> "{e.dst}" [color={color[e.tensor]}, fontsize=8, '
                     f'label="{e.tensor} {e.kind}{depth}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
