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
64x64). First an optimal dual y, integral like the primal (the dual's matrix is the transpose of
a totally unimodular one), by cut canceling (``_cut_canceling``): from the least feasible point,
a max-flow on the tight constraints either prices every variable's cost (y) or cuts off a set
of variables that can move later together at a lower cost; a few rounds reach an optimum (the
fused 16x16 example: 4 rounds, 0.012 s, where HiGHS's dual simplex took ~6,400 iterations and
0.17 s; a fused 32x32 array at 20 ns: 8 rounds, 0.08 s against 3.7 s). HiGHS (through scipy)
finds y where cut canceling does not apply or does not end soon.
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
# Cut canceling gives up (HiGHS takes over) after this many rounds, or when the least feasible
# point needs more Bellman-Ford sweeps than this (an infeasible LP would take one per variable).
_CUT_ROUNDS = 64
_LEAST_ROUNDS = 1000


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


def earliest_optimum(lp: DifferenceLP, hint: np.ndarray | None = None) -> np.ndarray:
    """The least optimal x (integers). Raises :class:`Infeasible` when there is none, and
    AssertionError when the solver's answer fails the optimality certificate (a bug).

    ``hint``: values of the bounded variables that may be optimal (the stages of a design that
    differs only in net widths, e.g. the same array at other loop bounds). When they are, an
    optimal dual is found from them by a max-flow instead of the solver; the answer is the
    same either way (the certificate below is checked for it too), only found faster."""
    y = None if hint is None else _dual_at(lp, np.asarray(hint, dtype=np.int64))
    if y is not None:
        try:
            return _least_optimum(lp, y)
        except AssertionError:
            pass  # the hint's dual is no certificate: solve as without it
    return _least_optimum(lp, _optimal_dual(lp))


def _least_optimum(lp: DifferenceLP, y: np.ndarray) -> np.ndarray:
    """The least point of the optimal face that the optimal dual ``y`` marks, with the
    integer certificate that ``y`` is optimal and the point is feasible and optimal."""
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


def _dual_at(lp: DifferenceLP, stages: np.ndarray) -> np.ndarray | None:
    """A dual y that is optimal if the point with the bounded variables at ``stages`` (and
    every free one at its least feasible value) is optimal, else None (``_price``)."""
    n = lp.variables
    if len(stages) != lp.bounded or (stages < 0).any() or int(lp.cost.sum()) != 0:
        return None
    x = np.full(n, np.iinfo(np.int64).min)
    x[:lp.bounded] = stages
    free = lp.hi >= lp.bounded  # the free variables are bounded below by these rows only
    if (lp.lo[free] >= lp.bounded).any():
        return None
    np.maximum.at(x, lp.hi[free], x[lp.lo[free]] + lp.rhs[free])
    if (x == np.iinfo(np.int64).min).any() or (lp.residual(x) < 0).any():
        return None
    return _price(lp, x)[0]


def _price(lp: DifferenceLP, x: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """At a feasible x of an LP whose cost sums to zero: (y, None) with y an optimal dual if x
    is optimal, else (None, S) with S (a mask of the variables) a set that can move later at a
    lower cost; (None, None) where the capacities do not fit the max-flow's int32.

    Complementary slackness: y lives on the constraints tight at x, and ``A^T y`` must equal
    the cost on every variable (a cost summing to zero leaves no slack on any, bounded or not):
    a transshipment of the costs along the tight constraints, i.e. a max-flow from the negative
    costs to the positive ones that saturates them all. Integral capacities give an integral
    y. Where the flow falls short, the source side S of a minimum cut has no tight constraint
    leaving it (those arcs are unbounded), so S can move later without breaking one, and its
    cost is the flow less the demand: negative."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    n = lp.variables
    arcs = np.flatnonzero((lp.residual(x) == 0) & (lp.lo != lp.hi))
    demand = int(lp.cost[lp.cost > 0].sum())
    source, sink, unbounded = n, n + 1, demand + 1
    if unbounded >= np.iinfo(np.int32).max:
        return None, None
    takers, givers = np.flatnonzero(lp.cost > 0), np.flatnonzero(lp.cost < 0)
    rows = np.concatenate([lp.lo[arcs], takers, np.full(len(givers), source)])
    cols = np.concatenate([lp.hi[arcs], np.full(len(takers), sink), givers])
    caps = np.concatenate([np.full(len(arcs), unbounded), lp.cost[takers], -lp.cost[givers]])
    graph = coo_array((caps, (rows, cols)), shape=(n + 2, n + 2)).tocsr()
    graph.data = np.minimum(graph.data, unbounded).astype(np.int32)  # parallel arcs summed
    result = maximum_flow(graph, source, sink)
    if result.flow_value == demand:
        net = np.asarray(result.flow[lp.lo[arcs], lp.hi[arcs]]).ravel()
        # parallel constraints share one arc: its flow goes to the first of them (an arc as
        # one integer: unique over rows, axis=0, took 20x longer)
        _, first = np.unique(lp.lo[arcs] * n + lp.hi[arcs], return_index=True)
        y = np.zeros(len(lp.rhs), dtype=np.int64)
        y[arcs[first]] = np.maximum(net[first], 0)
        return y, None
    residual = (graph - result.flow).tocsr()  # scipy's flow is antisymmetric
    residual.data = (residual.data > 0).astype(np.int8)
    residual.eliminate_zeros()
    side = np.zeros(n + 2, dtype=bool)
    side[breadth_first_order(residual, source, return_predecessors=False)] = True
    return None, side[:n]


def _cut_canceling(lp: DifferenceLP) -> np.ndarray | None:
    """An optimal dual by cut canceling, or None (HiGHS then finds one). From the least
    feasible x, ``_price`` either prices the costs (x is optimal) or gives a set S that can move
    later at a lower cost: it moves by the least slack of the constraints leaving it, x stays
    feasible. The cost is an integer bounded below, so this ends; a design takes a few rounds."""
    if int(lp.cost.sum()) != 0:
        return None  # the bounds x >= 0 would carry prices: not the transshipment of _price
    try:
        x = _least_solution(lp, np.zeros(len(lp.rhs), dtype=bool), _LEAST_ROUNDS)
    except AssertionError:
        return None  # infeasible (HiGHS says so), or a longest path of very many constraints
    for _ in range(_CUT_ROUNDS):
        y, later = _price(lp, x)
        if later is None:
            return y
        leaving = later[lp.lo] & ~later[lp.hi]
        slack = lp.residual(x)[leaving]
        if not len(slack) or slack.min() < 1:  # unbounded, or not a cut (a bug): ask HiGHS
            return None
        x = np.where(later, x + slack.min(), x)
    return None


def _optimal_dual(lp: DifferenceLP) -> np.ndarray:
    """An optimal dual of the LP, per constraint its price y >= 0, as integers: by cut
    canceling, else from HiGHS's dual simplex."""
    if not len(lp.rhs):
        return np.zeros(0, dtype=np.int64)
    y = _cut_canceling(lp)
    return _highs_dual(lp) if y is None else y


def _highs_dual(lp: DifferenceLP) -> np.ndarray:
    """An optimal dual of the LP from HiGHS's dual simplex."""
    from scipy.optimize import linprog  # 0.35 s to import: only when a design is pipelined
    from scipy.sparse import csr_matrix

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


def _least_solution(lp: DifferenceLP, tight: np.ndarray, rounds: int | None = None
                    ) -> np.ndarray:
    """The least x with every constraint kept and the ``tight`` ones as equalities: the
    longest paths from the lower bounds (Bellman-Ford, one sweep over all constraints per
    round). More rounds than variables means a positive cycle: no such x. ``rounds``: give up
    (AssertionError) after that many."""
    src = np.concatenate([lp.lo, lp.hi[tight]])
    dst = np.concatenate([lp.hi, lp.lo[tight]])
    gain = np.concatenate([lp.rhs, -lp.rhs[tight]]).astype(float)
    x = np.full(lp.variables, -np.inf)
    x[:lp.bounded] = 0.0
    for _ in range(lp.variables + 1 if rounds is None else min(rounds, lp.variables + 1)):
        pushed = x.copy()
        np.maximum.at(pushed, dst, x[src] + gain)
        if np.array_equal(pushed, x):
            if not np.isfinite(x).all():
                raise AssertionError("pipelining LP: a free variable has no lower bound")
            return x.astype(np.int64)
        x = pushed
    raise AssertionError("pipelining LP: the optimal face from the solver's dual is empty")
