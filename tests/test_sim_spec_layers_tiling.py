"""sim.spec_layers.tiling: the policy's pick among candidate tiles is the first of the least
keys, as a stable lexicographic sort would give it."""

import numpy as np
import pytest

from sim.spec_layers.tiling import _first_least


@pytest.mark.parametrize("seed", range(20))
def test_first_least_is_the_first_of_a_stable_lexicographic_sort(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 400))
    # few distinct values, so that every key has ties to break
    keys = [rng.integers(0, 3, size) * 10**9 for _ in range(3)]
    assert _first_least(keys) == int(np.lexsort(keys[::-1])[0])


def test_no_candidate_gives_index_zero():
    assert _first_least([np.zeros(0, dtype=np.int64)] * 3) == 0
