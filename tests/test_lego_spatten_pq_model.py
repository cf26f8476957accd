"""The bit-exact Python model: arithmetic facts independent of the RTL."""

import numpy as np

from lego.spatten.pq_model import exp_fixed, run_pq, softmax_fixed
from lego.spatten.pq_params import PqParams

P = PqParams(head_dim=16, lanes=4, msb_bits=4, lsb_bits=3, query_bits=8, max_len=64,
             threshold=0.1, logit_scale=2e-4, prob_bits=12, exp_lut_bits=6)


def _request(seed, length, qmag):
    rng = np.random.default_rng(seed)
    return (rng.integers(-qmag, qmag, 16), rng.integers(-8, 8, (length, 16)),
            rng.integers(0, 8, (length, 16)))


def test_exp_is_one_at_the_max_and_close_to_two_to_the_minus_x():
    scores = np.arange(0, -200000, -997, dtype=np.int64)
    e = exp_fixed(P, scores) / 2 ** P.prob_bits
    exact = np.exp((scores - scores.max()) * P.logit)
    assert e[0] == 1.0
    rel = 2 ** (2 ** -P.exp_lut_bits) - 1  # floor of the exponent to K fraction bits
    assert np.all(e <= exact * (1 + rel) * (1 + 1e-4) + 2 ** -(P.prob_bits + 1))
    assert np.all(e >= exact * (1 - 1e-4) - 2 ** -P.prob_bits)


def test_probabilities_sum_to_one_within_rounding():
    for seed in range(20):
        query, msb, _ = _request(seed, 40, 64)
        scores = (msb @ query) << P.lsb_bits
        probs, p_max = softmax_fixed(P, scores)
        assert probs.max() == p_max
        assert 0 <= (1 << P.prob_bits) - probs.sum() <= 2 * len(scores)


def test_refetch_follows_the_msb_p_max_and_gives_full_precision_scores():
    decisions = set()
    for seed in range(30):
        query, msb, lsb = _request(seed, 32, 1 << (seed % 7 + 1))
        r = run_pq(P, query, msb, lsb)
        decisions.add(r.refetched)
        assert r.refetched == (r.msb_p_max < P.threshold_fixed)
        full = (msb * 8 + lsb) @ query
        expected = full if r.refetched else (msb @ query) * 8
        assert r.scores == tuple(int(v) for v in expected)
        assert r.bytes_fetched == 32 * 16 * 4 // 8 + (32 * 16 * 3 // 8 if r.refetched else 0)
        if not r.refetched:
            assert r.p_max == r.msb_p_max
    assert decisions == {True, False}
