"""Pareto fronts and promotion rules."""

from lego.sweep.pareto import pareto_front, promote

ROWS = {"a": {"c": 1, "e": 9}, "b": {"c": 2, "e": 5}, "d": {"c": 3, "e": 5},
        "f": {"c": 4, "e": 1}, "g": {"c": 4, "e": 1}, "h": {"c": 5}}


def test_front_with_ties_and_missing_values():
    # d is dominated by b; f and g tie (neither dominates the other); h lacks e
    assert pareto_front(ROWS, [("c", "min"), ("e", "min")]) == {"a", "b", "f", "g"}


def test_max_direction():
    assert pareto_front(ROWS, [("c", "max"), ("e", "min")]) == {"f", "g"}
    assert pareto_front(ROWS, [("c", "max")]) == {"h"}


def test_promotion_rules():
    assert promote(None, ROWS, {}) == set(ROWS)
    assert promote({"top": 2, "by": "e"}, ROWS, {}) == {"f", "g"}
    assert promote({"top": 2, "by": "c"}, ROWS, {"c": "max"}) == {"h", "f"}  # ties by key
    assert promote({"pareto": ["c", "e"]}, ROWS, {"e": "max"}) == {"a"}  # least c, most e
