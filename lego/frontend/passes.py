"""The front-end passes, in order. Each reads only the results of the passes before it."""

from __future__ import annotations

from dataclasses import dataclass, replace

from lego.frontend.adg import ADG, build_adg
from lego.frontend.fusion import Fusion, fuse_dataflows
from lego.frontend.interconnect import Interconnect, synthesize_interconnect
from lego.frontend.memory import MemorySystem, plan_memory
from lego.frontend.reuse import Reuse, analyze_reuse
from lego.ir import Spec
from lego.pass_list import run_in_order

__all__ = ["State", "PASSES", "PASS_NAMES", "run_passes", "dump_after"]


@dataclass(frozen=True)
class State:
    spec: Spec
    reuse: Reuse | None = None
    interconnect: Interconnect | None = None
    fusion: Fusion | None = None
    memory: MemorySystem | None = None
    adg: ADG | None = None


PASSES = (
    # reuse first: every later pass consumes its reuse vectors.
    ("reuse", lambda s: replace(s, reuse=analyze_reuse(s.spec))),
    # interconnect needs the reuse vectors; it builds each dataflow's forest on its own, which
    # is the independent-forests baseline that fusion reports against.
    ("interconnect", lambda s: replace(s, interconnect=synthesize_interconnect(s.spec, s.reuse))),
    # fusion rebuilds the forests in dataflow order preferring shared edges; it must come
    # before memory because the memory ports are the FUs its final forests feed from memory.
    ("fusion", lambda s: replace(s, fusion=fuse_dataflows(s.spec, s.reuse, s.interconnect))),
    # memory needs the final forests (ports) and the reuse (strides, validity, flags).
    ("memory", lambda s: replace(s, memory=plan_memory(s.spec, s.reuse, s.fusion))),
    # the ADG packages everything; the back end reads only it.
    ("adg", lambda s: replace(s, adg=build_adg(s.spec, s.reuse, s.fusion, s.memory))),
)
PASS_NAMES = tuple(name for name, _ in PASSES)


def run_passes(spec: Spec, stop_after: str | None = None, timer=None) -> State:
    """Run the passes in order (up to and including ``stop_after``). ``timer(name, seconds)``
    is called after each pass when given."""
    return run_in_order(PASSES, State(spec), stop_after, timer)


def dump_after(state: State, name: str) -> str:
    """The stable text form of the IR a pass produced."""
    return getattr(state, name).dump()
