"""Partial-sum widths: the bound on the products a partial sum holds, and the bits that holds."""

import itertools
import math
from dataclasses import replace
from pathlib import Path

import pytest

from lego.backend.lower import lower
from lego.backend.partial_sums import (
    partial_sum_bits,
    product_range,
    products_per_partial_sum,
    signed_bits,
)
from lego.backend.semantics import Sum
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _adg(name):
    return run_passes(load_spec(SPECS / name)).adg


@pytest.mark.parametrize("operands", [((3, True), (3, True)), ((3, False), (2, True)),
                                      ((2, False), (3, False)), ((2, True), (2, True), (2, False))])
@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_sums_of_n_products_fit_the_bits_and_one_bit_fewer_does_not(operands, n):
    values = [range(-(1 << (b - 1)), 1 << (b - 1)) if s else range(1 << b) for b, s in operands]
    products = {math.prod(p) for p in itertools.product(*values)}
    lo, hi = product_range(operands)
    assert (lo, hi) == (min(products), max(products))
    bits = signed_bits(n * lo, n * hi)
    assert -(1 << (bits - 1)) <= n * lo and n * hi < 1 << (bits - 1)
    assert not (-(1 << (bits - 2)) <= n * lo and n * hi < 1 << (bits - 2))


@pytest.mark.parametrize("name, products, bits", [
    ("gemm_os_4x4.yaml", 8, 19),  # 8 steps of k accumulate in one FU
    ("gemm_ws_4x4.yaml", 4, 18),  # 4 FUs down a column, the rest in memory (read-modify-write)
    ("gemm_os_ws_fused_4x4.yaml", 8, 19),  # the larger of the two dataflows
])
def test_the_gemm_examples_partial_sums(name, products, bits):
    adg = _adg(name)
    assert products_per_partial_sum(adg, "C") == products
    assert partial_sum_bits(adg) == bits


def test_an_fus_adders_are_narrow_and_a_read_modify_write_keeps_the_whole_word():
    graph = lower(_adg("gemm_ws_4x4.yaml")).graph
    adders = {p.name: p.params for p in graph.primitives() if p.kind == "add"}
    assert {params for name, params in adders.items() if name.startswith("rmw.")} == {Sum()}
    assert {params for name, params in adders.items()
            if not name.startswith("rmw.")} == {Sum(18)}


def test_a_sum_that_needs_the_whole_word_is_not_narrowed():
    adg = _adg("gemm_os_4x4.yaml")  # 8 int8 products need 19 bits
    assert partial_sum_bits(replace(adg, tensors=adg.tensors[:2] + (
        replace(adg.tensors[2], bits=19),))) == 0
