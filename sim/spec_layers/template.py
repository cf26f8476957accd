"""A spec as a template for layers: which of its loops a layer's sizes go to, how far each loop
of a tile may grow, and the spec of one tile.

Two statement kinds take layers (found from the access matrices, not from names):

- GEMM, ``C[m, n] += A[m, k] * B[k, n]`` (any names, either input order, B may be transposed):
  a GEMM layer gives (M, N, K); a conv layer its im2col view (M = Ho*Wo, N = filters,
  K = Fh*Fw*C), as SCALE-Sim and ``lego sim layer`` see it;
- conv, ``O[f, y, x] += I[c, S*y + r, S*x + s] * W[f, c, r, s]``: a conv layer with the same
  stride S gives f = filters, c = channels, (y, x) = the output size, (r, s) = the window; a GEMM
  layer is the 1x1 conv of ``sim.workload.layer.gemm`` (stride 1 only).

Anything else (depthwise, MTTKRP, ...) cannot take a layer: a LegoError says so.

A tile is the statement at smaller loop bounds, per dataflow. The dataflows fix the array: a
loop that a dataflow maps to space alone (``y: p``) keeps its spec bound in that dataflow's tiles;
a loop it maps as ``c*t + (spatial part)`` grows in steps of c (its granularity in that
dataflow). Each dataflow of a fused design runs at its own constant loop bounds (the spec's
per-dataflow ``loops``), so a tile chosen for one dataflow is at that dataflow's granularity
only: the tile spec gives the chosen dataflow the tile itself and every other dataflow the
largest box of its own granularity inside the tile (at least one step), with the spec's loops
(which size the memories) the largest of those boxes. Layer extents are padded up to whole
tiles (edge tiles computed on zeros, as the fixed-size RTL does)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lego.errors import LegoError
from lego.ir import Spec
from sim.conv_gemm import Layer

__all__ = ["Template", "analyse"]

ROLES = ("m", "n", "k")  # GEMM view: output rows, output columns (filters), reduction


@dataclass(frozen=True)
class Template:
    spec: Spec
    kind: str  # "gemm" or "conv"
    roles: tuple[tuple[str, tuple[str, ...]], ...]  # GEMM role -> statement loops
    operands: tuple[tuple[str, str], ...]  # A, B, C -> tensor name
    stride: int  # conv only (1 for GEMM)
    # per dataflow (spec order): loops whose tile size is the spec's bound, and loop -> tile
    # sizes are multiples of this
    fixed: tuple[tuple[tuple[str, int], ...], ...]
    granularity: tuple[tuple[tuple[str, int], ...], ...]
    order: tuple[tuple[str, str], ...]  # dataflow -> "os" / "ws" / "is" (DRAM loop order)

    def role_loops(self, role: str) -> tuple[str, ...]:
        return dict(self.roles)[role]

    def tensor_of(self, operand: str) -> str:
        return dict(self.operands)[operand]

    def extents(self, layer: Layer) -> dict[str, int]:
        """The layer's bound for every loop of the statement."""
        if self.kind == "gemm":
            (m,), (n,), (k,) = (self.role_loops(r) for r in ROLES)
            return {m: layer.m, n: layer.n, k: layer.k}
        if layer.stride != self.stride:
            raise LegoError(f"layer {layer.name}: stride {layer.stride} cannot map onto "
                            f"{self.spec.source}'s statement {self.spec.statement!r} "
                            f"(stride {self.stride})")
        (y, x), (f,), (c, r, s) = (self.role_loops(role) for role in ROLES)
        return {f: layer.filters, c: layer.channels, y: layer.ofmap_h, x: layer.ofmap_w,
                r: layer.filter_h, s: layer.filter_w}

    def steps(self, dataflow: int, tile: dict) -> object:
        """Temporal steps of one tile (ints or numpy arrays)."""
        flow = self.spec.dataflows[dataflow]
        steps = 1
        for row, loop in zip(flow.Mt, self.spec.loop_names, strict=True):
            coeff = int(row[np.nonzero(row)[0][0]]) if row.any() else 0
            if coeff:
                steps = steps * (tile[loop] // coeff)
        return steps

    def footprint(self, tensor: str, tile: dict) -> object:
        """Elements of ``tensor`` one tile touches (ints or numpy arrays)."""
        t = self.spec.tensor(tensor)
        size = 1
        for row in t.A:
            size = size * (1 + sum(abs(int(a)) * (tile[loop] - 1)
                                   for a, loop in zip(row, self.spec.loop_names, strict=True)
                                   if a))
        return size

    def fixed_of(self, flow: int) -> dict[str, int]:
        return dict(self.fixed[flow])

    def grain_of(self, flow: int) -> dict[str, int]:
        return dict(self.granularity[flow])

    def box(self, flow: int, tile: dict[str, int]) -> dict[str, int]:
        """The loop bounds dataflow ``flow`` runs at in the design of ``tile``: the largest box
        of its granularity inside the tile (at least one step per loop); the tile itself when
        the tile is at this dataflow's granularity."""
        fixed, grain = self.fixed_of(flow), self.grain_of(flow)
        return {loop: fixed[loop] if loop in fixed
                else grain[loop] * max(1, int(tile[loop]) // grain[loop])
                for loop in self.spec.loop_names}

    def tile_spec(self, tile: dict[str, int]) -> dict:
        """The spec (general form, as a dict) of one tile: each dataflow at its own box."""
        data = self.spec.to_dict()
        boxes = [self.box(flow, tile) for flow in range(len(self.spec.dataflows))]
        top = {loop: max(box[loop] for box in boxes) for loop in self.spec.loop_names}
        data["loops"] = top
        items = []
        for item, flow, box in zip(data["dataflows"], self.spec.dataflows, boxes, strict=True):
            temporal = {}
            for column, name in enumerate(flow.temporal_names):
                row = int(np.nonzero(flow.Mt[:, column])[0][0])
                temporal[name] = box[self.spec.loop_names[row]] // int(flow.Mt[row, column])
            own = {loop: size for loop, size in box.items() if size != top[loop]}
            items.append({"name": item["name"], **({"loops": own} if own else {}),
                          **{key: value for key, value in item.items()
                             if key not in ("name", "loops")}, "temporal": temporal})
        data["dataflows"] = items
        return data


def _refuse(spec: Spec, why: str) -> LegoError:
    return LegoError(f"{spec.source}: statement {spec.statement!r} cannot take layers: {why}")


def _loops_of(spec: Spec, tensor) -> list[list[str]]:
    """Per tensor dimension, the loops in its index."""
    return [[loop for a, loop in zip(row, spec.loop_names, strict=True) if a] for row in tensor.A]


def _plain(tensor, dims=None) -> bool:
    """Whether the dimensions ``dims`` (default all) are indexed by one loop each, as is."""
    rows = range(len(tensor.access)) if dims is None else dims
    return all(sorted(tensor.access[d]) == [0] * (len(tensor.access[d]) - 1) + [1]
               and tensor.offset[d] == 0 for d in rows)


def _gemm_roles(spec: Spec):
    """(roles, (A, B), stride) of ``C[m, n] += A[m, k] * B[k, n]`` (any order), or None."""
    if len(spec.loops) != 3 or len(spec.inputs) != 2 or spec.output.rank != 2 \
            or not all(_plain(t) for t in spec.tensors):
        return None
    (m,), (n,) = _loops_of(spec, spec.output)
    (k,) = set(spec.loop_names) - {m, n}
    uses = [{loop for (loop,) in _loops_of(spec, t)} for t in spec.inputs]
    a = next((t for t, u in zip(spec.inputs, uses, strict=True) if u == {m, k}), None)
    b = next((t for t, u in zip(spec.inputs, uses, strict=True) if u == {k, n}), None)
    if a is None or b is None:
        return None
    return (("m", (m,)), ("n", (n,)), ("k", (k,))), (a.name, b.name), 1


def _window(spec: Spec, ifmap, dim: int, outputs: set) -> tuple[str, str, int] | None:
    """(output loop, window loop, stride) of an input index ``S*y + r``, or None."""
    coeff = dict(zip(spec.loop_names, ifmap.access[dim], strict=True))
    used = [loop for loop, a in coeff.items() if a]
    pixel = [loop for loop in used if loop in outputs]
    window = [loop for loop in used if loop not in outputs]
    if len(pixel) != 1 or len(window) != 1 or coeff[window[0]] != 1 or coeff[pixel[0]] < 1 \
            or ifmap.offset[dim] != 0:
        return None
    return pixel[0], window[0], coeff[pixel[0]]


def _conv_roles(spec: Spec):
    """(roles, (I, W), stride) of ``O[f, y, x] += I[c, S*y + r, S*x + s] * W[f, c, r, s]``
    (W's dimensions in any order), or None."""
    if len(spec.loops) != 6 or len(spec.inputs) != 2 or spec.output.rank != 3 \
            or not _plain(spec.output):
        return None
    outputs = {loop for (loop,) in _loops_of(spec, spec.output)}
    for ifmap, weight in (spec.inputs, spec.inputs[::-1]):
        if ifmap.rank != 3 or not _plain(ifmap, [0]) or not _plain(weight):
            continue
        rows = [_window(spec, ifmap, d, outputs) for d in (1, 2)]
        if None in rows or rows[0][2] != rows[1][2]:
            continue
        ((c,),) = _loops_of(spec, ifmap)[:1]
        (y, r, stride), (x, s, _) = rows
        f = outputs - {y, x}
        if len(f) != 1 or {loop for (loop,) in _loops_of(spec, weight)} != {*f, c, r, s} \
                or len({*f, c, y, x, r, s}) != 6:
            continue
        return (("m", (y, x)), ("n", tuple(f)), ("k", (c, r, s))), (ifmap.name, weight.name), \
            stride
    return None


def _growth(spec: Spec, flow) -> tuple[dict[str, int], dict[str, int]]:
    """(fixed loop -> its bound, loop -> granularity) from one dataflow's map."""
    if any(flow.c) or (np.count_nonzero(flow.Mt, axis=0) != 1).any():
        raise _refuse(spec, f"dataflow {flow.name} is not a plain tiling (each temporal "
                            "index in one loop, no offsets)")
    bounds = dict(zip(spec.loop_names, spec.flow_bounds(flow), strict=True))
    fixed, grain = {}, {}
    for loop, row in zip(spec.loop_names, flow.Mt, strict=True):
        used = np.nonzero(row)[0]
        if len(used) == 0:
            fixed[loop] = bounds[loop]
        elif len(used) > 1:
            raise _refuse(spec, f"dataflow {flow.name} maps loop {loop} with more than "
                                "one temporal index")
        else:
            grain[loop] = int(row[used[0]])
    return fixed, grain


def _order(spec: Spec, roles: dict) -> dict[str, str]:
    """Per dataflow, the DRAM loop order of ``lego sim layer`` whose innermost (streamed) loop
    has the role of this dataflow's innermost temporal loop: k -> os, m -> ws, n -> is."""
    by_role = {loop: role for role, loops in roles.items() for loop in loops}
    out = {}
    for flow in spec.dataflows:
        row = int(np.nonzero(flow.Mt[:, -1])[0][0]) if flow.temporal else 0
        out[flow.name] = {"k": "os", "m": "ws", "n": "is"}[by_role[spec.loop_names[row]]]
    return out


def analyse(spec: Spec) -> Template:
    """The template of a spec, or a LegoError saying why its statement cannot take layers."""
    for kind, found in (("gemm", _gemm_roles(spec)), ("conv", _conv_roles(spec))):
        if found is not None:
            roles, (a, b), stride = found
            growth = [_growth(spec, flow) for flow in spec.dataflows]
            return Template(spec, kind, roles, (("A", a), ("B", b), ("C", spec.output.name)),
                            stride, tuple(tuple(sorted(f.items())) for f, _ in growth),
                            tuple(tuple(sorted(g.items())) for _, g in growth),
                            tuple(sorted(_order(spec, dict(roles)).items())))
    raise _refuse(spec, "layers map onto a GEMM C[m,n] += A[m,k]*B[k,n] or a conv "
                        "O[f,y,x] += I[c,S*y+r,S*x+s]*W[f,c,r,s]")
