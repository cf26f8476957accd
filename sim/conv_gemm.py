"""The GEMM view of a convolution layer, as SCALE-Sim takes it: M = output pixels, N = filters,
K = Fh * Fw * C, with SCALE-Sim's output size ceil((H - F + S) / S) (no padding).
Shared by the SCALE-Sim compatible model and the workload model."""

from __future__ import annotations

__all__ = ["ConvAsGemm", "ceil_div"]


def ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class ConvAsGemm:
    """Mixin for a layer dataclass with the int fields ifmap_h, ifmap_w, filter_h, filter_w,
    channels, filters and stride."""

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
