"""Read a sweep file (YAML) into a :class:`Sweep`. Every problem is one SpecError naming the
file, the line and the field, raised before anything runs.

    name: resnet18_arrays
    base: ../specs/gemm_preset_4x4.yaml   # a spec file (relative to this file) or a spec mapping
    axes:                                   # grid axes: a spec field path, workload.X or period
      array: [[8, 8], [16, 16]]
      preset: [gemm-os, gemm-ws]
      workload.sram_kib: [8, 32]
    where: "array[0] <= 16 or preset == 'gemm-os'"
    workload: {layers: layers.csv, dram_bw: 16}
    sample: {random: 20, seed: 1}          # optional: a seeded random subset of the grid
    stages:
      sim: {}
      gen: {promote: {pareto: [cycles, energy_uj]}}
    objectives: {cycles: min, energy_uj: min}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lego.errors import SpecError
from lego.sweep.expr import Expr, ExprError, parse_expr
from lego.sweep.metrics import DIRECTIONS, METRICS, STAGE_OPTIONS, STAGES
from lego.sweep.options import check_stage_options
from lego.sweep.workload import WORKLOAD_FIELDS, Workload, read_workload
from lego.yamlsource import Located, load_yaml, read_input

__all__ = ["Sweep", "load_sweep", "parse_sweep_text"]

_TOP_FIELDS = ("name", "description", "base", "axes", "where", "workload", "period", "sample",
               "search", "stages", "objectives")
# the first part of an axis path that names a spec field (general or preset form)
_SPEC_FIELDS = ("name", "description", "loops", "statement", "dtypes", "dataflows", "preset",
                "size", "array")
_MAX_POINTS = 1_000_000


@dataclass(frozen=True)
class Sweep:
    source: str
    name: str
    base: dict                              # the spec, as loaded (preset or general form)
    axes: tuple[tuple[str, tuple], ...]     # (axis path, values), in file order
    where: Expr | None
    workload: Workload
    period: float | None
    sample: tuple[int, int] | None          # (points, seed) of a random subset
    search: tuple[int, int, int] | None     # NSGA-II (generations, population, seed)
    stages: tuple[tuple[str, dict], ...]    # (stage, options), cheapest first
    objectives: tuple[tuple[str, str], ...]  # (metric, min|max)
    text: str                               # the file as read, kept in the store
    lines: tuple[tuple[str, int], ...] = ()  # field -> line, for errors found when expanding

    def error(self, field: str, message: str) -> SpecError:
        return SpecError(message, file=self.source, field=field, line=dict(self.lines).get(field))

    @property
    def axis_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.axes)

    def stage_options(self, stage: str) -> dict:
        return dict(self.stages)[stage]


def load_sweep(path: str | Path) -> Sweep:
    path = Path(path)
    text = read_input(path, "sweep file")
    return parse_sweep_text(text, str(path), path.parent)


def parse_sweep_text(text: str, source: str, folder: Path) -> Sweep:
    """``folder`` is where relative file names (base, workload.layers) are found."""
    doc = load_yaml(text, source)
    data = doc.value
    if not isinstance(data, dict):
        raise SpecError("a sweep file must be a mapping of fields", file=source,
                        line=doc.line(()))
    for key in data:
        if key not in _TOP_FIELDS:
            raise doc.error((key,), f"unknown field {key!r} (fields: {', '.join(_TOP_FIELDS)})")
    name = data.get("name", Path(source).stem)
    if not isinstance(name, str) or not name:
        raise doc.error(("name",), f"must be a non-empty string, not {name!r}")
    axes = _axes(doc, data)
    names = {axis for axis, _ in axes}
    where = _where(doc, data, names)
    stages = _stages(doc, data)
    _check_size(doc, axes)
    return Sweep(
        source=source, name=name, base=_base(doc, data, folder), axes=axes, where=where,
        workload=read_workload(doc, data.get("workload", {}), folder,
                               {a for a in names if a.startswith("workload.")}),
        period=_period(doc, data), sample=_sample(doc, data), search=_search(doc, data, stages),
        stages=stages, objectives=_objectives(doc, data, [s for s, _ in stages]), text=text,
        lines=tuple((f"axes.{a}", doc.line(("axes", a))) for a in names)
        + (("where", doc.line(("where",))),))


def _base(doc: Located, data: dict, folder: Path) -> dict:
    if "base" not in data:
        raise doc.error(("base",), "required field is missing (a spec file or a spec mapping)")
    base = data["base"]
    if isinstance(base, dict):
        return base
    if not isinstance(base, str):
        raise doc.error(("base",), f"must be a spec file name or a spec mapping, not {base!r}")
    path = folder / base
    try:
        spec_text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a UTF-8 text file"
        raise doc.error(("base",), f"cannot read spec file {str(path)!r}: {reason}") from None
    spec = load_yaml(spec_text, str(path)).value
    if not isinstance(spec, dict):
        raise doc.error(("base",), f"{str(path)!r} holds no spec mapping")
    return spec


def _axes(doc: Located, data: dict) -> tuple[tuple[str, tuple], ...]:
    axes = data.get("axes", {})
    if not isinstance(axes, dict):
        raise doc.error(("axes",), f"must be a mapping of axis paths to value lists, not "
                                   f"{axes!r}")
    out = []
    for name, values in axes.items():
        head = name.split(".")[0]
        if name.startswith("workload."):
            if name[len("workload."):] not in WORKLOAD_FIELDS:
                raise doc.error(("axes", name), f"unknown workload field (fields: "
                                                f"{', '.join(WORKLOAD_FIELDS)})")
        elif name != "period" and head not in _SPEC_FIELDS:
            raise doc.error(("axes", name), f"not a spec field, workload.FIELD or period "
                                            f"(spec fields: {', '.join(_SPEC_FIELDS)})")
        if not isinstance(values, list) or not values:
            raise doc.error(("axes", name), f"must be a non-empty list of values, not "
                                            f"{values!r}")
        seen = []
        for index, value in enumerate(values):
            if value in seen:
                raise doc.error(("axes", name, index), f"value {value!r} is listed twice")
            seen.append(value)
        out.append((name, tuple(values)))
    return tuple(out)


def _check_size(doc: Located, axes) -> None:
    total = 1
    for _, values in axes:
        total *= len(values)
    if total > _MAX_POINTS:
        raise doc.error(("axes",), f"the grid has {total} points, more than {_MAX_POINTS}; "
                                   "use sample: {random: N, seed: S}")


def _where(doc: Located, data: dict, names: set[str]) -> Expr | None:
    if "where" not in data:
        return None
    try:
        return parse_expr(data["where"], frozenset(names))
    except ExprError as error:
        raise doc.error(("where",), str(error)) from None


def _period(doc: Located, data: dict) -> float | None:
    value = data.get("period")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)
                              or not value > 0):
        raise doc.error(("period",), f"must be a positive number of ns, not {value!r}")
    return value


def _sample(doc: Located, data: dict) -> tuple[int, int] | None:
    if "sample" not in data:
        return None
    sample = data["sample"]
    if not isinstance(sample, dict) or set(sample) != {"random", "seed"}:
        raise doc.error(("sample",), f"must be {{random: POINTS, seed: SEED}}, not {sample!r}")
    for key in ("random", "seed"):
        value = sample[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < (key == "random"):
            kind = "positive" if key == "random" else "non-negative"
            raise doc.error(("sample", key), f"must be a {kind} integer, not {value!r}")
    return sample["random"], sample["seed"]


def _search(doc: Located, data: dict, stages) -> tuple[int, int, int] | None:
    """``search: {nsga2: {generations: G, population: P, seed: S}}``: a seeded multi-objective
    search over the grid on the first stage's objectives instead of the whole grid."""
    if "search" not in data:
        return None
    if "sample" in data:
        raise doc.error(("search",), "use either sample: or search:, not both")
    search = data["search"]
    fields = {"generations", "population", "seed"}
    if not isinstance(search, dict) or set(search) != {"nsga2"} \
            or not isinstance(search["nsga2"], dict) or set(search["nsga2"]) != fields:
        raise doc.error(("search",), "must be {nsga2: {generations: G, population: P, "
                                     f"seed: S}}}}, not {search!r}")
    for key in sorted(fields):
        value = search["nsga2"][key]
        low = 0 if key == "seed" else 2 if key == "population" else 1
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise doc.error(("search", "nsga2", key), f"must be an integer >= {low}, "
                                                      f"not {value!r}")
    first = stages[0][0]
    if not any(m in METRICS[first] for m in data.get("objectives", {}) or {}):
        raise doc.error(("search",), f"needs an objective the first stage ({first}) records")
    nsga2 = search["nsga2"]
    return nsga2["generations"], nsga2["population"], nsga2["seed"]


def _stages(doc: Located, data: dict) -> tuple[tuple[str, dict], ...]:
    stages = data.get("stages", {"sim": {}})
    if not isinstance(stages, dict) or not stages:
        raise doc.error(("stages",), f"must be a mapping of stage names to options, not "
                                     f"{stages!r}")
    order = []
    for name, options in stages.items():
        if name not in STAGES:
            raise doc.error(("stages", name), f"unknown stage (stages, cheapest first: "
                                              f"{', '.join(STAGES)})")
        options = {} if options is None else options
        if not isinstance(options, dict):
            raise doc.error(("stages", name), f"options must be a mapping, not {options!r}")
        for key in options:
            if key not in STAGE_OPTIONS[name]:
                raise doc.error(("stages", name, key), f"unknown option (options of {name}: "
                                                       f"{', '.join(STAGE_OPTIONS[name])})")
        order.append((name, options))
    ranks = [STAGES.index(name) for name, _ in order]
    if ranks != sorted(ranks):
        raise doc.error(("stages",), f"list the stages cheapest first: "
                                     f"{', '.join(s for s in STAGES if s in stages)}")
    for index, (name, options) in enumerate(order):
        check_stage_options(doc, name, options, [s for s, _ in order[:index]])
    return tuple(order)


def _objectives(doc: Located, data: dict, stages: list[str]) -> tuple[tuple[str, str], ...]:
    objectives = data.get("objectives", {})
    if not isinstance(objectives, dict):
        raise doc.error(("objectives",), f"must be a mapping of metric to min or max, not "
                                         f"{objectives!r}")
    known = sorted({m for stage in stages for m in METRICS[stage]})
    for metric, direction in objectives.items():
        if metric not in known:
            raise doc.error(("objectives", metric), f"no stage of this sweep records it "
                                                    f"(metrics: {', '.join(known)})")
        if direction not in DIRECTIONS:
            raise doc.error(("objectives", metric), f"must be min or max, not {direction!r}")
    return tuple(objectives.items())
