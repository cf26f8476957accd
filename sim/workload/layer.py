"""A layer to run: a GEMM or a Conv2D given by its sizes, viewed as a GEMM (M, N, K).

A conv layer reads an H x W x C input with K filters of Fh x Fw x C at one stride S. Its output
size follows SCALE-Sim's convention (no padding): Ho = ceil((H - Fh + S) / S), and likewise Wo,
so that this model and the SCALE-Sim compatible one agree on M, N and K:

    M = Ho * Wo (output pixels)    N = K filters    K = Fh * Fw * C (one window)

A GEMM (M, N, K) is the conv with H = M, W = 1, C = K, one filter per output column, a 1 x 1
window and stride 1: its im2col matrix is the M x K input itself. One description serves both,
so the tiling and traffic model has no GEMM/conv case split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from lego.errors import LegoError
from sim.conv_gemm import ConvAsGemm

__all__ = ["Layer", "gemm", "conv", "parse_layer", "from_scalesim", "touched"]



def touched(first, stop, stride: int, window: int, size: int):
    """Input lines read by the output lines [first, stop) along one axis (stop > first).

    Works elementwise on numpy integer arrays. Windows [i*S, i*S + F) overlap when F >= S (the
    union is one interval) and leave gaps when F < S. Only the last window can run past the
    input (SCALE-Sim's ceil output size); it is clipped there, and may even start past it."""
    last_start = (stop - 1) * stride
    if window >= stride:
        return np.minimum(size, last_start + window) - first * stride
    return (stop - first - 1) * window + np.clip(size - last_start, 0, window)


@dataclass(frozen=True)
class Layer(ConvAsGemm):
    """A conv layer (a GEMM is a 1 x 1 conv over an M x 1 image with K channels)."""

    name: str
    ifmap_h: int
    ifmap_w: int
    channels: int
    filters: int
    filter_h: int
    filter_w: int
    stride: int

    def __post_init__(self):
        for field in ("ifmap_h", "ifmap_w", "channels", "filters", "filter_h", "filter_w",
                      "stride"):
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise LegoError(f"layer {self.name}: {field} must be a positive integer, "
                                f"got {value!r}")
        for axis, window, size in (("h", self.filter_h, self.ifmap_h),
                                   ("w", self.filter_w, self.ifmap_w)):
            if window > size:
                raise LegoError(f"layer {self.name}: filter_{axis} {window} is larger than "
                                f"ifmap_{axis} {size}")

    @property
    def macs(self) -> int:
        return self.m * self.n * self.k

    @property
    def ifmap_rows_read(self) -> int:
        return int(touched(0, self.ofmap_h, self.stride, self.filter_h, self.ifmap_h))

    @property
    def ifmap_cols_read(self) -> int:
        return int(touched(0, self.ofmap_w, self.stride, self.filter_w, self.ifmap_w))

    @property
    def ifmap_elems(self) -> int:
        """Input elements some window reads (all of them unless a stride skips some)."""
        return self.ifmap_rows_read * self.ifmap_cols_read * self.channels

    @property
    def filter_elems(self) -> int:
        return self.k * self.n

    @property
    def ofmap_elems(self) -> int:
        return self.m * self.n


def gemm(name: str, m: int, n: int, k: int) -> Layer:
    return Layer(name, m, 1, k, n, 1, 1, 1)


def conv(name: str, h: int, w: int, c: int, k: int, fh: int, fw: int, stride: int = 1) -> Layer:
    return Layer(name, h, w, c, k, fh, fw, stride)


def from_scalesim(layer) -> Layer:
    """A layer of :func:`sim.scalesim.read_topology` (same M, N, K and input footprint)."""
    return Layer(layer.name, layer.ifmap_h, layer.ifmap_w, layer.channels, layer.filters,
                 layer.filter_h, layer.filter_w, layer.stride)


_FORMS = {"gemm": (("M", "N", "K"), ()), "conv": (("H", "W", "C", "K", "Fh", "Fw"), ("S",))}


def _parse_fields(text: str, body: str, kind: str) -> dict[str, int]:
    required, optional = _FORMS[kind]
    values: dict[str, int] = {}
    for item in body.split(","):
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in required + optional:
            raise LegoError(f"--layer {text!r}: expected {kind} fields "
                            f"{', '.join(required + optional)} as NAME=VALUE, got {item.strip()!r}")
        if key in values:
            raise LegoError(f"--layer {text!r}: field {key} given twice")
        if not re.fullmatch(r"[+-]?\d+", value) or int(value) <= 0:
            raise LegoError(f"--layer {text!r}: field {key} must be a positive integer, "
                            f"got {value!r}")
        values[key] = int(value)
    missing = [key for key in required if key not in values]
    if missing:
        raise LegoError(f"--layer {text!r}: missing field {', '.join(missing)}")
    return values


def parse_layer(text: str) -> Layer:
    """``gemm:M=64,N=64,K=64`` or ``conv:H=56,W=56,C=64,K=64,Fh=3,Fw=3[,S=1]``."""
    kind, sep, body = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in _FORMS:
        raise LegoError(f"--layer {text!r}: expected gemm:M=..,N=..,K=.. or "
                        f"conv:H=..,W=..,C=..,K=..,Fh=..,Fw=..[,S=..]")
    v = _parse_fields(text, body, kind)
    if kind == "gemm":
        return gemm(f"gemm_{v['M']}x{v['N']}x{v['K']}", v["M"], v["N"], v["K"])
    return conv(f"conv_{v['H']}x{v['W']}x{v['C']}_k{v['K']}_{v['Fh']}x{v['Fw']}s{v.get('S', 1)}",
                v["H"], v["W"], v["C"], v["K"], v["Fh"], v["Fw"], v.get("S", 1))
