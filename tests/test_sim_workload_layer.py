"""Layer descriptions: GEMM/conv views, input footprint, --layer parsing and its errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from lego.errors import LegoError
from sim.scalesim import read_topology
from sim.workload.layer import Layer, conv, gemm, ifmap_elems, parse_layer, touched

TOPOLOGIES = Path(__file__).resolve().parent / "data" / "scalesim" / "topologies"


def test_gemm_is_a_one_by_one_conv():
    layer = gemm("g", 64, 32, 16)
    assert (layer.m, layer.n, layer.k, layer.macs) == (64, 32, 16, 64 * 32 * 16)
    assert (ifmap_elems(layer), layer.filter_elems, layer.ofmap_elems) == \
        (64 * 16, 16 * 32, 64 * 32)


def test_conv_uses_scalesim_output_size():
    layer = conv("c", 224, 224, 3, 64, 7, 7, 2)
    assert (layer.ofmap_h, layer.ofmap_w) == (110, 110)  # ceil((224 - 7 + 2) / 2)
    assert (layer.m, layer.n, layer.k) == (110 * 110, 64, 7 * 7 * 3)


@pytest.mark.parametrize("size,window,stride", [(10, 3, 1), (10, 2, 3), (9, 3, 2), (4, 1, 5),
                                                (7, 7, 1), (11, 2, 2)])
def test_touched_counts_the_union_of_windows(size, window, stride):
    out = -(-(size - window + stride) // stride)
    for first in range(out):
        for stop in range(first + 1, out + 1):
            rows = set()
            for i in range(first, stop):
                rows |= set(range(i * stride, min(size, i * stride + window)))
            assert touched(first, stop, stride, window, size) == len(rows)
    vectorised = touched(np.arange(out), np.arange(1, out + 1), stride, window, size)
    assert vectorised.tolist() == [int(touched(i, i + 1, stride, window, size))
                                   for i in range(out)]


def test_strides_past_the_window_skip_input():
    assert ifmap_elems(conv("c", 8, 8, 2, 1, 1, 1, 2)) == 4 * 4 * 2


def test_scalesim_topologies_give_the_same_layers():
    # one Layer class for both models: a topology row is a workload layer as it is
    conv_layers = read_topology(TOPOLOGIES / "conv_mixed.csv")
    gemm_layers = read_topology(TOPOLOGIES / "gemm_mixed.csv", gemm=True)
    assert conv_layers and gemm_layers
    for layer in conv_layers:
        assert type(layer) is Layer
    for layer in gemm_layers:
        assert ifmap_elems(layer) == layer.m * layer.k  # SCALE-Sim's M x K ifmap


def test_layer_fields_are_keywords_and_checked():
    with pytest.raises(TypeError):
        Layer("c", 5, 5, 1, 1, 1, 1, 1)
    with pytest.raises(LegoError, match=re.escape("layer c: stride must be a positive integer, "
                                                  "got 0")):
        conv("c", 5, 5, 1, 1, 1, 1, 0)
    with pytest.raises(LegoError, match=re.escape("layer c: channels must be a positive "
                                                  "integer, got True")):
        conv("c", 5, 5, True, 1, 1, 1)


def test_parse_layer_forms():
    assert parse_layer("gemm:M=64,N=32,K=16") == gemm("gemm_64x32x16", 64, 32, 16)
    layer = parse_layer("conv:H=56,W=56,C=64,K=128,Fh=3,Fw=3,S=2")
    assert layer == Layer(name=layer.name, ifmap_h=56, ifmap_w=56, filter_h=3, filter_w=3,
                          channels=64, filters=128, stride=2)
    assert parse_layer("CONV: H=5, W=6, C=1, K=2, Fh=1, Fw=2").stride == 1


@pytest.mark.parametrize("text,message", [
    ("gemm:M=0,N=1,K=1", "--layer 'gemm:M=0,N=1,K=1': field M must be a positive integer, got '0'"),
    ("gemm:M=4,N=-2,K=1", "field N must be a positive integer, got '-2'"),
    ("gemm:M=4,N=x,K=1", "field N must be a positive integer, got 'x'"),
    ("gemm:M=4,N=4", "--layer 'gemm:M=4,N=4': missing field K"),
    ("gemm:M=4,N=4,K=4,K=5", "field K given twice"),
    ("gemm:M=4,N=4,Q=4", "expected gemm fields M, N, K as NAME=VALUE, got 'Q=4'"),
    ("fc:M=4", "--layer 'fc:M=4': expected gemm:M=..,N=..,K=.. or conv:"),
    ("gemm", "expected gemm:M=..,N=..,K=.. or conv:"),
    ("conv:H=2,W=2,C=1,K=1,Fh=3,Fw=1", "filter_h 3 is larger than ifmap_h 2"),
])
def test_parse_layer_errors_are_one_line(text, message):
    with pytest.raises(LegoError, match=re.escape(message)) as info:
        parse_layer(text)
    assert "\n" not in str(info.value)


def test_layer_fields_are_checked():
    with pytest.raises(LegoError, match=r"layer x: stride must be a positive integer, got 0"):
        conv("x", 4, 4, 1, 1, 1, 1, 0)
