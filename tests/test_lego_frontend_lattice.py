import itertools
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lego.frontend.lattice import integer_kernel, small_combinations


def test_gemm_os_kernel_of_a():
    # A[i, k] with i = 4 ti + p, k = tk over (ti, tj, tk, p, q): tj and q are free, and
    # ti + 1 with p - 4 touches the same row.
    assert integer_kernel([[4, 0, 0, 1, 0], [0, 0, 1, 0, 0]], 5) == (
        (0, 1, 0, 0, 0), (0, 0, 0, 0, 1), (1, 0, 0, -4, 0))


def test_kernel_of_no_rows_is_the_whole_space():
    assert integer_kernel([], 2) == ((1, 0), (0, 1))


def test_kernel_is_a_lattice_basis_not_just_rational():
    # 2x + 4y = 0: the integer kernel is (2, -1); (4, -2) would miss half the points.
    assert integer_kernel([[2, 4]], 2) == ((2, -1),)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-5, 5), min_size=4, max_size=4), min_size=1, max_size=3))
def test_kernel_vectors_solve_the_system_and_span_it(rows):
    basis = integer_kernel(rows, 4)
    k = np.array(rows, dtype=np.int64)
    for v in basis:
        assert not (k @ np.array(v)).any()
    assert len(basis) == 4 - np.linalg.matrix_rank(k)
    if basis:  # a lattice basis: its Smith invariants are all 1 (gcd of maximal minors = 1)
        b = np.array(basis, dtype=np.int64)
        assert np.linalg.matrix_rank(b) == len(basis)


def test_small_combinations_use_coefficients_minus_one_zero_one():
    assert small_combinations(((1, 0), (0, 1))) == [
        (-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


@pytest.mark.parametrize("rank", [7, 8])
def test_large_kernels_fall_back_to_pairs(rank):
    basis = tuple(tuple(int(i == j) for j in range(rank)) for i in range(rank))
    combos = small_combinations(basis)
    assert len(combos) == 2 * rank + 4 * rank * (rank - 1) // 2


def _combinations_by_sums(basis) -> list:
    """The definition, one Python sum per entry (what small_combinations computed before it
    took a matrix product)."""
    out = set()
    for coefficients in itertools.product((-1, 0, 1), repeat=len(basis)):
        v = tuple(sum(c * b[k] for c, b in zip(coefficients, basis, strict=True))
                  for k in range(len(basis[0])))
        if any(v):
            out.add(v)
    return sorted(out)


@pytest.mark.parametrize("seed", range(20))
def test_small_combinations_equal_their_definition(seed):
    rng = random.Random(seed)
    scale = 2 ** 70 if seed % 4 == 0 else 9  # beyond int64: the Python path
    size = rng.randint(1, 5)
    basis = tuple(tuple(rng.randint(-scale, scale) for _ in range(size))
                  for _ in range(rng.randint(1, 4)))
    combos = small_combinations(basis)
    assert combos == _combinations_by_sums(basis)
    assert all(type(x) is int for v in combos for x in v)
