"""The numpy twin of the top-k engine's cycle model counts exactly what sim.topk.topk_cycles
counts (the model the RTL is checked against), on random, tied and extreme inputs."""

import random

import numpy as np
import pytest

from sim.spatten.topk_cycles import fast_topk_cycles
from sim.topk import topk_cycles


@pytest.mark.parametrize("seed", range(6))
def test_equals_the_engine_model(seed):
    rng = random.Random(seed)
    for _ in range(300):
        n = rng.randint(1, 200)
        k = rng.randint(1, n)
        parallelism = rng.choice([2, 4, 8, 16, 32, 64])
        width = rng.choice([2, 3, 4, 5, 8, 12, 16, 17, 32])
        low, high = -(1 << (width - 1)), (1 << (width - 1)) - 1
        pool = [low, high, 0, -1, 1] if rng.random() < 0.3 else None  # many ties
        scores = [rng.choice(pool) if pool else rng.randint(low, high) for _ in range(n)]
        assert fast_topk_cycles(np.array(scores), k, parallelism, width) == \
            topk_cycles(scores, k, parallelism, width), (scores, k, parallelism, width)


def test_local_value_sizes():
    scores = np.random.default_rng(0).integers(-32768, 32768, size=1024)
    for k in (1, 204, 512, 1023, 1024):
        assert fast_topk_cycles(scores, k, 16) == topk_cycles(scores.tolist(), k, 16)
