"""Shrinking a failing random spec (with stand-in checkers, no Verilator)."""

from lego.fuzz.recipe import Flow, Recipe, Split
from lego.fuzz.shrink import shrink, smaller

BIG = Recipe("gemm", (8, 4, 6), ("uint3", "int64", "int16"), 1, 1,
             (Flow((Split("i", 4, False), Split("j", 2, True)), ("k", "i", "j")),
              Flow((Split("k", 2, False), Split("i", 4, True)), ("j", "i", "k"))))


def test_a_failure_that_needs_one_bound_shrinks_to_the_smallest_spec_with_it():
    calls = []

    def fails(recipe):  # stands in for "this spec fails on Verilator"
        calls.append(recipe)
        return recipe.bounds[2] >= 3

    small = shrink(BIG, fails, budget=200)
    assert len(small.flows) == 1 and len(small.array_shape) == 1
    assert small.bounds[2] == 3 and small.bounds[:2] in ((2, 1), (1, 2))
    assert small.dtypes == ("int8", "int8", "int32")
    assert fails(small) and len(calls) <= 200


def test_the_budget_bounds_the_runs():
    calls = []
    shrink(BIG, lambda r: calls.append(r) or True, budget=5)
    assert len(calls) == 5


def test_nothing_smaller_fails_keeps_the_spec():
    assert shrink(BIG, lambda r: False, budget=50) == BIG


def test_variants_are_smaller_in_one_respect():
    variants = list(smaller(BIG))
    assert variants[0].flows == BIG.flows[:1]
    assert all(v != BIG for v in variants)
