"""Accelerator parameters and the parsing of --array, --sram, --dram-bw."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from lego.errors import LegoError
from sim.workload.arch import Accelerator, parse_array, parse_bandwidth, parse_sram


def test_parsers():
    assert parse_array("16x8") == (16, 8)
    assert parse_sram("A=100, c=300") == (100, 65536, 300)
    assert parse_bandwidth("12.5") == Fraction(25, 2)
    assert parse_bandwidth("inf") is None


@pytest.mark.parametrize("call,message", [
    (lambda: parse_array("16"), "--array must be ROWSxCOLS with positive integers, got '16'"),
    (lambda: parse_array("0x4"), "--array must be ROWSxCOLS with positive integers, got '0x4'"),
    (lambda: parse_sram("D=5"), "--sram expects A=BYTES,B=BYTES,C=BYTES, got 'D=5'"),
    (lambda: parse_sram("A=-5"), "--sram A must be a positive number of bytes, got '-5'"),
    (lambda: parse_bandwidth("0"), "--dram-bw must be a positive number of bytes per cycle or "
                                   "'inf', got '0'"),
    (lambda: parse_bandwidth("fast"), "got 'fast'"),
    (lambda: Accelerator(4, 4, "rs"), "dataflow must be one of os, ws, is, got 'rs'"),
    (lambda: Accelerator(4, 0, "os"), "array cols must be a positive integer, got 0"),
    (lambda: Accelerator(4, 4, "os", sram_bytes=(1, 0, 1)),
     "sram B (filter) bytes must be a positive integer, got 0"),
    (lambda: Accelerator(4, 4, "os", dram_bw=Fraction(0)),
     "dram-bw must be a positive number of bytes per cycle, got Fraction(0, 1)"),
])
def test_bad_parameters_name_field_and_value(call, message):
    with pytest.raises(LegoError, match=re.escape(message)):
        call()


def test_double_buffering_halves_the_tile_capacity():
    acc = Accelerator(4, 4, "os", sram_bytes=(101, 200, 300))
    assert acc.tile_capacity("A") == 50
    assert Accelerator(4, 4, "os", sram_bytes=(101, 200, 300),
                       double_buffer=False).tile_capacity("A") == 101
