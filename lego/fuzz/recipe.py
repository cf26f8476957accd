"""Random valid specs, as hypothesis strategies.

A :class:`Recipe` is a statement template (GEMM, GEMV, outer product, batched and multi-head
matmul, 1-D and 2-D convolution with strides and dilations, MTTKRP) with loop bounds, data
types and one or two dataflows. A dataflow puts one or two loops on the array, each split as
``l = b*t + p`` (blocked: consecutive values on neighbouring FUs) or ``l = t + (N/b)*p``
(strided), or ``l = p`` when the array covers the loop, with the other loops temporal in a
random order; a second dataflow (fused onto the same array) has the same array shape. Every
recipe is a valid spec by construction (the mapping is a bijection); :func:`spec_dict` gives
the spec as the dict ``lego.parse_spec`` reads."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

__all__ = ["TEMPLATES", "DTYPES", "Split", "Flow", "Recipe", "recipes", "spec_dict"]

# name -> (loops, statement with {stride} and {dilation} for the convolutions, tensors)
TEMPLATES: dict[str, tuple[tuple[str, ...], str, tuple[str, ...]]] = {
    "gemm": (("i", "j", "k"), "C[i, j] += A[i, k] * B[k, j]", ("A", "B", "C")),
    "gemv": (("i", "k"), "Y[i] += A[i, k] * X[k]", ("A", "X", "Y")),
    "outer": (("i", "j"), "C[i, j] += A[i] * B[j]", ("A", "B", "C")),
    "bmm": (("b", "i", "j", "k"), "C[b, i, j] += A[b, i, k] * B[b, k, j]", ("A", "B", "C")),
    "mhmm": (("h", "i", "j", "d"), "S[h, i, j] += Q[i, h, d] * K[j, h, d]", ("Q", "K", "S")),
    "conv1d": (("k", "c", "x", "r"), "O[k, x] += I[c, {x} + {r}] * W[k, c, r]",
               ("I", "W", "O")),
    "conv2d": (("k", "c", "y", "x", "r", "s"),
               "O[k, y, x] += I[c, {y} + {r}, {x} + {s}] * W[k, c, r, s]", ("I", "W", "O")),
    "mttkrp": (("i", "j", "k", "l"), "D[i, j] += A[i, k, l] * B[k, j] * C[l, j]",
               ("A", "B", "C", "D")),
}
DTYPES = ("uint1", "int2", "uint3", "int4", "uint5", "int8", "uint8", "int12", "int16",
          "uint16", "int32", "uint32", "int64", "uint64")
_MAX_POINTS = 1536  # iteration points: keeps a run to seconds of simulation
_MAX_FUS = 16
SPATIAL_NAMES = ("p", "q")


@dataclass(frozen=True)
class Split:
    """Loop ``loop`` (bound ``bound``) on array dimension of size ``size``."""

    loop: str
    size: int
    blocked: bool  # l = size*t + p; else l = t + (bound/size)*p

    def expression(self, spatial: str, bound: int) -> str:
        if self.size == bound:
            return spatial
        if self.blocked:
            return f"{self.size}*t{self.loop} + {spatial}"
        return f"t{self.loop} + {bound // self.size}*{spatial}"


@dataclass(frozen=True)
class Flow:
    splits: tuple[Split, ...]  # array dimensions in order (p, then q)
    order: tuple[str, ...]  # the temporal loops, outermost first


@dataclass(frozen=True)
class Recipe:
    template: str
    bounds: tuple[int, ...]  # per template loop
    dtypes: tuple[str, ...]  # per template tensor
    stride: int  # convolutions only (1 otherwise)
    dilation: int
    flows: tuple[Flow, ...]
    # each dataflow preloads the first stationary input it can (lego.spec_preload), if any
    preload: bool = False

    @property
    def loops(self) -> tuple[str, ...]:
        return TEMPLATES[self.template][0]

    @property
    def array_shape(self) -> tuple[int, ...]:
        return tuple(s.size for s in self.flows[0].splits)


def _statement(template: str, stride: int, dilation: int) -> str:
    text = TEMPLATES[template][1]
    if "{" not in text:
        return text
    scaled = {n: (f"{f}*{n}" if f > 1 else n)
              for n, f in (("x", stride), ("y", stride), ("r", dilation), ("s", dilation))}
    return text.format(**scaled)


def spec_dict(recipe: Recipe, name: str = "fuzz") -> dict:
    """The spec ``lego.parse_spec`` reads."""
    loops, _, tensors = TEMPLATES[recipe.template]
    bounds = dict(zip(loops, recipe.bounds, strict=True))
    flows = []
    for index, flow in enumerate(recipe.flows):
        spatial = {SPATIAL_NAMES[d]: s.size for d, s in enumerate(flow.splits)}
        mapping = {loop: f"t{loop}" for loop in loops}
        for d, split in enumerate(flow.splits):
            mapping[split.loop] = split.expression(SPATIAL_NAMES[d], bounds[split.loop])
        temporal = {f"t{loop}": _temporal_bound(flow, loop, bounds[loop]) for loop in flow.order}
        flows.append({"name": f"d{index}", "spatial": spatial, "temporal": temporal,
                      "map": mapping})
    spec = {"name": name, "loops": bounds,
            "statement": _statement(recipe.template, recipe.stride, recipe.dilation),
            "dtypes": dict(zip(tensors, recipe.dtypes, strict=True)), "dataflows": flows}
    if recipe.preload:
        for flow in flows:
            flow["preload"] = _first_preload(spec, flow, tensors)
            if flow["preload"] is None:
                del flow["preload"]
    return spec


def _first_preload(spec: dict, flow: dict, inputs) -> dict | None:
    """The first (input, spatial index) the spec accepts as ``flow``'s preload."""
    from lego.errors import SpecError
    from lego.spec import parse_spec

    for tensor in inputs:
        for index in flow["spatial"]:
            flow["preload"] = {tensor: index}
            try:
                parse_spec(spec)
            except SpecError:
                continue
            return {tensor: index}
    return None


def _temporal_bound(flow: Flow, loop: str, bound: int) -> int:
    split = next((s for s in flow.splits if s.loop == loop), None)
    return bound if split is None else bound // split.size


def _temporal_loops(splits, loops, bounds) -> list[str]:
    """Loops that keep a temporal index: not on the array, or only partly on it."""
    whole = {s.loop for s in splits if s.size == bounds[loops.index(s.loop)]}
    return [loop for loop in loops if loop not in whole]


@st.composite
def _flow(draw, loops: tuple[str, ...], bounds: tuple[int, ...],
          shape: tuple[int, ...] | None) -> Flow:
    """A dataflow; with ``shape``, one on an array of that shape (for fusion)."""
    dims = len(shape) if shape else draw(st.integers(1, 2))
    splits: list[Split] = []
    for d in range(dims):
        free = [loop for loop in loops if loop not in {s.loop for s in splits}]
        if shape:
            choices = [loop for loop in free if bounds[loops.index(loop)] % shape[d] == 0]
        else:
            choices = [loop for loop in free if bounds[loops.index(loop)] >= 2]
        if not choices:
            break
        loop = draw(st.sampled_from(choices))
        bound = bounds[loops.index(loop)]
        if shape:
            size = shape[d]
        else:
            room = _MAX_FUS // math.prod(s.size for s in splits)
            sizes = [n for n in range(2, min(bound, room) + 1) if bound % n == 0]
            if not sizes:
                break
            size = draw(st.sampled_from(sizes))
        splits.append(Split(loop, size, draw(st.booleans())))
    order = draw(st.permutations(_temporal_loops(splits, loops, bounds)))
    return Flow(tuple(splits), tuple(order))


@st.composite
def recipes(draw, templates: tuple[str, ...] = tuple(TEMPLATES)) -> Recipe:
    """A random valid spec recipe (see the module's description)."""
    template = draw(st.sampled_from(templates))
    loops, _, tensors = TEMPLATES[template]
    top = 3 if len(loops) > 4 else 4 if len(loops) > 2 else 8
    bounds = tuple(draw(st.lists(st.integers(1, top), min_size=len(loops),
                                 max_size=len(loops)).filter(
        lambda b: math.prod(b) <= _MAX_POINTS and max(b) >= 2)))
    conv = "{" in TEMPLATES[template][1]
    stride = draw(st.integers(1, 2)) if conv else 1
    dilation = draw(st.integers(1, 2)) if conv else 1
    dtypes = tuple(draw(st.sampled_from(DTYPES)) for _ in tensors)
    first = draw(_flow(loops, bounds, None))
    flows = [first]
    if first.splits and draw(st.booleans()):
        second = draw(_flow(loops, bounds, tuple(s.size for s in first.splits)))
        if len(second.splits) == len(first.splits):
            flows.append(second)
    return Recipe(template, bounds, dtypes, stride, dilation, tuple(flows))
