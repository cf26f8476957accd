"""Cycle models of top-k: the engine's count (RTL equality is in tests/rtl) and the reference."""

from __future__ import annotations

import random
import statistics

from lego.spatten.topk_model import plan
from sim.topk import plan_cycles, reference_cycles, topk_cycles


def test_one_round_count_by_hand():
    # n = 8, P = 4: 2 load beats; k = 8 takes bucket 0.. whole in round 0 (final):
    # decide 1 + read latency 1 + 2 rows + output 1
    scores = [1, 2, 3, 4, 5, 6, 7, 8]
    p = plan(scores, 8, 4, 8)
    assert len(p.rounds) == 1 and p.rounds[0].rows == 2
    assert topk_cycles(scores, 8, 4, 8) == 2 + 1 + 1 + 2 + 1


def test_rounds_add_decide_read_and_rows():
    scores = [3] * 7 + [-3] * 9
    p = plan(scores, 5, 4, 8)  # all 3s share every digit: one round per level, ties at the end
    assert [r.final for r in p.rounds] == [False, True]
    assert plan_cycles(p) == 4 + sum(2 + r.rows for r in p.rounds) + 1
    assert p.rounds[-1].rows == 2  # stops at the row holding the 5th selected element


def test_reference_model_mean_is_about_3_4_n_over_p():
    rng = random.Random(11)
    means = [statistics.fmean(reference_cycles(1024, k, 16, rng) for _ in range(2000))
             for k in (32, 204, 512)]
    assert 0.8 * 3.4 * 64 < statistics.fmean(means) < 1.2 * 3.4 * 64


def test_engine_meets_the_bar_on_random_data():
    rng = random.Random(5)
    for k in (32, 204, 512):
        ours = [topk_cycles([rng.randint(-32768, 32767) for _ in range(1024)], k, 16)
                for _ in range(40)]
        reference = [reference_cycles(1024, k, 16, rng) for _ in range(400)]
        assert statistics.fmean(ours) <= 0.6 * statistics.fmean(reference)
        assert min(ours) >= 1024 // 16
