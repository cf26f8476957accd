"""Pareto fronts and the promotion rules that pick which points go on to a costlier stage."""

from __future__ import annotations

__all__ = ["pareto_front", "promote"]


def _costs(metrics: dict, objectives) -> tuple | None:
    """The point's objective values turned into costs (smaller is better); None when one is
    missing (the point did not reach the stage recording it)."""
    out = []
    for name, direction in objectives:
        value = metrics.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        out.append(value if direction == "min" else -value)
    return tuple(out)


def pareto_front(rows: dict[str, dict], objectives) -> set[str]:
    """Keys of the points no other point dominates (at least as good in every objective,
    better in one). Points without every objective are on no front."""
    costs = {key: c for key, m in rows.items() if (c := _costs(m, objectives)) is not None}
    ordered = sorted(costs.items(), key=lambda item: (item[1], item[0]))
    front: list[tuple] = []
    keys = set()
    for key, cost in ordered:  # sorted: a dominating point comes before what it dominates
        if not any(all(f <= c for f, c in zip(other, cost, strict=True)) and other != cost
                   for other in front):
            front.append(cost)
            keys.add(key)
    return keys


def promote(rule: dict | None, rows: dict[str, dict], directions: dict[str, str]) -> set[str]:
    """The keys of ``rows`` (key -> metrics of the stages so far) that ``rule`` sends on:
    all of them without a rule, the Pareto front, or the top k by one metric (ties by key)."""
    if rule is None:
        return set(rows)
    if "pareto" in rule:
        return pareto_front(rows, [(m, directions.get(m, "min")) for m in rule["pareto"]])
    objective = [(rule["by"], directions.get(rule["by"], "min"))]
    ranked = sorted((c, key) for key, m in rows.items()
                    if (c := _costs(m, objective)) is not None)
    return {key for _, key in ranked[:rule["top"]]}
