"""Random differential testing: draw specs (:mod:`lego.fuzz.recipe`), verify each on Verilator
against the golden model and ``lego sim`` (:func:`lego.verify.verify`), shrink every failure
to a small spec that still fails the same way (:mod:`lego.fuzz.shrink`) and keep it under
tests/regressions/ with its first mismatch."""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from lego.errors import LegoError
from lego.fuzz.recipe import TEMPLATES, Recipe, recipes, spec_dict
from lego.toolchain import output_to

__all__ = ["Outcome", "draw", "check", "tight_period", "regression_text"]


@dataclass(frozen=True)
class Outcome:
    """``pass``; ``fail`` (a value differs from the golden model, or RTL and sim/ disagree
    on cycles or SRAM accesses); ``crash`` (an exception inside lego: a bug); ``rejected``
    (lego refused the valid spec with a user error: a limitation to look at)."""

    status: str
    detail: str = ""

    @property
    def bad(self) -> bool:
        return self.status in ("fail", "crash")


def draw(count: int, seed: int) -> list[Recipe]:
    """``count`` distinct recipes, the same for the same seed. Hypothesis explores by
    mutating what it drew before, so one run dwells on a few templates: a larger pool is
    drawn and taken from round robin by template."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    pool: dict[str, list[Recipe]] = {name: [] for name in TEMPLATES}

    @settings(max_examples=8 * count + 40, phases=[Phase.generate], database=None,
              deadline=None, suppress_health_check=list(HealthCheck))
    @seeded(seed)
    @given(recipes())
    def collect(recipe):
        if recipe not in pool[recipe.template]:
            pool[recipe.template].append(recipe)

    collect()
    found: list[Recipe] = []
    for index in range(max(map(len, pool.values()))):
        found += [drawn[index] for drawn in pool.values() if index < len(drawn)]
    return found[:count]


def spec_name(recipe: Recipe) -> str:
    """A name that says what the spec is and is the same for the same recipe."""
    digest = hashlib.sha256(repr(recipe).encode()).hexdigest()[:8]
    return f"fuzz_{recipe.template}_{digest}"


def spec_text(recipe: Recipe, header: str = "") -> str:
    return header + yaml.safe_dump(spec_dict(recipe, spec_name(recipe)), sort_keys=False,
                                   default_flow_style=None, width=100)


_TIGHT_TRIES = 40  # 2 % steps: up to 2.2 times the shortest single-primitive period


def tight_period(recipe: Recipe) -> float:
    """The shortest clock period the back end accepts for the spec (its slowest primitive
    alone, with the register overhead, by the default delay table), rounded up to 0.01 ns:
    the LP must then pipeline nearly everything."""
    from lego.backend.delay_table import ecp5_delays
    from lego.backend.passes import run_backend
    from lego.backend.pipeline import shortest_period
    from lego.frontend.passes import run_passes
    from lego.spec import parse_spec

    adg = run_passes(parse_spec(spec_dict(recipe, spec_name(recipe)))).adg
    design = run_backend(adg, stop_after="lower").design
    period = math.ceil(shortest_period(design.graph, ecp5_delays()) * 100 + 1e-6) / 100
    # a loop (an accumulator, a read-modify-write) must also fit the cycles it spans: the
    # first period up from there, in 2 % steps, at which the LP is feasible
    for _ in range(_TIGHT_TRIES):
        try:
            run_backend(adg, period, stop_after="pipeline")
            return period
        except LegoError:
            period = math.ceil(period * 102) / 100
    return period


def check(recipe: Recipe, period: float | None, seeds: int = 2,
          build_dir: Path | None = None) -> Outcome:
    """Verify one recipe (a scratch folder, removed after)."""
    from lego.verify import verify

    work = Path(tempfile.mkdtemp(prefix="lego-fuzz-"))
    try:
        path = work / f"{spec_name(recipe)}.yaml"
        path.write_text(spec_text(recipe))
        try:
            with output_to(work / "tools.log"):
                summary = verify(str(path), seeds=seeds, period=period,
                                 out=str(work / "design"), build_dir=build_dir or work / "build")
        except LegoError as error:
            text = str(error).replace(str(work) + "/", "")
            # the bench died or the Verilog did not build: ours, not the spec's
            broken = any(s in text for s in _BROKEN_RUN)
            return Outcome("fail" if broken else "rejected", text + _bench_error(work))
        except Exception as error:  # noqa: BLE001 - any other exception is a bug we report
            return Outcome("crash", f"{type(error).__name__}: {error}"[:300])
        return Outcome("pass") if summary["passed"] else Outcome("fail", _first_problem(summary))
    finally:
        shutil.rmtree(work, ignore_errors=True)


_BROKEN_RUN = ("simulation produced no results", "building the simulation failed")


def _bench_error(work: Path) -> str:
    """The first error line of the cocotb log, when the bench itself failed."""
    try:
        lines = (work / "tools.log").read_text(errors="replace").splitlines()
    except OSError:
        return ""
    found = [line.strip() for line in lines if "Error" in line or "%Error" in line]
    return f" [{found[0][:200]}]" if found else ""




def _first_problem(summary: dict) -> str:
    bad = summary["first_mismatch"]
    if bad is not None:
        return (f"seed {bad['seed']} dataflow {bad['dataflow']}: {bad['tensor']}{bad['coord']} "
                f"= {bad['got']}, expected {bad['expected']}")
    for name, flow in summary["dataflows"].items():
        if not flow["models_agree"]:
            sram = "equal" if flow["rtl_sram"] == flow["sim_sram"] else "differ"
            return (f"dataflow {name}: RTL and sim/ disagree: cycles {flow['rtl_cycles']} vs "
                    f"{flow['sim_cycles']}, SRAM accesses {sram}")
        if not flow["passed"]:
            return f"dataflow {name}: not every run finished"
    return "failed"


def regression_text(recipe: Recipe, outcome: Outcome, period: float | None,
                    found: str) -> str:
    """The regression file: what failed and how, then the spec."""
    header = (f"# Found by random differential testing ({found}) and shrunk.\n"
              f"# lego verify THIS --seeds 2{f' --period {period}' if period else ''}: "
              f"{outcome.status}\n# first problem: {outcome.detail}\n"
              "# status: open (remove this line once the spec verifies)\n")
    return spec_text(recipe, header)
