"""The earliest optimum of a difference-constraint LP, whichever solver finds an optimum.

The pipelining LP (lego.backend.pipeline) minimises ``cost . x`` subject to difference
constraints ``x[hi] - x[lo] >= rhs`` (integers), with ``x >= 0`` on the first ``bounded``
variables (the stages) and the rest free (the mirrors). It has tied optima, and which one a
solver returns depends on its pivoting: CBC and HiGHS return different ones on some examples,
and so would two versions of one solver. The Verilog must not depend on that, so we return the
one optimum that is defined by the LP alone: the earliest.

Why the earliest optimum exists and is unique. The feasible set P of a system of difference
constraints and lower bounds is closed under componentwise min and max (a lattice). For x, y
in P, ``min(x, y) + max(x, y) = x + y``, so for any linear cost the two sum to twice the
optimum when x and y are optimal, and as neither is below the optimum both are optimal: the
optimal set is a sublattice too. It is bounded below (every free variable is pulled up by a
bounded one), so it has a least element x*, which is also the only optimum of least sum. x* is
a vertex of P (the unique minimiser of a linear function over a face of a pointed polyhedron),
and the constraint matrix is totally unimodular, so x* is integral.

How we find it without a second LP (which takes longer than the first: ~2 s at 32x32, 14 s at
64x64). HiGHS (dual simplex, through scipy) solves the LP once and returns an optimal dual y,
integral like the primal (the dual's matrix is the transpose of a totally unimodular one).
By complementary slackness, a feasible x is optimal iff every constraint with y > 0 is tight
and every bounded variable with a positive reduced cost is 0. With those tight constraints
as equalities the optimal set is again a difference system, and its least element is a
longest-path computation (Bellman-Ford from the lower bounds). Then we check, in integers,
that y is dual feasible, x feasible and ``cost . x == rhs . y``: a certificate that x is
optimal, so that neither solver noise nor a solver bug can change the answer silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["DifferenceLP", "Infeasible", "earliest_optimum"]

# The duals of a basic solution are integers up to HiGHS's tolerances (1e-7). The certificate
# checked after rounding is exact, so this only rejects a non-basic answer early.
_DUAL_TOL = 1e-3


class Infeasible(Exception):
    """The constraints have no solution."""


@dataclass(frozen=True)
class DifferenceLP:
    """minimise ``cost . x`` subject to ``x[hi[k]] - x[lo[k]] >= rhs[k]`` for every k and
    ``x[j] >= 0`` for ``j < bounded``; the other variables are free. Integer data."""

    cost: np.ndarray   # int64, one per variable
    hi: np.ndarray     # int64, one per constraint
    lo: np.ndarray
    rhs: np.ndarray
    bounded: int

    @property
    def variables(self) -> int:
        return len(self.cost)

    def residual(self, x: np.ndarray) -> np.ndarray:
        """Per constraint, by how much x exceeds it (negative: violated)."""
        return x[self.hi] - x[self.lo] - self.rhs

    def reduced_costs(self, y: np.ndarray) -> np.ndarray:
        """``cost - A^T y``: what a unit increase of each variable costs once the constraints
        are priced at y."""
        pushed = np.bincount(self.hi, weights=y, minlength=self.variables)
        pulled = np.bincount(self.lo, weights=y, minlength=self.variables)
        return self.cost - np.rint(pushed - pulled).astype(np.int64)


def earliest_optimum(lp: DifferenceLP) -> np.ndarray:
    """The least optimal x (integers). Raises :class:`Infeasible` when there is none, and
    AssertionError when the solver's answer fails the optimality certificate (a bug)."""
    y = _optimal_dual(lp)
    reduced = lp.reduced_costs(y)
    if (reduced[:lp.bounded] < 0).any() or (reduced[lp.bounded:] != 0).any():
        raise AssertionError("pipelining LP: the solver's dual is not dual feasible")
    x = _least_solution(lp, tight=y > 0)
    pinned = np.flatnonzero(reduced[:lp.bounded] > 0)
    if (lp.residual(x) < 0).any() or (x[:lp.bounded] < 0).any() or (x[pinned] != 0).any():
        raise AssertionError("pipelining LP: the optimal face from the solver's dual is empty")
    if int(lp.cost @ x) != int(lp.rhs @ y):
        raise AssertionError(f"pipelining LP: duality gap {int(lp.cost @ x) - int(lp.rhs @ y)}")
    return x


def _optimal_dual(lp: DifferenceLP) -> np.ndarray:
    """An optimal dual of the LP from HiGHS's dual simplex: per constraint its price y >= 0,
    as integers."""
    from scipy.optimize import linprog  # 0.35 s to import: only when a design is pipelined
    from scipy.sparse import csr_matrix

    if not len(lp.rhs):
        return np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(len(lp.rhs)), 2)
    cols = np.column_stack([lp.lo, lp.hi]).ravel()
    coefficients = np.tile([1.0, -1.0], len(lp.rhs))
    # scipy's form: x[lo] - x[hi] <= -rhs
    a_ub = csr_matrix((coefficients, (rows, cols)), shape=(len(lp.rhs), lp.variables))
    bounds = [(0, None)] * lp.bounded + [(None, None)] * (lp.variables - lp.bounded)
    result = linprog(lp.cost, A_ub=a_ub, b_ub=-lp.rhs.astype(float), bounds=bounds,
                     method="highs-ds")
    if result.status == 2:
        raise Infeasible
    if result.status != 0:
        raise AssertionError(f"pipelining LP: HiGHS stopped: {result.message}")
    prices = -result.ineqlin.marginals  # d(optimum)/d(rhs) >= 0
    y = np.rint(prices).astype(np.int64)
    if np.abs(prices - y).max() > _DUAL_TOL or (y < 0).any():
        raise AssertionError("pipelining LP: HiGHS's dual is not integral")
    return y


def _least_solution(lp: DifferenceLP, tight: np.ndarray) -> np.ndarray:
    """The least x with every constraint kept and the ``tight`` ones as equalities: the
    longest paths from the lower bounds (Bellman-Ford, one sweep over all constraints per
    round). More rounds than variables means a positive cycle: no such x."""
    src = np.concatenate([lp.lo, lp.hi[tight]])
    dst = np.concatenate([lp.hi, lp.lo[tight]])
    gain = np.concatenate([lp.rhs, -lp.rhs[tight]]).astype(float)
    x = np.full(lp.variables, -np.inf)
    x[:lp.bounded] = 0.0
    for _ in range(lp.variables + 1):
        pushed = x.copy()
        np.maximum.at(pushed, dst, x[src] + gain)
        if np.array_equal(pushed, x):
            if not np.isfinite(x).all():
                raise AssertionError("pipelining LP: a free variable has no lower bound")
            return x.astype(np.int64)
        x = pushed
    raise AssertionError("pipelining LP: the optimal face from the solver's dual is empty")
