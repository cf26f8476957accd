import networkx as nx
import numpy as np
import pytest

from lego.frontend.arborescence import (
    edmonds_arborescence,
    greedy_arborescence,
    min_arborescence,
)


def _cost(chosen, weight):
    return int(weight[chosen].sum())


def _random_dag(seed, n=12, m=40):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src < dst  # all edges go "forward": a DAG
    src, dst = src[keep], dst[keep]
    weight = rng.integers(1, 50, len(src))
    src = np.concatenate([src, np.full(n, n)])  # the root reaches every node
    dst = np.concatenate([dst, np.arange(n)])
    weight = np.concatenate([weight, np.full(n, 1000)])
    return n, src, dst, weight


@pytest.mark.parametrize("seed", range(8))
def test_greedy_matches_networkx_on_dags(seed):
    n, src, dst, weight = _random_dag(seed)
    greedy = greedy_arborescence(n, src, dst, weight)
    assert greedy is not None
    assert _cost(greedy, weight) == _cost(edmonds_arborescence(n, src, dst, weight), weight)


def test_a_cycle_of_cheap_edges_falls_back_to_edmonds():
    # 0 <-> 1 cost 1 each, root -> either costs 100: the greedy pick is the 2-cycle.
    src, dst, weight = np.array([0, 1, 2, 2]), np.array([1, 0, 0, 1]), np.array([1, 1, 100, 100])
    assert greedy_arborescence(2, src, dst, weight) is None
    chosen, solver = min_arborescence(2, src, dst, weight)
    assert solver == "edmonds" and _cost(chosen, weight) == 101
    tree = nx.DiGraph([(int(src[i]), int(dst[i])) for i in chosen])
    assert nx.is_arborescence(tree)
