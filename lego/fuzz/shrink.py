"""Shrink a failing recipe: greedy steps towards a smaller spec (one dataflow, one array
dimension, smaller bounds and array, plain data types, stride and dilation 1, blocked splits,
the loops' own order), each kept only if the spec is still valid and still fails the same way.
A step costs a Verilator run, so the number of tries is bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from lego.errors import SpecError
from lego.fuzz.recipe import TEMPLATES, Flow, Recipe, spec_dict

__all__ = ["shrink", "smaller"]


def _valid(recipe: Recipe) -> bool:
    from lego.spec import parse_spec

    try:
        parse_spec(spec_dict(recipe))
    except SpecError:
        return False
    return True


def _reorder(flow: Flow, bounds: dict[str, int], loops: tuple[str, ...]) -> Flow:
    """The temporal order after bounds or splits changed: kept where it can be."""
    whole = {s.loop for s in flow.splits if s.size == bounds[s.loop]}
    temporal = [loop for loop in loops if loop not in whole]
    order = [loop for loop in flow.order if loop in temporal]
    return Flow(flow.splits, tuple(order + [loop for loop in temporal if loop not in order]))


def _with_bounds(recipe: Recipe, bounds: tuple[int, ...]) -> Recipe:
    named = dict(zip(recipe.loops, bounds, strict=True))
    flows = tuple(_reorder(f, named, recipe.loops) for f in recipe.flows)
    return replace(recipe, bounds=bounds, flows=flows)


def _with_flows(recipe: Recipe, flows: tuple[Flow, ...]) -> Recipe:
    named = dict(zip(recipe.loops, recipe.bounds, strict=True))
    return replace(recipe, flows=tuple(_reorder(f, named, recipe.loops) for f in flows))


def smaller(recipe: Recipe) -> Iterator[Recipe]:
    """Simpler variants of ``recipe``, the biggest simplifications first (not all valid)."""
    if len(recipe.flows) > 1:
        yield replace(recipe, flows=recipe.flows[:1])
    if len(recipe.array_shape) > 1:
        yield _with_flows(recipe, tuple(Flow(f.splits[:1], f.order) for f in recipe.flows))
    for index, bound in enumerate(recipe.bounds):
        for new in sorted({1, 2, bound // 2, bound - 1}):
            if 1 <= new < bound:
                yield _with_bounds(recipe, recipe.bounds[:index] + (new,)
                                   + recipe.bounds[index + 1:])
    for d, size in enumerate(recipe.array_shape):
        for new in range(2, size):
            yield _with_flows(recipe, tuple(
                Flow(tuple(replace(s, size=new) if i == d else s
                           for i, s in enumerate(f.splits)), f.order) for f in recipe.flows))
    plain = ("int8",) * (len(recipe.dtypes) - 1) + ("int32",)
    for index, dtype in enumerate(recipe.dtypes):
        if dtype != plain[index]:
            yield replace(recipe, dtypes=recipe.dtypes[:index] + (plain[index],)
                          + recipe.dtypes[index + 1:])
    if recipe.stride > 1:
        yield replace(recipe, stride=1)
    if recipe.dilation > 1:
        yield replace(recipe, dilation=1)
    for i, flow in enumerate(recipe.flows):
        splits = tuple(replace(s, blocked=True) for s in flow.splits)
        order = tuple(loop for loop in TEMPLATES[recipe.template][0] if loop in flow.order)
        for simpler in (Flow(splits, flow.order), Flow(flow.splits, order)):
            if simpler != flow:
                yield replace(recipe, flows=recipe.flows[:i] + (simpler,) + recipe.flows[i + 1:])


def shrink(recipe: Recipe, still_fails: Callable[[Recipe], bool], budget: int = 24,
           on_step: Callable[[Recipe], None] | None = None) -> Recipe:
    """The smallest variant found that ``still_fails``, trying at most ``budget`` variants."""
    tried: set[Recipe] = {recipe}
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in smaller(recipe):
            if candidate in tried or not _valid(candidate):
                continue
            tried.add(candidate)
            budget -= 1
            if still_fails(candidate):
                recipe, improved = candidate, True
                if on_step:
                    on_step(recipe)
                break
            if budget <= 0:
                break
    return recipe
