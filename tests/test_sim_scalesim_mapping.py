"""The os/ws/is formulas both models read: hand-computed values, and ints and numpy arrays agree
(the SCALE-Sim mode calls them on ints without numpy, the workload mode on arrays of tilings)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from sim.scalesim.mapping import DATAFLOWS, cycles, demand, folds, skew, spatio_temporal


def test_each_dataflow_keeps_one_operand_stationary():
    assert spatio_temporal("os", "M", "N", "K") == ("M", "N", "K")
    assert spatio_temporal("ws", "M", "N", "K") == ("K", "N", "M")
    assert spatio_temporal("is", "M", "N", "K") == ("K", "M", "N")


def test_hand_computed_gemm_on_a_2x3_array():
    # M=5, N=4, K=3. OS: Sr = M = 5 -> 3 row folds, Sc = N = 4 -> 2 column folds, T = K = 3.
    assert folds("os", 2, 3, 5, 4, 3) == (3, 2)
    assert skew("os", 2, 3) == 2 + 3 - 2 and skew("ws", 2, 3) == 2 * 2 + 3 - 2
    assert cycles("os", 2, 3, 5, 4, 3) == 3 * 2 * (3 + 3)
    # A (M x K) once per column fold, B (K x N) once per row fold, C (stationary) once
    assert demand("os", 2, 3, 5, 4, 3) == (2 * 5 * 3, 3 * 3 * 4, 5 * 4)
    # WS: Sr = K = 3 -> 2 row folds, Sc = N = 4 -> 2 column folds, T = M = 5; B stationary,
    # C written once per row fold (partial sums over the rows of K)
    assert cycles("ws", 2, 3, 5, 4, 3) == 2 * 2 * (5 + 5)
    assert demand("ws", 2, 3, 5, 4, 3) == (2 * 3 * 5, 3 * 4, 2 * 5 * 4)


@pytest.mark.parametrize("dataflow", DATAFLOWS)
def test_ints_and_arrays_agree(dataflow):
    sizes = np.array([1, 2, 3, 7, 8, 9, 31])
    m, n, k = np.meshgrid(sizes, sizes, sizes, indexing="ij", sparse=True)
    for rows, cols in ((1, 1), (3, 5), (8, 4)):
        vectorised = (cycles(dataflow, rows, cols, m, n, k),
                      *demand(dataflow, rows, cols, m, n, k))
        for index in itertools.product(range(len(sizes)), repeat=3):
            gemm = [int(sizes[i]) for i in index]
            one = (cycles(dataflow, rows, cols, *gemm), *demand(dataflow, rows, cols, *gemm))
            assert all(type(value) is int for value in one)
            assert one == tuple(int(np.broadcast_to(v, (7, 7, 7))[index]) for v in vectorised)
