"""Fixed-point vs float64 re-fetch decisions: the report, and the bound it must stay under.

The bound (lego.spatten.pq_decisions): the engine's p_max provably lies in [lo, hi]; a decision
can only differ from float64 when that interval (or p_float) reaches the threshold, so the
mismatch rate is at most the at-risk rate, case by case. A coarse exp approximation is included so
that mismatches actually occur and the bound is exercised, not only the zero case."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lego.spatten.pq_decisions import compare, p_max_bounds, score_families
from lego.spatten.pq_model import softmax_fixed
from lego.spatten.pq_params import PqParams

CONFIGS = {"default": PqParams(), "coarse": PqParams(exp_lut_bits=3, prob_bits=10)}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_decision_mismatch_rate_is_under_the_error_bound(name, capsys):
    params = CONFIGS[name]
    for family, sets in score_families(params, seed=5, count=400).items():
        stats = compare(params, sets)
        with capsys.disabled():
            print(f"\npq decisions {name}/{family}: {stats.cases} cases, float64 re-fetch "
                  f"{stats.refetch_float}, fixed re-fetch {stats.refetch_fixed}, mismatches "
                  f"{stats.mismatches}, bound (at risk) {stats.at_risk}, max |dp| "
                  f"{stats.max_abs_error:.5f}")
        assert stats.outside_bounds == 0, family
        assert stats.mismatches_not_at_risk == 0, family
        assert stats.mismatches <= stats.at_risk, family
        assert 0 < stats.refetch_float < stats.cases, family  # both decisions are represented


def test_coarse_approximation_really_mismatches_somewhere():
    params = CONFIGS["coarse"]
    total = sum(compare(params, sets).mismatches
                for sets in score_families(params, seed=5, count=400).values())
    assert total > 0


def test_bounds_contain_the_fixed_point_p_max_for_extreme_vectors():
    import numpy as np

    params = CONFIGS["coarse"]
    for scores in [np.zeros(1024, dtype=np.int64), np.array([0], dtype=np.int64),
                   np.array([0] + [-(1 << 30)] * 100, dtype=np.int64)]:
        lo, hi = p_max_bounds(params, scores)
        r = softmax_fixed(params, scores)[1] / 2 ** params.prob_bits
        assert lo <= r <= hi


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(CONFIGS)),
       st.lists(st.integers(-(1 << 24), 1 << 24), min_size=1, max_size=64),
       st.integers(0, 12))
def test_bounds_contain_the_fixed_point_p_max_for_any_scores(name, values, spread):
    import numpy as np

    params = CONFIGS[name]
    scores = np.array(values, dtype=np.int64) >> spread  # vary the logit spread
    lo, hi = p_max_bounds(params, scores)
    r = softmax_fixed(params, scores)[1] / 2 ** params.prob_bits
    assert lo <= r <= hi
