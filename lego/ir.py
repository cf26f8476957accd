"""The affine IR: small frozen dataclasses holding integer matrices as tuples.

For each tensor T, ``f_T(I) = A_T I + b_T`` maps a computation (loop) point I to tensor
coordinates. For each dataflow, ``I = M [t; s] + c`` maps a temporal point t (outermost first)
and a spatial point s (an FU coordinate) to a computation point. No modulo, no division.
Matrices are stored as tuples so the values are hashable and compare by value; the ``A``/``M``
properties hand out read-only numpy ``int64`` copies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

__all__ = ["DType", "Tensor", "Dataflow", "Spec", "parse_dtype"]

_DTYPE = re.compile(r"(u?)int([0-9]+)")


def _matrix(rows: tuple[tuple[int, ...], ...], ncols: int) -> np.ndarray:
    array = np.array(rows, dtype=np.int64).reshape(len(rows), ncols)
    array.flags.writeable = False
    return array


def _vector(values: tuple[int, ...]) -> np.ndarray:
    array = np.array(values, dtype=np.int64).reshape(len(values))
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class DType:
    """A two's-complement (``intN``) or unsigned (``uintN``) integer of ``bits`` bits."""

    bits: int
    signed: bool

    @property
    def name(self) -> str:
        return f"{'' if self.signed else 'u'}int{self.bits}"

    @property
    def min(self) -> int:
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def wrap(self, values: np.ndarray) -> np.ndarray:
        """Reduce integers modulo 2**bits into this type's range, like hardware of this width.
        Exact for any int64 input whose true value is congruent mod 2**64 (numpy wraps)."""
        values = np.asarray(values, dtype=np.int64)
        if self.bits == 64:
            return values if self.signed else values.view(np.uint64)
        mask = (1 << self.bits) - 1
        unsigned = values & np.int64(mask)
        if not self.signed:
            return unsigned
        half = np.int64(1 << (self.bits - 1))
        # sign-extend: OR with the bits above the mask (-2**bits, which fits int64 even for 63)
        return np.where(unsigned >= half, unsigned | np.int64(~mask), unsigned)


def parse_dtype(text: str) -> DType | None:
    """``int8`` -> DType(8, signed); None if the text is not a supported integer type."""
    match = _DTYPE.fullmatch(text)
    if not match:
        return None
    signed, bits = match.group(1) == "", int(match.group(2))
    if str(bits) != match.group(2) or not (2 if signed else 1) <= bits <= 64:
        return None
    return DType(bits, signed)


@dataclass(frozen=True)
class Tensor:
    """One operand of the statement. ``access`` rows are tensor dimensions, columns are the
    loop indices in ``Spec.loop_names`` order; ``shape`` covers every accessed coordinate."""

    name: str
    role: str  # "input" or "output"
    dtype: DType
    access: tuple[tuple[int, ...], ...]
    offset: tuple[int, ...]
    shape: tuple[int, ...]
    indices: tuple[str, ...]  # the index expressions as written, for messages and dumps

    @property
    def rank(self) -> int:
        return len(self.shape)

    @cached_property
    def A(self) -> np.ndarray:  # noqa: N802 - the paper's name
        ncols = len(self.access[0]) if self.access else 0
        return _matrix(self.access, ncols)

    @cached_property
    def b(self) -> np.ndarray:
        return _vector(self.offset)


@dataclass(frozen=True)
class Dataflow:
    """One mapping of the loop nest onto an FU array: ``I = M [t; s] + c``.

    ``matrix`` rows are loop indices (spec order); its columns are the temporal indices
    (outermost first) followed by the spatial indices."""

    name: str
    temporal: tuple[tuple[str, int], ...]
    spatial: tuple[tuple[str, int], ...]
    matrix: tuple[tuple[int, ...], ...]
    offset: tuple[int, ...]
    expressions: tuple[str, ...]  # the map expressions as written, one per loop index
    # the dataflow's own loop bounds (spec order): a box inside the spec's loops, which size the
    # memories. A fused design runs each dataflow at its own constant bounds, so one dataflow
    # need not round a loop up to another's granularity; () = the spec's loops
    loops: tuple[tuple[str, int], ...] = ()
    # (tensor, spatial index): a stationary input fed down a chain of FUs along that index
    # during bubbles before each of its tiles (lego.frontend.reuse, lego.backend.design.Flow)
    preload: tuple[tuple[str, str], ...] = ()

    @property
    def temporal_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.temporal)

    @property
    def temporal_bounds(self) -> tuple[int, ...]:
        return tuple(bound for _, bound in self.temporal)

    @property
    def spatial_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.spatial)

    @property
    def spatial_bounds(self) -> tuple[int, ...]:
        return tuple(bound for _, bound in self.spatial)

    @property
    def array_shape(self) -> tuple[int, ...]:
        return self.spatial_bounds

    @property
    def num_fus(self) -> int:
        return math.prod(self.spatial_bounds)

    @property
    def num_steps(self) -> int:
        """Temporal iterations: the cycles of the loop nest if one step issues per cycle."""
        return math.prod(self.temporal_bounds)

    @cached_property
    def M(self) -> np.ndarray:  # noqa: N802 - the paper's name
        return _matrix(self.matrix, len(self.temporal) + len(self.spatial))

    @property
    def Mt(self) -> np.ndarray:  # noqa: N802
        return self.M[:, : len(self.temporal)]

    @property
    def Ms(self) -> np.ndarray:  # noqa: N802
        return self.M[:, len(self.temporal):]

    @cached_property
    def c(self) -> np.ndarray:
        return _vector(self.offset)


@dataclass(frozen=True)
class Spec:
    """A validated spec: the loop nest, its tensors and its dataflows."""

    name: str
    loops: tuple[tuple[str, int], ...]
    tensors: tuple[Tensor, ...]  # inputs in statement order, then the output
    dataflows: tuple[Dataflow, ...]
    statement: str
    source: str = "<spec>"  # the file it came from, for messages

    @property
    def loop_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.loops)

    @property
    def loop_bounds(self) -> tuple[int, ...]:
        return tuple(bound for _, bound in self.loops)

    @property
    def num_points(self) -> int:
        return math.prod(self.loop_bounds)

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        return tuple(t for t in self.tensors if t.role == "input")

    @property
    def output(self) -> Tensor:
        return next(t for t in self.tensors if t.role == "output")

    def tensor(self, name: str) -> Tensor:
        for tensor in self.tensors:
            if tensor.name == name:
                return tensor
        raise KeyError(name)

    def dataflow(self, name: str) -> Dataflow:
        for dataflow in self.dataflows:
            if dataflow.name == name:
                return dataflow
        raise KeyError(name)

    def flow_bounds(self, dataflow: Dataflow) -> tuple[int, ...]:
        """The loop bounds ``dataflow`` runs at: its own, else the spec's."""
        return tuple(b for _, b in dataflow.loops) if dataflow.loops else self.loop_bounds

    def to_dict(self) -> dict:
        """The expanded general form (what a preset turns into), ready for YAML."""
        return {
            "name": self.name,
            "loops": dict(self.loops),
            "statement": self.statement,
            "dtypes": {t.name: t.dtype.name for t in self.tensors},
            "dataflows": [self._flow_dict(d) for d in self.dataflows],
        }

    def _flow_dict(self, d: Dataflow) -> dict:
        out = {"name": d.name}
        if self.flow_bounds(d) != self.loop_bounds:  # only the loops it runs short of
            out["loops"] = {n: b for (n, b), top in zip(d.loops, self.loop_bounds, strict=True)
                            if b != top}
        out.update({"spatial": dict(d.spatial), "temporal": dict(d.temporal),
                    "map": dict(zip(self.loop_names, d.expressions, strict=True))})
        if d.preload:
            out["preload"] = dict(d.preload)
        return out
