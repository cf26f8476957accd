"""SCALE-Sim topology reading: conv and GEMM forms, its quirks, and pinned error messages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lego.errors import LegoError
from sim.scalesim import Layer, read_topology

DATA = Path(__file__).parent / "data" / "scalesim" / "topologies"
CONV_HEADER = ("Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, "
               "Num Filter, Strides,\n")


def test_conv_rows_become_gemms():
    (layer,) = read_topology(DATA / "conv_test.csv")
    assert layer == Layer(name="Inc5b_3x3", ifmap_h=7, ifmap_w=7, filter_h=3, filter_w=3,
                          channels=192, filters=384, stride=1)
    assert (layer.m, layer.n, layer.k) == (25, 384, 1728)


def test_gemm_rows_keep_m_n_k_even_without_final_newline():
    (layer,) = read_topology(DATA / "gemm_test_mnk.csv", gemm=True)
    assert (layer.name, layer.m, layer.n, layer.k) == ("Test 1", 256, 128, 256)


def test_depthwise_rows_expand_per_channel_and_blank_lines_are_skipped():
    names = [layer.name for layer in read_topology(DATA / "conv_mixed.csv")]
    assert names == ["Conv_s2", "PW", "DP_3x3Channel_0", "DP_3x3Channel_1", "DP_3x3Channel_2",
                     "Rect", "One"]


def test_text_after_the_last_comma_is_ignored(tmp_path):
    # SCALE-Sim's newer sample files add a column after a doubled comma (", Target").
    path = tmp_path / "t.csv"
    path.write_text(CONV_HEADER + "Conv1,224,224,7,7,3,64,2, NPU\n")
    (layer,) = read_topology(path)
    assert (layer.stride, layer.ofmap_h) == (2, 110)


def _bad(tmp_path, text, gemm=False):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(LegoError) as caught:
        read_topology(path, gemm=gemm)
    assert "\n" not in str(caught.value)
    return str(caught.value)


@pytest.mark.parametrize("row, message", [
    ("C, 7, 7, 3, 3, 8, 16, 1\n",  # no trailing comma: SCALE-Sim drops the stride
     r"bad.csv:2: a conv row needs 8 comma-terminated fields \(Layer name, IFMAP Height, IFMAP "
     r"Width, Filter Height, Filter Width, Channels, Num Filter, Strides\), got 7 \(a GEMM "
     r"topology needs --scalesim-input-type gemm\)$"),
    ("C, 7, 7, 3, x3, 8, 16, 1,\n",
     r"bad.csv:2: Filter Width: expected a positive integer, got 'x3'$"),
    ("C, 7, 7, 3, 3, 0, 16, 1,\n", r"bad.csv:2: Channels: expected a positive integer, got '0'$"),
    ("C, 7, 7, 3, 3, 8, 16, -1,\n", r"bad.csv:2: Strides: expected a positive integer, got '-1'$"),
    ("C, 7, 2, 3, 3, 8, 16, 1,\n", r"bad.csv:2: Filter Width: 3 is larger than IFMAP Width 2$"),
    ("C, 7, 7, 3, 3, 8, 16, 1, half,\n",
     r"bad.csv:2: Sparsity: expected a sparsity ratio N:M, got 'half'$"),
])
def test_bad_conv_row(tmp_path, row, message):
    # A good row first, so the line number must point past it.
    text = _bad(tmp_path, CONV_HEADER + "Ok, 5, 5, 1, 1, 1, 1, 1,\n" + row)
    assert re.search(message.replace("bad.csv:2", "bad.csv:3"), text), text


@pytest.mark.parametrize("row, message", [
    ("G, 4, 5,\n", r"bad.csv:2: a GEMM row needs 4 comma-terminated fields \(Layer name, M, N, "
                   r"K\), got 3$"),
    ("G, 4, 5, 6.5,\n", r"bad.csv:2: K: expected a positive integer, got '6.5'$"),
])
def test_bad_gemm_row(tmp_path, row, message):
    text = _bad(tmp_path, "Layer Name, M, N, K,\n" + row, gemm=True)
    assert re.search(message, text), text


def test_empty_topology(tmp_path):
    assert re.search(r"bad.csv: no layers \(the first line is the header\)$",
                     _bad(tmp_path, CONV_HEADER + "\n\n"))


def test_missing_topology_file(tmp_path):
    with pytest.raises(LegoError, match=r"none.csv: SCALE-Sim topology file not found$"):
        read_topology(tmp_path / "none.csv")
