"""The top-k engine's exact cycle count (sim.topk.topk_cycles) computed with numpy for many
requests of the same size at once (a layer's heads): the same decisions as
lego.spatten.topk_model.plan, per level over whole arrays instead of per element. Only the count
is derived (no output beats); tests/test_sim_spatten_topk_cycles.py checks it equals topk_cycles
on random and tied inputs.

The candidate buffer is a mask over the input positions: the engine keeps candidates in arrival
order, so "the j-th buffer entry" is the j-th set position of the mask.
"""

from __future__ import annotations

import numpy as np

from lego.spatten.topk_model import BUCKETS, DIGIT_BITS, levels
from sim.topk import DECIDE_CYCLES, OUTPUT_LATENCY, READ_LATENCY

__all__ = ["batch_topk_cycles", "fast_topk_cycles"]


def _digits(scores: np.ndarray, score_width: int) -> np.ndarray:
    """digits[level, request, position] of the order-preserving keys (as topk_model.digit)."""
    count = levels(score_width)
    keys = (scores.astype(np.int64) + (1 << (score_width - 1))) << (count * DIGIT_BITS
                                                                    - score_width)
    shifts = np.arange(count - 1, -1, -1, dtype=np.int64)[:, None, None] * DIGIT_BITS
    return (keys[None] >> shifts) & (BUCKETS - 1)


def _histograms(digits: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Per request, how many masked positions hold each digit value."""
    rows = np.arange(digits.shape[0])[:, None] * BUCKETS
    return np.bincount((rows + digits)[mask], minlength=digits.shape[0] * BUCKETS) \
        .reshape(-1, BUCKETS)


def _threshold(hist: np.ndarray, need: np.ndarray):
    """topk_model.threshold per request: (bucket, count above it, its count)."""
    from_top = np.cumsum(hist[:, ::-1], axis=1)
    reached = from_top >= need[:, None]
    index = np.where(reached.any(axis=1), np.argmax(reached, axis=1), BUCKETS - 1)
    bucket = BUCKETS - 1 - index
    count = hist[np.arange(hist.shape[0]), bucket]
    return bucket, from_top[np.arange(hist.shape[0]), index] - count, count


def _stored(first: np.ndarray, k: int, parallelism: int) -> np.ndarray:
    """The load pass's mask: digit 0 not below the threshold bucket of the beats before each
    one (bucket 0 until k elements have been counted)."""
    b, n = first.shape
    beats = -(-n // parallelism)
    index = (np.arange(b)[:, None] * beats + np.arange(n) // parallelism) * BUCKETS + first
    per_beat = np.bincount(index.ravel(), minlength=b * beats * BUCKETS) \
        .reshape(b, beats, BUCKETS)
    before = np.cumsum(per_beat, axis=1) - per_beat
    from_top = np.cumsum(before[:, :, ::-1], axis=2)
    floor = np.where(from_top[:, :, -1] >= k, BUCKETS - 1 - np.argmax(from_top >= k, axis=2), 0)
    return first >= np.repeat(floor, parallelism, axis=1)[:, :n]


def batch_topk_cycles(scores: np.ndarray, k: int, parallelism: int,
                      score_width: int = 16) -> np.ndarray:
    """topk_cycles of every row of ``scores`` (requests x n), each keeping k (1 <= k <= n)."""
    digits = _digits(np.asarray(scores), score_width)
    b, n = digits.shape[1:]
    rows = np.arange(b)
    alive = _stored(digits[0], k, parallelism)
    hist = _histograms(digits[0], np.ones((b, n), dtype=bool))
    cycles = np.full(b, -(-n // parallelism) + OUTPUT_LATENCY, dtype=np.int64)
    need, emitted, done = np.full(b, k), np.zeros(b, dtype=np.int64), np.zeros(b, dtype=bool)
    for level in range(digits.shape[0]):
        bucket, above, count = _threshold(hist, need)
        quota = need - above
        final = ~done & ((quota == count) | (level == digits.shape[0] - 1))
        going = ~done & ~final
        d = digits[level]
        cycles += np.where(done, 0, DECIDE_CYCLES + READ_LATENCY)
        if final.any():
            tied = alive & (d == bucket[:, None])
            take = alive & ((d > bucket[:, None]) | (tied & (np.cumsum(tied, axis=1)
                                                             <= quota[:, None])))
            reach = np.argmax(emitted[:, None] + np.cumsum(take, axis=1) >= k, axis=1)
            entry = np.cumsum(alive, axis=1)[rows, reach] - 1
            cycles += np.where(final, entry // parallelism + 1, 0)
        cycles += np.where(going, -(-alive.sum(axis=1) // parallelism), 0)
        emitted += np.where(going, (alive & (d > bucket[:, None])).sum(axis=1), 0)
        done |= final
        if done.all():
            return cycles
        alive = alive & (d == bucket[:, None]) & going[:, None]
        hist = _histograms(digits[level + 1], alive)
        need = np.where(going, quota, need)
    raise AssertionError("the last level is always final")


def fast_topk_cycles(scores, k: int, parallelism: int, score_width: int = 16) -> int:
    """Equal to sim.topk.topk_cycles(scores, k, parallelism, score_width) for 1 <= k <= n."""
    return int(batch_topk_cycles(np.asarray(scores)[None], k, parallelism, score_width)[0])
