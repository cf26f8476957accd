"""The top-k functional model: selection, ties, order and beats on hand-checked and random data."""

from __future__ import annotations

import random

import pytest

from lego.spatten.topk_model import digit, levels, plan, selected, threshold


def _flat(p) -> list[int]:
    return [x for beat in p.output for x in beat]


def test_digits_follow_the_signed_order():
    assert levels(16) == 4 and levels(5) == 2
    assert digit(-32768, 0, 16) == 0 and digit(32767, 0, 16) == 15
    assert digit(-1, 0, 16) == 7 and digit(0, 0, 16) == 8
    # 5-bit scores: key padded with 3 zero bits at the bottom
    assert [digit(15, lv, 5) for lv in range(2)] == [15, 8]


def test_threshold_finds_the_bucket_of_the_kth_largest():
    hist = [0] * 16
    hist[3], hist[9], hist[12] = 5, 4, 2
    assert threshold(hist, 1) == (12, 0, 2)
    assert threshold(hist, 3) == (9, 2, 4)
    assert threshold(hist, 7) == (3, 6, 5)
    assert threshold(hist, 12)[0] == 0  # fewer counted than asked: the lowest bucket


def test_ties_go_to_the_earliest_arrival_and_output_is_round_then_arrival_order():
    # 4 and 7 differ only in the last digit: one final round, arrival order, first 4 wins
    assert _flat(plan([4, 7, 4, 7, 4, 1], 3, 2, 8)) == [0, 1, 3]
    # 100 is decided in round 0, the tied 4s in round 1: rounds first, then arrival
    p = plan([4, 100, 4, 100, 4, 1], 3, 2, 8)
    assert _flat(p) == [1, 3, 0]
    assert all(len(beat) <= 2 for beat in p.output)


@pytest.mark.parametrize("scores,k", [
    ([9], 1), ([5] * 13, 1), ([5] * 13, 13), ([5] * 13, 6), (list(range(37)), 1),
    (list(range(37)), 37), (list(range(37, 0, -1)), 10), ([-128, 127] * 9, 9),
    ([-128, 127, 0] * 7, 8)])
def test_corner_cases_select_exactly_the_k_largest(scores, k):
    p = plan(scores, k, 4, 8)
    assert sorted(_flat(p)) == selected(scores, k)
    assert p.load_beats == -(-len(scores) // 4)


def test_random_inputs_select_exactly_the_k_largest():
    rng = random.Random(7)
    for _ in range(400):
        width = rng.choice([2, 5, 8, 16])
        parallelism = rng.choice([2, 4, 16])
        n = rng.randint(1, 90)
        low, high = sorted(rng.randint(-(1 << (width - 1)), (1 << (width - 1)) - 1)
                           for _ in range(2))
        scores = [rng.randint(low, high) for _ in range(n)]
        k = rng.randint(1, n)
        p = plan(scores, k, parallelism, width)
        assert sorted(_flat(p)) == selected(scores, k)
        assert len(_flat(p)) == k and p.rounds[-1].final


def test_load_pass_keeps_everything_that_can_be_selected():
    rng = random.Random(3)
    scores = [rng.randint(-32768, 32767) for _ in range(1024)]
    p = plan(scores, 32, 16, 16)
    assert 32 <= p.stored < 1024 // 2  # the streaming filter drops most of the input
