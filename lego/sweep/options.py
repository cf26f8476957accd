"""Check one stage's options in a sweep file: the promotion rule, timeout, batch size and the
stage's own options (sim model, kept artifacts, synthesis target, verification seeds)."""

from __future__ import annotations

from lego.sweep.metrics import METRICS
from lego.yamlsource import Located

__all__ = ["check_stage_options", "SIM_MODEL_NAMES", "KEEPABLE", "DEFAULT_TARGET"]

# the sim stage's models (lego.sweep.simmodels has their functions)
SIM_MODEL_NAMES = ("workload", "design", "spec_layers")
# artifacts a stage can keep under DIR/points/<key>/<stage>/
KEEPABLE = {"gen": ("report.json", "verilog", "manifest.json", "adg.json"),
            "synth": ("report.json", "yosys.log"), "pnr": ("report.json", "nextpnr-ecp5.log")}
DEFAULT_TARGET = "ecp5-85k"


def check_stage_options(doc: Located, stage: str, options: dict, earlier: list[str]) -> None:
    """Raise a located error for the first bad option of ``stage`` (``earlier``: the stages
    before it in this sweep)."""
    path = ("stages", stage)
    if "promote" in options:
        _check_promote(doc, path + ("promote",), options["promote"], earlier)
    for key in ("timeout", "freq_mhz"):
        value = options.get(key)
        if key in options and (isinstance(value, bool) or not isinstance(value, int | float)
                               or not value > 0):
            raise doc.error(path + (key,), f"must be a positive number, not {value!r}")
    for key in ("batch", "seeds"):
        value = options.get(key)
        if key in options and (isinstance(value, bool) or not isinstance(value, int)
                               or value < 1):
            raise doc.error(path + (key,), f"must be a positive integer, not {value!r}")
    seed = options.get("seed", 1)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 31:
        raise doc.error(path + ("seed",), f"must be an integer from 0 to {2 ** 31 - 1}, "
                                          f"not {seed!r}")
    if options.get("model", "workload") not in SIM_MODEL_NAMES:
        raise doc.error(path + ("model",), f"unknown sim model {options['model']!r} (models: "
                                           f"{', '.join(SIM_MODEL_NAMES)})")
    keep = options.get("keep", [])
    if not isinstance(keep, list) or any(k not in KEEPABLE.get(stage, ()) for k in keep):
        raise doc.error(path + ("keep",), f"must be a list of {', '.join(KEEPABLE[stage])}, "
                                          f"not {keep!r}")
    if "target" in options:
        from lego.synth.targets import TARGETS

        names = list(TARGETS)
        if options["target"] not in names or (stage == "pnr" and options["target"] == "generic"):
            raise doc.error(path + ("target",), f"unknown target {options['target']!r} "
                                                f"(targets: {', '.join(names)})")


def _check_promote(doc: Located, path: tuple, rule, earlier: list[str]) -> None:
    if not earlier:
        raise doc.error(path, "the first stage runs on every point; only a later stage "
                              "promotes")
    known = sorted({m for stage in earlier for m in METRICS[stage]})
    if isinstance(rule, dict) and set(rule) == {"pareto"}:
        metrics = rule["pareto"]
        if not isinstance(metrics, list) or not metrics:
            raise doc.error(path + ("pareto",), f"must be a list of metrics, not {metrics!r}")
    elif isinstance(rule, dict) and set(rule) == {"top", "by"}:
        top = rule["top"]
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise doc.error(path + ("top",), f"must be a positive integer, not {top!r}")
        metrics = [rule["by"]]
    else:
        raise doc.error(path, f"must be {{pareto: [METRIC, ...]}} or {{top: K, by: METRIC}}, "
                              f"not {rule!r}")
    for metric in metrics:
        if metric not in known:
            raise doc.error(path, f"{metric!r} is not recorded by an earlier stage "
                                  f"(metrics: {', '.join(known)})")

