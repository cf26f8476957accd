"""Exact integer lattices: the integer kernel of an integer matrix and small combinations of it.

Everything is integer arithmetic (no floats), so the answers are exact for any size: Python
``int``s, or numpy's int64 where the values provably fit it."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np

__all__ = ["integer_kernel", "small_combinations"]

Vector = tuple[int, ...]


def integer_kernel(rows: list[list[int]] | tuple, ncols: int) -> tuple[Vector, ...]:
    """A basis of the lattice {x in Z^ncols : K x = 0}, size-reduced and sorted.

    Column-style Hermite reduction: unimodular column operations U turn K into K U = [H | 0];
    the columns of U that meet the zero block span the integer kernel."""
    work = [list(map(int, row)) for row in rows]
    basis = [[int(i == j) for j in range(ncols)] for i in range(ncols)]  # columns of U
    pivot = 0
    for row in work:
        if pivot == ncols:
            break
        for col in range(pivot + 1, ncols):
            while row[col] != 0:  # Euclid on the two columns, keeping U unimodular
                quotient = row[pivot] // row[col]
                _axpy(work, basis, pivot, col, quotient)
                _swap(work, basis, pivot, col)
        if row[pivot] != 0:
            pivot += 1
    kernel = [tuple(basis[j]) for j in range(pivot, ncols)]
    return tuple(sorted(_size_reduce(kernel), key=_sort_key))


def _axpy(work: list[list[int]], basis: list[list[int]], target: int, source: int, q: int):
    """Column target -= q * column source, in K and in U."""
    for row in work:
        row[target] -= q * row[source]
    basis[target] = [a - q * b for a, b in zip(basis[target], basis[source], strict=True)]


def _swap(work: list[list[int]], basis: list[list[int]], a: int, b: int) -> None:
    for row in work:
        row[a], row[b] = row[b], row[a]
    basis[a], basis[b] = basis[b], basis[a]


def _dot(u: Vector, v: Vector) -> int:
    return sum(a * b for a, b in zip(u, v, strict=True))


def _size_reduce(vectors: list[Vector]) -> list[Vector]:
    """Pairwise (Lagrange-style) reduction: subtract the nearest integer multiple of another
    basis vector while that shortens a vector. Keeps the lattice, makes the vectors small."""
    vectors = [v for v in vectors if any(v)]
    changed = True
    while changed:
        changed = False
        for i, j in itertools.permutations(range(len(vectors)), 2):
            u, v = vectors[i], vectors[j]
            q = round(Fraction(_dot(u, v), _dot(v, v)))
            if q == 0:
                continue
            reduced = tuple(a - q * b for a, b in zip(u, v, strict=True))
            if _dot(reduced, reduced) < _dot(u, u):
                vectors[i] = reduced
                changed = True
    return [_canonical_sign(v) for v in vectors]


def _canonical_sign(v: Vector) -> Vector:
    first = next(x for x in v if x != 0)
    return v if first > 0 else tuple(-x for x in v)


def _sort_key(v: Vector):
    return (sum(abs(x) for x in v), tuple(-x for x in v))


def small_combinations(basis: tuple[Vector, ...], limit: int = 729) -> list[Vector]:
    """Non-zero combinations of the basis vectors with coefficients in {-1, 0, 1}. Beyond
    ``limit`` combinations (a kernel of rank > 6) only the single vectors and their pairs are
    used, which keeps candidate generation polynomial."""
    if not basis:
        return []
    if 3 ** len(basis) <= limit:
        coefficient_sets = itertools.product((-1, 0, 1), repeat=len(basis))
    else:
        coefficient_sets = _pairs(len(basis))
    coefficients = np.array(list(coefficient_sets), dtype=np.int64)
    vectors = np.array(basis, dtype=object)
    if max((abs(int(x)) for x in vectors.flat), default=0) * len(basis) < 2 ** 62:  # fits int64
        # one matrix product: the front end asks for this per tensor and dataflow of every
        # tile a layer network maps to, and a Python sum per entry was most of its time
        combined = (coefficients @ vectors.astype(np.int64)).tolist()
    else:
        combined = [[sum(int(c) * int(b[k]) for c, b in zip(row, basis, strict=True))
                     for k in range(len(basis[0]))] for row in coefficients]
    return sorted({tuple(v) for v in combined if any(v)})


def _pairs(rank: int):
    for i in range(rank):
        for sign in (-1, 1):
            yield tuple(sign if k == i else 0 for k in range(rank))
    for i, j in itertools.combinations(range(rank), 2):
        for si, sj in itertools.product((-1, 1), repeat=2):
            yield tuple(si if k == i else sj if k == j else 0 for k in range(rank))
