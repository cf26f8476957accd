"""The earliest optimum of a difference-constraint LP: unique, whatever order the solver sees
the constraints in, and checked against a certificate rather than trusted."""

import itertools
import random

import numpy as np
import pytest

from lego.backend import lp_solve
from lego.backend.lp_solve import DifferenceLP, Infeasible, earliest_optimum


def _lp(cost, constraints, bounded) -> DifferenceLP:
    hi, lo, rhs = (np.array(column, dtype=np.int64) for column in zip(*constraints, strict=True))
    return DifferenceLP(np.array(cost, dtype=np.int64), hi, lo, rhs, bounded)


def _random_lp(rng: random.Random, stages: int) -> DifferenceLP:
    """Stages on a random DAG, one mirror per driving stage pricing its longest out-edge, as
    the pipelining LP builds them; every edge may be forced to hold registers."""
    cost, constraints = [0] * stages, []
    for u in range(stages - 1):
        sinks = rng.sample(range(u + 1, stages), k=min(stages - u - 1, rng.choice([1, 2])))
        mirror = len(cost)
        width = rng.choice([1, 4, 8])
        cost.append(width)
        cost[u] -= width
        for v in sinks:
            constraints.append((v, u, rng.choice([-1, 0, 0, 1, 2])))
            constraints.append((mirror, v, 0))
    return _lp(cost, constraints, stages)


def _feasible(lp: DifferenceLP, x) -> bool:
    x = np.array(x, dtype=np.int64)
    return bool((lp.residual(x) >= 0).all() and (x[:lp.bounded] >= 0).all())


@pytest.mark.parametrize("seed", range(10))
def test_the_answer_is_the_least_of_all_optima_found_by_enumeration(seed):
    lp = _random_lp(random.Random(seed), 4)
    x = earliest_optimum(lp)
    assert _feasible(lp, x)
    points = np.array(list(itertools.product(range(5), repeat=lp.variables)), dtype=np.int64)
    feasible = points[(points[:, lp.hi] - points[:, lp.lo] >= lp.rhs).all(axis=1)]
    costs = feasible @ lp.cost
    optima = feasible[costs == costs.min()]
    assert lp.variables > lp.bounded and int(lp.cost @ x) == costs.min()
    assert x.tolist() == optima.min(axis=0).tolist()


@pytest.mark.parametrize("seed", range(5))
def test_the_order_the_solver_sees_does_not_change_the_answer(seed):
    rng = random.Random(100 + seed)
    lp = _random_lp(rng, 30)
    order = np.array(rng.sample(range(len(lp.rhs)), len(lp.rhs)))
    shuffled = DifferenceLP(lp.cost, lp.hi[order], lp.lo[order], lp.rhs[order], lp.bounded)
    assert earliest_optimum(shuffled).tolist() == earliest_optimum(lp).tolist()


# a chain x0 -> x1 -> x2 of equal widths (mirrors m0 = variable 3, m1 = 4) that must span 3
# stages: its registers cost x2 - x0 = 3 wherever x1 sits in [x0, x2]
CHAIN = ([-1, -1, 0, 1, 1], [(1, 0, 0), (2, 1, 0), (2, 0, 3), (3, 1, 0), (4, 2, 0)])


def test_tied_optima_give_the_earliest():
    assert earliest_optimum(_lp(*CHAIN, bounded=3)).tolist() == [0, 0, 3, 0, 3]


def test_no_solution_is_infeasible():
    lp = _lp([0, 0], [(1, 0, 1), (0, 1, 1)], bounded=2)
    with pytest.raises(Infeasible):
        earliest_optimum(lp)


@pytest.mark.parametrize("dual, message", [
    ([0, 0, 0, 0, 0], "not dual feasible"),
    # dual feasible, but prices x0 -> x1 -> x2 instead of the span: its face is empty
    ([1, 1, 0, 1, 1], "the optimal face from the solver's dual is empty"),
])
def test_a_wrong_dual_from_the_solver_is_caught(monkeypatch, dual, message):
    lp = _lp(*CHAIN, bounded=3)
    monkeypatch.setattr(lp_solve, "_optimal_dual", lambda _: np.array(dual, dtype=np.int64))
    with pytest.raises(AssertionError, match=message):
        earliest_optimum(lp)


def _solved_without(monkeypatch) -> list:
    """Record every call of the solver (the hint path must not need it)."""
    calls = []
    solve = lp_solve._optimal_dual
    monkeypatch.setattr(lp_solve, "_optimal_dual", lambda lp: calls.append(lp) or solve(lp))
    return calls


@pytest.mark.parametrize("seed", range(10))
def test_an_optimal_hint_gives_the_same_answer_without_the_solver(monkeypatch, seed):
    lp = _random_lp(random.Random(200 + seed), 30)
    x = earliest_optimum(lp)
    calls = _solved_without(monkeypatch)
    # the costs change (other net widths), the optimum stays: the hint of the old LP
    wider = DifferenceLP(lp.cost * 3, lp.hi, lp.lo, lp.rhs, lp.bounded)
    assert earliest_optimum(wider, x[:lp.bounded]).tolist() == x.tolist()
    assert earliest_optimum(lp, x[:lp.bounded]).tolist() == x.tolist() and not calls


def _cost_at(lp: DifferenceLP, stages) -> int | None:
    """The cost with the stages at ``stages`` and every mirror at its least (None: infeasible)."""
    x = np.concatenate([stages, np.full(lp.variables - lp.bounded, -10**9)])
    np.maximum.at(x, lp.hi, np.where(lp.hi >= lp.bounded, x[lp.lo] + lp.rhs, -10**9))
    return int(lp.cost @ x) if _feasible(lp, x) else None


def test_a_hint_that_is_not_optimal_falls_back_to_the_solver(monkeypatch):
    solved = 0
    for seed in range(20):
        rng = random.Random(300 + seed)
        lp = _random_lp(rng, 30)
        x = earliest_optimum(lp)
        calls = _solved_without(monkeypatch)
        later = x[:lp.bounded] + np.array([rng.choice([0, 1, 2]) for _ in range(lp.bounded)])
        assert earliest_optimum(lp, later).tolist() == x.tolist()
        optimal = _cost_at(lp, later) == int(lp.cost @ x)
        assert len(calls) == (0 if optimal else 1)  # an optimal later point: its face gives x
        solved += len(calls)
    assert solved >= 10  # most random later points are not optimal


def test_the_chains_later_optimum_as_a_hint_still_gives_the_earliest(monkeypatch):
    lp = _lp(*CHAIN, bounded=3)
    calls = _solved_without(monkeypatch)
    # x1 anywhere in [x0, x2] is optimal: the hint x1 = 2 is, but the answer is x1 = 0
    assert earliest_optimum(lp, [0, 2, 3]).tolist() == [0, 0, 3, 0, 3] and not calls
    assert lp_solve._dual_at(lp, np.array([0, 0, 2])) is None  # infeasible: x2 - x0 < 3


def _without_highs(monkeypatch) -> None:
    def refuse(lp):
        raise AssertionError("HiGHS was asked")
    monkeypatch.setattr(lp_solve, "_highs_dual", refuse)


@pytest.mark.parametrize("seed", range(10))
def test_cut_canceling_finds_highs_optimum_without_highs(monkeypatch, seed):
    lp = _random_lp(random.Random(400 + seed), 60)
    expected = lp_solve._least_optimum(lp, lp_solve._highs_dual(lp))
    _without_highs(monkeypatch)
    assert earliest_optimum(lp).tolist() == expected.tolist()


def test_cut_canceling_moves_a_set_later_when_the_least_point_is_not_optimal(monkeypatch):
    # x0 -> x1 (width 1) and x1 -> x2 (width 8), x2 - x0 >= 2: at the least point x1 = 0 the
    # 2 registers sit on the wide net; moving x1 later puts them on the narrow one
    lp = _lp([-1, -8, 0, 1, 8], [(1, 0, 0), (2, 1, 0), (2, 0, 2), (3, 1, 0), (4, 2, 0)],
             bounded=3)
    least = lp_solve._least_solution(lp, np.zeros(len(lp.rhs), dtype=bool))
    assert least[:3].tolist() == [0, 0, 2] and lp_solve._price(lp, least)[0] is None
    _without_highs(monkeypatch)
    assert earliest_optimum(lp).tolist() == [0, 2, 2, 2, 2]


def test_an_lp_cut_canceling_does_not_price_goes_to_highs(monkeypatch):
    asked = []
    highs = lp_solve._highs_dual
    monkeypatch.setattr(lp_solve, "_highs_dual", lambda lp: asked.append(1) or highs(lp))
    # a cost that does not sum to zero: the bounds x >= 0 carry a price
    assert earliest_optimum(_lp([1, 0], [(1, 0, 2)], bounded=2)).tolist() == [0, 2]
    with pytest.raises(Infeasible):  # infeasible: HiGHS says so
        earliest_optimum(_lp([0, 0], [(1, 0, 1), (0, 1, 1)], bounded=2))
    assert len(asked) == 2
