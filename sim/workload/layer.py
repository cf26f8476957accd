"""A layer to run (:class:`sim.conv_gemm.Layer`): a GEMM or a Conv2D given by its sizes, viewed as a
GEMM (M, N, K), and the input footprint its windows read.

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

import numpy as np

from lego.errors import LegoError
from sim.conv_gemm import Layer

__all__ = ["Layer", "conv", "gemm", "ifmap_cols_read", "ifmap_elems",
           "parse_layer", "touched"]


def touched(first, stop, stride: int, window: int, size: int):
    """Input lines read by the output lines [first, stop) along one axis (stop > first).

    Works elementwise on numpy integer arrays. Windows [i*S, i*S + F) overlap when F >= S (the
    union is one interval) and leave gaps when F < S. Only the last window can run past the
    input (SCALE-Sim's ceil output size); it is clipped there, and may even start past it."""
    last_start = (stop - 1) * stride
    if window >= stride:
        return np.minimum(size, last_start + window) - first * stride
    return (stop - first - 1) * window + np.clip(size - last_start, 0, window)


def ifmap_cols_read(layer: Layer) -> int:
    """Input columns some window reads (all of them unless a stride skips some)."""
    return int(touched(0, layer.ofmap_w, layer.stride, layer.filter_w, layer.ifmap_w))


def ifmap_elems(layer: Layer) -> int:
    """Input elements some window reads."""
    rows = int(touched(0, layer.ofmap_h, layer.stride, layer.filter_h, layer.ifmap_h))
    return rows * ifmap_cols_read(layer) * layer.channels


def gemm(name: str, m: int, n: int, k: int) -> Layer:
    return Layer(name=name, ifmap_h=m, ifmap_w=1, filter_h=1, filter_w=1, channels=k,
                 filters=n, stride=1)


def conv(name: str, h: int, w: int, c: int, k: int, fh: int, fw: int, stride: int = 1) -> Layer:
    return Layer(name=name, ifmap_h=h, ifmap_w=w, filter_h=fh, filter_w=fw, channels=c,
                 filters=k, stride=stride)


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
