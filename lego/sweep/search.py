"""``search: {nsga2: ...}``: a seeded multi-objective search over the sweep's grid with NSGA-II
(optuna's ask/tell interface; the optional extra ``lego[search]``) instead of the whole grid.

Each generation asks for ``population`` points, runs them through the first stage (the store
answers the ones it already has, so a killed search resumes) and tells the search their
objective values in the order it asked. Every axis is a categorical choice of the index of its
value, so values may be lists or mappings. A point the ``where:`` filter drops, or that is not
``ok``, is told as failed. The same file, seed and results give the same points."""

from __future__ import annotations

from collections.abc import Callable

from lego.errors import LegoError
from lego.sweep.metrics import METRICS
from lego.sweep.points import Point, point_of
from lego.sweep.sweepfile import Sweep

__all__ = ["search_points"]


def _optuna():
    try:
        import optuna
    except ImportError:
        raise LegoError("search: nsga2 needs optuna: pip install 'lego[search]'") from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def search_points(sweep: Sweep, evaluate: Callable[[list[Point]], dict[str, dict | None]]
                  ) -> list[Point]:
    """The points the search visited, in the order it first asked for them. ``evaluate``
    runs points through the first stage: key -> metrics, or None when not ok."""
    optuna = _optuna()
    generations, population, seed = sweep.search
    first = sweep.stages[0][0]
    objectives = [(m, d) for m, d in sweep.objectives if m in METRICS[first]]
    study = optuna.create_study(
        directions=["minimize" if d == "min" else "maximize" for _, d in objectives],
        sampler=optuna.samplers.NSGAIISampler(population_size=population, seed=seed))
    space = {name: optuna.distributions.CategoricalDistribution(list(range(len(values))))
             for name, values in sweep.axes}
    visited: dict[str, Point] = {}
    for _ in range(generations):
        trials = [study.ask(space) for _ in range(population)]
        points = [point_of(sweep, {name: values[trial.params[name]]
                                   for name, values in sweep.axes}) for trial in trials]
        results = evaluate(list({p.key: p for p in points if p is not None}.values()))
        for trial, point in zip(trials, points, strict=True):
            metrics = None if point is None else results.get(point.key)
            if metrics is None or any(m not in metrics for m, _ in objectives):
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            else:
                study.tell(trial, [metrics[m] for m, _ in objectives])
            if point is not None:
                visited.setdefault(point.key, point)
    return list(visited.values())
