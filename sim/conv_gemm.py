"""A layer as both models see it: a convolution viewed as a GEMM (M = output pixels, N = filters,
K = Fh * Fw * C), with SCALE-Sim's output size ceil((H - F + S) / S) (no padding).

The one :class:`Layer` of the SCALE-Sim compatible model (:mod:`sim.scalesim`) and the workload
model (:mod:`sim.workload`). A GEMM is a conv whose im2col matrix is its M x K input; the two
readers build it differently (``sim.workload.layer.gemm`` and SCALE-Sim's GEMM topology rows),
and each keeps its own view because the workload model tiles along the conv's loops.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from lego.errors import LegoError

__all__ = ["Layer", "ceil_div"]


def ceil_div(a, b):
    """ceil(a / b) for ints, or elementwise for numpy integer arrays."""
    return -(-a // b)


@dataclass(frozen=True, kw_only=True)
class Layer:
    """A conv layer: an ``ifmap_h`` x ``ifmap_w`` x ``channels`` input, ``filters`` windows of
    ``filter_h`` x ``filter_w`` x ``channels`` at one ``stride`` along both axes. Fields are
    keyword-only: two readers built it positionally in different orders before."""

    name: str
    ifmap_h: int
    ifmap_w: int
    filter_h: int
    filter_w: int
    channels: int
    filters: int
    stride: int

    def __post_init__(self):
        for field in fields(self)[1:]:
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise LegoError(f"layer {self.name}: {field.name} must be a positive integer, "
                                f"got {value!r}")
        for axis, window, size in (("h", self.filter_h, self.ifmap_h),
                                   ("w", self.filter_w, self.ifmap_w)):
            if window > size:
                raise LegoError(f"layer {self.name}: filter_{axis} {window} is larger than "
                                f"ifmap_{axis} {size}")

    @property
    def ofmap_h(self) -> int:
        return ceil_div(self.ifmap_h - self.filter_h + self.stride, self.stride)

    @property
    def ofmap_w(self) -> int:
        return ceil_div(self.ifmap_w - self.filter_w + self.stride, self.stride)

    @property
    def m(self) -> int:
        """GEMM rows: output pixels per filter."""
        return self.ofmap_h * self.ofmap_w

    @property
    def n(self) -> int:
        """GEMM columns: filters."""
        return self.filters

    @property
    def k(self) -> int:
        """GEMM reduction: the convolution window."""
        return self.filter_h * self.filter_w * self.channels

    @property
    def macs(self) -> int:
        return self.m * self.n * self.k

    @property
    def filter_elems(self) -> int:
        return self.k * self.n

    @property
    def ofmap_elems(self) -> int:
        return self.m * self.n
