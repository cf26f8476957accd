"""Python functional model of the top-k engine: which elements it selects, in which output beat.

The engine (``lego.spatten.topk``) does a radix select on the score bits, ``DIGIT_BITS`` per
level, most significant first. This model replays the same decisions step by step so that the
selected set, the output order and the per-beat lane contents are exactly those of the RTL.

Scores are signed two's complement; the engine orders them through the order-preserving
unsigned key ``score + 2**(score_width - 1)``. Ties: among equal scores the earliest arrival
(lowest input position) is selected. Output order: the elements decided in round 0 (the first
pass over the candidate buffer) come first, then those decided in round 1, and so on; within a
round, in arrival order. Every output beat holds the elements selected from one buffer row,
packed into the low lanes.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DIGIT_BITS", "BUCKETS", "levels", "digit", "threshold", "Round", "Plan", "plan",
           "selected"]

DIGIT_BITS = 4
BUCKETS = 1 << DIGIT_BITS


def levels(score_width: int) -> int:
    """Number of radix levels that resolve every score bit."""
    return -(-score_width // DIGIT_BITS)


def digit(score: int, level: int, score_width: int) -> int:
    """The ``level``-th digit (0 = most significant) of the order-preserving key of ``score``;
    the key is padded with zero bits at the bottom to a whole number of digits."""
    count = levels(score_width)
    key = (score + (1 << (score_width - 1))) << (count * DIGIT_BITS - score_width)
    return (key >> ((count - 1 - level) * DIGIT_BITS)) & (BUCKETS - 1)


def threshold(hist: list[int], need: int) -> tuple[int, int, int]:
    """The bucket holding the ``need``-th largest element: (bucket, count above it, its count).
    Bucket 0 when fewer than ``need`` elements were counted (the load-phase use)."""
    above = 0
    for bucket in range(BUCKETS - 1, -1, -1):
        if above + hist[bucket] >= need:
            return bucket, above, hist[bucket]
        above += hist[bucket]
    return 0, above - hist[0], hist[0]


@dataclass(frozen=True)
class Round:
    """One pass over the candidate buffer: rows read and the positions emitted per row."""

    candidates: int
    rows: int
    beats: tuple[tuple[int, ...], ...]
    final: bool


@dataclass(frozen=True)
class Plan:
    """What the engine does for one input: load beats, then rounds (the last one final)."""

    n: int
    k: int
    parallelism: int
    load_beats: int
    stored: int
    rounds: tuple[Round, ...]

    @property
    def output(self) -> tuple[tuple[int, ...], ...]:
        """Non-empty output beats in order, each a tuple of input positions."""
        return tuple(beat for r in self.rounds for beat in r.beats if beat)


def _load(scores: list[int], k: int, parallelism: int, width: int) -> tuple[list[int], list[int]]:
    """Input pass: histogram every element on digit 0 and store those not below the running
    threshold bucket (computed from the beats before this one, so it never exceeds the final
    one: nothing that can be selected is dropped)."""
    hist = [0] * BUCKETS
    stored = []
    for start in range(0, len(scores), parallelism):
        lanes = range(start, min(len(scores), start + parallelism))
        floor = threshold(hist, k)[0]
        stored += [p for p in lanes if digit(scores[p], 0, width) >= floor]
        for p in lanes:
            hist[digit(scores[p], 0, width)] += 1
    return hist, stored


def plan(scores: list[int], k: int, parallelism: int, score_width: int) -> Plan:
    """Replay the engine on valid arguments (1 <= k <= n = len(scores))."""
    n = len(scores)
    assert 1 <= k <= n, "the model is defined for valid arguments only"
    hist, buffer = _load(scores, k, parallelism, score_width)
    load_beats = -(-n // parallelism)
    stored = len(buffer)
    need, level, emitted, rounds = k, 0, 0, []
    while True:
        bucket, above, count = threshold(hist, need)
        quota = need - above
        final = quota == count or level == levels(score_width) - 1
        hist, kept, beats, ties = [0] * BUCKETS, [], [], 0
        for row_start in range(0, len(buffer), parallelism):
            beat = []
            for p in buffer[row_start:row_start + parallelism]:
                d = digit(scores[p], level, score_width)
                if d > bucket:
                    beat.append(p)
                elif d == bucket and final:
                    if ties < quota:
                        beat.append(p)
                    ties += 1
                elif d == bucket:
                    kept.append(p)
                    hist[digit(scores[p], level + 1, score_width)] += 1
            beats.append(tuple(beat))
            emitted += len(beat)
            if final and emitted == k:
                break  # the engine stops reading once the k-th element is out
        rounds.append(Round(len(buffer), len(beats), tuple(beats), final))
        if final:
            return Plan(n, k, parallelism, load_beats, stored, tuple(rounds))
        buffer, need, level = kept, quota, level + 1


def selected(scores: list[int], k: int) -> list[int]:
    """The reference selection, independent of the engine: positions of the k largest scores,
    earliest arrival first among ties, in arrival order."""
    ranked = sorted(range(len(scores)), key=lambda p: (-scores[p], p))
    return sorted(ranked[:k])
