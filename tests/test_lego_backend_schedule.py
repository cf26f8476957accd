"""Read-modify-write of an output in memory is hazard-free: whenever a step reads an output
word back, every earlier step's write of that word has landed (a read in the cycle of a
write returns the old word). Nothing in the LP enforces it yet (a write w stages after its
read-back races a revisit fewer than w steps later), so this property test guards it over the
examples and random specs, at the relaxed and the tight clock (issue 11: a front-end bug once
made an output read, add and write every step, and the next read raced the previous write)."""

import math
import re
from pathlib import Path

import numpy as np
import pytest

from lego.backend.delay_table import ecp5_delays
from lego.backend.passes import run_backend
from lego.backend.pipeline import pipeline, shortest_period
from lego.backend.step_values import StepValues
from lego.errors import LegoError
from lego.frontend.passes import run_passes
from lego.fuzz.run import draw, spec_dict, tight_period
from lego.spec import load_spec, parse_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
REGRESSION = Path(__file__).resolve().parent / "regressions" / "fuzz_conv1d_064d048b.yaml"


def _port_trace(design, stages, values, prim):
    """(step, issue cycle, bank, address) of every access of memory port ``prim``."""
    graph = design.graph
    inputs = [c.src for c in graph.inputs(prim.name)]
    address_net = inputs[0] if prim.kind == "mem_read" else inputs[1]
    width = graph.primitive(address_net).width - design.tensor(prim.params.tensor).bank_bits
    address = np.broadcast_to(values.split(values.net(address_net), width)[0], values.steps)
    return [(int(t), 1 + int(t) + stages[prim.name], bank, int(address[t]))
            for bank, steps in values.accesses(prim.name) for t in steps]


def rmw_races(design, schedule) -> list[str]:
    """Output words a step reads back while an earlier step's write of them has not landed
    (written in the same cycle or later)."""
    stages = dict(schedule.stages)
    output = next(t.name for t in design.tensors if t.role == "output")
    races = []
    for flow in design.flows:
        values = StepValues(design, flow.index)
        written: dict[tuple[int, int], list[tuple[int, int]]] = {}
        reads = []
        for prim in design.graph.primitives():
            if prim.kind in ("mem_read", "mem_write") and prim.params.tensor == output:
                for step, cycle, bank, address in _port_trace(design, stages, values, prim):
                    if prim.kind == "mem_write":
                        written.setdefault((bank, address), []).append((step, cycle))
                    else:
                        reads.append((step, cycle, bank, address))
        for step, cycle, bank, address in reads:
            racing = [c for s, c in written.get((bank, address), []) if s < step and c >= cycle]
            if racing:
                races.append(f"{flow.name}: step {step} reads bank {bank} address {address} "
                             f"in cycle {cycle}, an earlier step writes it in cycle {racing[0]}")
    return races


def _races(spec, period):
    adg = run_passes(spec).adg
    if period == "tight":  # the shortest the back end accepts (as lego fuzz --period tight)
        graph = run_backend(adg, stop_after="lower").design.graph
        period = math.ceil(shortest_period(graph, ecp5_delays()) * 100 + 1e-6) / 100
    state = run_backend(adg, period, stop_after="pipeline")
    return rmw_races(state.design, state.schedule)


@pytest.mark.parametrize("name", sorted(p.name for p in SPECS.glob("*.yaml")
                                        if "16x16" not in p.name))
@pytest.mark.parametrize("period", [None, "tight"])
def test_examples_read_back_only_written_words(name, period):
    assert _races(load_spec(SPECS / name), period) == []


@pytest.mark.parametrize("index", range(24))
def test_random_specs_read_back_only_written_words(index):
    recipe = draw(24, 5)[index]
    spec = parse_spec(spec_dict(recipe))
    assert _races(spec, None) == []
    assert _races(spec, tight_period(recipe)) == []


def test_the_check_sees_the_race_the_front_end_once_made(monkeypatch):
    # the old stationarity rule (bound-1 loops counted as moving) on the regression spec
    import lego.frontend.reuse as reuse

    def old_rule(flow, kt):
        names, count = flow.temporal_names, 0
        while count < len(names) and not kt[:, len(names) - 1 - count].any():
            count += 1
        return names[len(names) - count:]

    monkeypatch.setattr(reuse, "stationary_suffix", old_rule)
    design = run_backend(run_passes(load_spec(REGRESSION)).adg, stop_after="lower").design
    # scheduled without the LP's read-after-write constraints, the check sees the race ...
    races = rmw_races(design, pipeline(design.graph, 100.0, ecp5_delays()))
    found = re.match(r"d0: step 1 reads bank 0 address 0 in cycle (\d+), an earlier step "
                     r"writes it in cycle (\d+)", races[0] if races else "")
    assert found and int(found[2]) >= int(found[1])
    # ... and with them (as the pipeline pass runs it) no schedule exists: a step reads the
    # word the step before it writes, and the read-add-write loop cannot fit in one cycle
    with pytest.raises(LegoError, match="pipelining LP is infeasible"):
        _races(load_spec(REGRESSION), None)
