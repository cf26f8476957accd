"""The back-end passes, in order. Each reads only the ADG and the results of the passes before
it; ``lego gen --dump-after PASS`` prints the stable text of what a pass produced."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from lego.backend.delay_table import ecp5_delays
from lego.backend.design import Design
from lego.backend.lower import lower
from lego.backend.pipeline import pipeline
from lego.backend.ports import PortPlan, assign_ports
from lego.backend.primitives import DelayModel
from lego.backend.rmw import read_after_write
from lego.backend.schedule import Schedule
from lego.frontend.adg import ADG
from lego.pass_list import run_in_order

__all__ = ["RELAXED_PERIOD_NS", "BackendState", "PASSES", "PASS_NAMES", "run_backend",
           "dump_after"]

# The default clock period: long enough that a design gets no pipeline registers beyond the
# ones its dataflow needs, unless a combinational chain is longer still (a reduction column of
# ~100 FUs at 32 bits is, by the delay model's numbers).
RELAXED_PERIOD_NS = 100.0


@dataclass(frozen=True)
class BackendState:
    adg: ADG
    period_ns: float = RELAXED_PERIOD_NS
    delays: DelayModel = field(default_factory=ecp5_delays)
    design: Design | None = None
    schedule: Schedule | None = None
    ports: PortPlan | None = None
    verilog: str | None = None
    stage_hint: tuple[tuple[str, int], ...] | None = None  # lego.backend.pipeline's hint


def _rtl(state: BackendState) -> BackendState:
    # Amaranth is imported only when Verilog is wanted (sim/ runs the passes before it)
    from lego.backend.rtl.library import build_library
    from lego.backend.rtl.top import Accelerator
    from lego.backend.rtl.verilog_text import convert

    library, fus = build_library(state.design, state.schedule, state.ports)
    top = Accelerator(state.design, state.schedule, state.ports, library, fus)
    text = convert(top, state.design.name)
    return replace(state, verilog=text + library.verilog())


PASSES = (
    # lower first: the primitive graph (operators, control predicates, memory ports) is what
    # the LP times and the RTL builds.
    ("lower", lambda s: replace(s, design=lower(s.adg, s.delays, s.period_ns))),
    # pipeline needs every primitive's delay and latency; its stages decide the registers the
    # RTL emits and the drain the controller and sim/ count.
    ("pipeline", lambda s: replace(s, schedule=pipeline(
        s.design.graph, s.period_ns, s.delays, tuple(read_after_write(s.design)),
        s.stage_hint))),
    # ports needs the stages: which memory primitives may share a RAM port depends on the
    # cycles they are enabled in, and those are the steps shifted by the stages.
    ("ports", lambda s: replace(s, ports=assign_ports(s.design, s.schedule))),
    # rtl last: Amaranth elaborates the design, its schedule and its RAM ports into Verilog.
    ("rtl", _rtl),
)
PASS_NAMES = tuple(name for name, _ in PASSES)


def run_backend(adg: ADG, period_ns: float | None = None, delays: DelayModel | None = None,
                stop_after: str | None = None, timer=None, stage_hint=None) -> BackendState:
    """Run the passes in order (up to and including ``stop_after``). ``timer(name, seconds)``
    is called after each pass when given; ``stage_hint``: see lego.backend.pipeline."""
    state = BackendState(adg, RELAXED_PERIOD_NS if period_ns is None else period_ns,
                         delays or ecp5_delays(), stage_hint=stage_hint)
    # Amaranth's elaboration (rtl) leaves garbage in reference cycles (~30 MB on the fused
    # 16x16 design): the collector keeps running there
    return run_in_order(PASSES, state, stop_after, timer, collect_in=("rtl",))


def dump_after(state: BackendState, name: str) -> str:
    """The stable text form of what pass ``name`` produced."""
    if name == "lower":
        return state.design.dump()
    if name == "pipeline":
        return state.schedule.dump()
    if name == "ports":
        return state.ports.dump()
    return state.verilog.rstrip("\n")
