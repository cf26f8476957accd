"""Cycles of each stage's work for one request, from the engines' own cycle models.

- DRAM: ceil(bits / (8 x channels x bytes per channel)) per read (K MSB, K LSB, V);
- Q x K: ceil(keys x D / multipliers) per pass (a re-fetch takes a second pass on the LSBs);
- softmax + PQ: the PQ engine's cycles without its key beats (lego.spatten.pq_timing.
  softmax_cycles): EXP and DIV per pass, then OUT; split at the re-fetch into the first pass and
  the rest, which add up to the model's count;
- local value top-k (values < keys only): the top-k engine's exact count (sim.topk.topk_cycles,
  computed by its numpy twin sim.spatten.topk_cycles) on synthetic scores, uniform over
  ``topk_score_bits`` signed bits from ``--seed`` (the trace records no scores), or the
  reference's ceil(m/P)+3-per-round quick-select model;
- prob x V: ceil(values x D / multipliers);
- cascade token / head top-k: the same top-k models on n candidates keeping k.
"""

from __future__ import annotations

import random

import numpy as np

from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import softmax_cycles
from sim.spatten.hardware import Hardware
from sim.spatten.topk_cycles import batch_topk_cycles
from sim.spatten.trace import Request
from sim.topk import reference_cycles

__all__ = ["TOPK_MODELS", "StageModels"]

TOPK_MODELS = ("lego", "reference")


class StageModels:
    """The per-request cycle models of one hardware configuration, with the seeded random
    sources of the top-k models (drawn in request order, so a run is reproducible)."""

    def __init__(self, hw: Hardware, head_dim: int, max_len: int, topk_model: str, seed: int):
        self.hw, self.head_dim, self.topk_model = hw, head_dim, topk_model
        self.pq = PqParams(head_dim=head_dim, lanes=1, max_len=max_len,
                           prob_bits=hw.softmax_prob_bits, exp_units=hw.softmax_exp_units)
        self.scores = np.random.default_rng(seed)
        self.pivots = random.Random(seed)
        self.topk_runs = 0

    def dram(self, bits: int) -> int:
        return -(-bits // (8 * self.hw.dram_bytes_per_cycle))

    def qk(self, keys: int) -> int:
        return -(-keys * self.head_dim // self.hw.qk_multipliers)

    def pv(self, values: int) -> int:
        return -(-values * self.head_dim // self.hw.pv_multipliers)

    def softmax(self, keys: int, refetch: bool) -> tuple[int, int]:
        """(cycles before the re-fetch, cycles after it): (0, all) without a re-fetch."""
        single = softmax_cycles(self.pq, keys, False)
        if not refetch:
            return 0, single
        return softmax_cycles(self.pq, keys, True) - single, single

    def topk(self, n: int, k: int) -> int:
        """Cycles of one top-k request keeping k of n (0 when nothing is dropped)."""
        return self._topk_runs(n, k, 1)[0]

    def local_v(self, requests: list[Request]) -> list[int]:
        """Local value top-k cycles of consecutive requests, drawn in request order; requests of
        the same size (a layer's heads) go through the top-k model together."""
        cycles: list[int] = []
        while len(cycles) < len(requests):
            first = requests[len(cycles)]
            size = (first.keys, first.values)
            run = 1
            while len(cycles) + run < len(requests) and \
                    (requests[len(cycles) + run].keys, requests[len(cycles) + run].values) == size:
                run += 1
            cycles += self._topk_runs(first.keys, first.values, run)
        return cycles

    def _topk_runs(self, n: int, k: int, runs: int) -> list[int]:
        if k >= n:
            return [0] * runs
        parallelism = self.hw.topk_parallelism
        if self.topk_model == "reference":
            cycles = [reference_cycles(n, k, parallelism, self.pivots) for _ in range(runs)]
        else:
            half = 1 << (self.hw.topk_score_bits - 1)
            scores = self.scores.integers(-half, half, size=(runs, n))
            cycles = batch_topk_cycles(scores, k, parallelism, self.hw.topk_score_bits).tolist()
        self.topk_runs += runs
        return cycles
