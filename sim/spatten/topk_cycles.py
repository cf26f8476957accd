"""The top-k engine's exact cycle count (sim.topk.topk_cycles) computed with numpy: the same
decisions as lego.spatten.topk_model.plan, per level over whole arrays instead of per element,
for traces that run a million elements through the engine. Only the count is derived (no output
beats); tests/test_sim_spatten_topk_cycles.py checks it equals topk_cycles on random and tied
inputs.
"""

from __future__ import annotations

import numpy as np

from lego.spatten.topk_model import BUCKETS, DIGIT_BITS, levels, threshold
from sim.topk import DECIDE_CYCLES, OUTPUT_LATENCY, READ_LATENCY

__all__ = ["fast_topk_cycles"]


def _digits(scores: np.ndarray, score_width: int) -> np.ndarray:
    """digits[level, position] of the order-preserving keys (as topk_model.digit)."""
    count = levels(score_width)
    keys = (scores.astype(np.int64) + (1 << (score_width - 1))) << (count * DIGIT_BITS
                                                                    - score_width)
    shifts = np.arange(count - 1, -1, -1, dtype=np.int64)[:, None] * DIGIT_BITS
    return (keys[None, :] >> shifts) & (BUCKETS - 1)


def _stored(first: np.ndarray, k: int, parallelism: int) -> np.ndarray:
    """Positions kept by the load pass: digit 0 not below the threshold bucket of the beats
    before each one (bucket 0 until k elements have been counted)."""
    n = first.size
    beats = -(-n // parallelism)
    beat_of = np.arange(n) // parallelism
    per_beat = np.bincount(beat_of * BUCKETS + first, minlength=beats * BUCKETS)
    per_beat = per_beat.reshape(beats, BUCKETS)
    before = np.cumsum(per_beat, axis=0) - per_beat                  # beats before each one
    above = np.cumsum(before[:, ::-1], axis=1)                        # in the top t+1 buckets
    reached = above[:, -1] >= k
    floor = np.where(reached, BUCKETS - 1 - np.argmax(above >= k, axis=1), 0)
    return np.nonzero(first >= floor[beat_of])[0]


def fast_topk_cycles(scores, k: int, parallelism: int, score_width: int = 16) -> int:
    """Equal to sim.topk.topk_cycles(scores, k, parallelism, score_width) for 1 <= k <= n."""
    digits = _digits(np.asarray(scores), score_width)
    n = digits.shape[1]
    buffer = _stored(digits[0], k, parallelism)
    hist = np.bincount(digits[0], minlength=BUCKETS)
    cycles = -(-n // parallelism) + OUTPUT_LATENCY
    need, emitted, level = k, 0, 0
    while True:
        bucket, above, count = threshold(hist.tolist(), need)
        quota = need - above
        final = quota == count or level == digits.shape[0] - 1
        d = digits[level, buffer]
        cycles += DECIDE_CYCLES + READ_LATENCY
        if final:
            take = (d > bucket) | ((d == bucket) & (np.cumsum(d == bucket) <= quota))
            last = int(np.nonzero(np.cumsum(take) + emitted == k)[0][0])
            return cycles + last // parallelism + 1
        cycles += -(-buffer.size // parallelism)
        emitted += int((d > bucket).sum())
        buffer = buffer[d == bucket]
        level += 1
        hist = np.bincount(digits[level, buffer], minlength=BUCKETS)
        need = quota
