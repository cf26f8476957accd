"""One ``lego fuzz`` session: check a seeded batch of random specs, shrink each failure and
write it under the regressions folder; used by the command and by benchmarks/fuzz.py."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lego.errors import LegoError
from lego.fuzz.recipe import Recipe
from lego.fuzz.run import Outcome, check, draw, regression_text, spec_name, tight_period
from lego.fuzz.shrink import shrink

__all__ = ["fuzz", "check_at", "describe", "shrink_failure", "keep"]


def describe(recipe: Recipe) -> str:
    shape = "x".join(map(str, recipe.array_shape))
    return f"{recipe.template} {shape} array, {len(recipe.flows)} dataflow(s)"


def check_at(recipe: Recipe, period: float | str | None, seeds: int
             ) -> tuple[float | None, Outcome]:
    """The period used (``tight``: computed for the spec) and the outcome."""
    try:
        used = tight_period(recipe) if period == "tight" else period
    except LegoError as error:
        return None, Outcome("rejected", str(error))
    except Exception as error:  # noqa: BLE001 - lowering crashed: a bug to report
        return None, Outcome("crash", f"{type(error).__name__}: {error}"[:300])
    return used, check(recipe, used, seeds)


def shrink_failure(recipe: Recipe, outcome: Outcome, period, seeds: int, budget: int,
            say: Callable[[str], None]) -> tuple[Recipe, Outcome, float | None]:
    """The smallest variant failing the same way, its outcome and period."""
    last: dict = {}

    def still_fails(candidate: Recipe) -> bool:
        used, result = check_at(candidate, period, seeds)
        if result.status == outcome.status:
            last[candidate] = (result, used)
            return True
        return False

    small = shrink(recipe, still_fails, budget,
                   on_step=lambda r: say(f"    shrunk to {describe(r)} {r.bounds}"))
    result, used = last.get(small, (outcome, None))
    return small, result, used


def fuzz(count: int, seed: int, period, seeds: int, budget: int, regressions: Path,
         say: Callable[[str], None] = print) -> list[Path]:
    """Check ``count`` specs of ``seed``; returns the regression files written."""
    recipes = draw(count, seed)
    tally: Counter = Counter()
    written = []
    for index, recipe in enumerate(recipes):
        used, outcome = check_at(recipe, period, seeds)
        tally[outcome.status] += 1
        at = f" at {used} ns" if used else ""
        say(f"{index + 1:>4}/{len(recipes)} {spec_name(recipe)} ({describe(recipe)}){at}: "
            f"{outcome.status}{': ' + outcome.detail if outcome.detail else ''}")
        sys.stdout.flush()
        if outcome.bad:
            small, result, small_period = shrink_failure(recipe, outcome, period, seeds,
                                                         budget, say)
            written.append(keep(regressions, small, result, small_period or used,
                                f"lego fuzz --seed {seed}, spec {index + 1}"))
            say(f"    kept {written[-1]}")
    say(f"lego fuzz: {len(recipes)} specs (seed {seed}): "
        + ", ".join(f"{tally[s]} {s}" for s in ("pass", "fail", "crash", "rejected")))
    return written


def keep(regressions: Path, recipe: Recipe, outcome: Outcome, period, found: str) -> Path:
    """Write the shrunk failure (with its first problem) under ``regressions``."""
    from lego.output_folder import write_atomic

    path = regressions / f"{spec_name(recipe)}.yaml"
    text = regression_text(recipe, outcome, period, found)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as error:
        raise LegoError(f"{path}: cannot write: {error.strerror}") from None
    return path
