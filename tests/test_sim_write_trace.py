"""The predicted output write trace: every output element written once at its own bank and
address (lego.backend.layout), in cycles that follow the schedule, the last one right before
done; and the trace comparison's words."""

from pathlib import Path

import pytest

from lego.backend.layout import placement
from lego.backend.passes import run_backend
from lego.backend.schedule import drain_cycles
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from sim.design import simulate_design
from sim.write_trace import first_difference, predicted_writes

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
SMALL = sorted(p.name for p in SPECS.glob("*.yaml") if "16x16" not in p.name)


def _generated(name, period=None):
    adg = run_passes(load_spec(SPECS / name)).adg
    state = run_backend(adg, period, stop_after="pipeline")
    return adg, state.design, state.schedule


@pytest.mark.parametrize("name", SMALL)
def test_every_output_word_is_written_and_done_follows_the_last_write(name):
    adg, design, schedule = _generated(name)
    runs = simulate_design(design, schedule)
    output = next(t for t in design.tensors if t.role == "output")
    for flow, run in zip(design.flows, runs, strict=True):
        writes = predicted_writes(design, schedule, flow.index)
        banks, addresses = placement(adg, flow.name, output.name)
        words = set(zip(banks.ravel().tolist(), addresses.ravel().tolist(), strict=True))
        assert {(b, a) for _, _, b, a in writes} == words
        assert max(c for c, *_ in writes) + 1 == run.cycles  # done: the cycle after
        assert min(c for c, *_ in writes) >= 1


def test_a_fused_design_drains_each_dataflow_for_its_own_writes():
    _, design, schedule = _generated("gemm_os_ws_fused_4x4.yaml", 5.0)
    drains = drain_cycles(design, schedule)
    for flow in design.flows:
        last = max(c for c, *_ in predicted_writes(design, schedule, flow.index))
        assert last == flow.num_steps + drains[flow.index]


def test_first_difference_names_the_write():
    trace = [(3, "C", 0, 1), (4, "C", 1, 0)]
    assert first_difference([list(w) for w in reversed(trace)], trace) is None
    assert first_difference(trace[:1], trace) == ("RTL never wrote [4, 'C', 1, 0] (1 writes "
                                                  "measured, 2 predicted)")
    assert first_difference([(3, "C", 0, 1), (5, "C", 1, 0)], trace) == \
        "write 1: RTL [5, 'C', 1, 0], predicted [4, 'C', 1, 0]"
    assert first_difference(trace + [(9, "C", 2, 2)], trace).startswith("RTL also wrote")
