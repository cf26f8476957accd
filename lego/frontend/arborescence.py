"""Minimum feeding forest: a minimum spanning arborescence rooted at a memory node.

Edmonds' theorem gives a shortcut: if every node's cheapest in-edge together form no cycle,
that choice is optimal. It is O(E) with numpy and is the common case (chains that all run in a
positive direction); otherwise networkx's Chu-Liu/Edmonds solves the general case."""

from __future__ import annotations

import networkx as nx
import numpy as np

__all__ = ["min_arborescence", "greedy_arborescence", "edmonds_arborescence"]


def min_arborescence(num_nodes: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
                     ) -> tuple[np.ndarray, str]:
    """Nodes 0..num_nodes-1 plus the root ``num_nodes``; the edges must include root -> v for
    every node v. Returns, per node, the index of its chosen in-edge, and the solver used."""
    chosen = greedy_arborescence(num_nodes, src, dst, weight)
    if chosen is not None:
        return chosen, "greedy"
    return edmonds_arborescence(num_nodes, src, dst, weight), "edmonds"


def greedy_arborescence(num_nodes: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
                        ) -> np.ndarray | None:
    """Cheapest in-edge per node (ties: lowest source, then lowest edge index); None when
    those edges close a cycle."""
    order = np.lexsort((np.arange(len(src)), src, weight, dst))
    first = np.ones(len(order), dtype=bool)
    first[1:] = dst[order][1:] != dst[order][:-1]
    chosen = order[first]
    assert len(chosen) == num_nodes and (dst[chosen] == np.arange(num_nodes)).all()
    parent = np.append(src[chosen], num_nodes)  # the root is its own parent
    for _ in range(max(1, int(num_nodes).bit_length()) + 1):  # pointer jumping
        parent = parent[parent]
    return chosen if (parent == num_nodes).all() else None


def edmonds_arborescence(num_nodes: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray
                         ) -> np.ndarray:
    graph = nx.DiGraph()
    graph.add_nodes_from(range(num_nodes + 1))
    index = {}
    for i in np.lexsort((src, weight, dst)):  # keep the cheapest of parallel edges
        key = (int(src[i]), int(dst[i]))
        if key not in index:
            index[key] = int(i)
            graph.add_edge(*key, weight=int(weight[i]))
    tree = nx.minimum_spanning_arborescence(graph, attr="weight", preserve_attrs=False)
    chosen = np.empty(num_nodes, dtype=np.int64)
    for u, v in tree.edges():
        chosen[v] = index[(u, v)]
    return chosen
