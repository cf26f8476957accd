"""Random specs for differential testing: every recipe is a valid spec that the golden model
evaluates, the strategy covers every template, split and fusion, and a seed gives the same
batch."""

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings

from lego import evaluate, parse_spec, random_inputs
from lego.fuzz.recipe import TEMPLATES, Flow, Recipe, Split, recipes, spec_dict
from lego.fuzz.run import draw, spec_name, spec_text


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(recipes())
def test_every_recipe_is_a_valid_spec_with_the_planned_array(recipe):
    spec = parse_spec(spec_dict(recipe))
    assert all(flow.array_shape == recipe.array_shape for flow in spec.dataflows)
    assert 1 <= len(recipe.array_shape) <= 2 and np.prod(recipe.array_shape) <= 16
    assert spec.num_points <= 1536
    result = evaluate(spec, random_inputs(spec, 0))
    assert result.shape == spec.output.shape


def test_a_batch_covers_templates_splits_dtypes_and_fusion():
    batch = draw(120, seed=3)
    assert len(batch) == 120 and len(set(batch)) == 120
    assert set(Counter(r.template for r in batch)) == set(TEMPLATES)
    splits = [s for r in batch for f in r.flows for s in f.splits]
    assert {s.blocked for s in splits} == {True, False}
    assert {len(r.array_shape) for r in batch} == {1, 2}
    assert any(len(r.flows) == 2 for r in batch)
    dtypes = {d for r in batch for d in r.dtypes}
    assert {"uint1", "int64", "uint64"} <= dtypes
    convs = [r for r in batch if r.template.startswith("conv")]
    assert {r.stride for r in convs} == {1, 2} and {r.dilation for r in convs} == {1, 2}


def test_the_same_seed_gives_the_same_specs():
    first, again, other = draw(8, 5), draw(8, 5), draw(8, 6)
    assert [spec_text(r) for r in first] == [spec_text(r) for r in again]
    assert first != other


def test_both_splits_and_the_strided_convolution_read_as_written():
    recipe = Recipe("conv1d", (2, 1, 4, 3), ("int8", "int8", "int32"), 2, 2,
                    (Flow((Split("x", 2, True),), ("k", "c", "x", "r")),
                     Flow((Split("x", 2, False),), ("r", "x", "k", "c"))))
    spec = spec_dict(recipe, spec_name(recipe))
    assert spec["statement"] == "O[k, x] += I[c, 2*x + 2*r] * W[k, c, r]"
    assert spec["dataflows"][0]["map"]["x"] == "2*tx + p"
    assert spec["dataflows"][1]["map"]["x"] == "tx + 2*p"
    assert list(spec["dataflows"][1]["temporal"]) == ["tr", "tx", "tk", "tc"]
    assert spec["dataflows"][1]["temporal"]["tx"] == 2
    parse_spec(spec)
