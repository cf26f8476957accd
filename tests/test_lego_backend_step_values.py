"""The steps a dataflow issues (lego.backend.step_values.issued_steps): its computing steps in
loop order and, before each tile, the bubbles a Flow asks for, their counters held at the
tile's first step and their step-valid bit 0."""

import numpy as np
import pytest

from lego.backend.design import Flow
from lego.backend.step_values import issued_steps


def test_without_bubbles_every_step_computes_in_loop_order():
    counters, valid, _ = issued_steps(Flow("os", 0, (2, 3), ("a", "b")))
    assert [c.tolist() for c in counters] == [[0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]]
    assert valid.tolist() == [True] * 6


def test_bubbles_come_before_each_tile_with_its_first_counters():
    flow = Flow("ws", 0, (2, 3), ("a", "b"), bubbles=2, bubble_level=1)
    counters, valid, _ = issued_steps(flow)
    assert (flow.num_steps, flow.tiles, flow.issued_steps) == (6, 2, 10)
    assert [c.tolist() for c in counters] == [[0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
                                              [0, 0, 0, 1, 2, 0, 0, 0, 1, 2]]
    assert valid.tolist() == [False, False, True, True, True] * 2


def test_level_zero_is_one_tile_bubbles_at_the_start_only():
    flow = Flow("ws", 0, (2, 2), ("a", "b"), bubbles=1)
    counters, valid, _ = issued_steps(flow)
    assert flow.issued_steps == 5 and valid.tolist() == [False] + [True] * 4
    assert np.array_equal(counters[1], [0, 0, 1, 0, 1])


@pytest.mark.parametrize("bubbles, level", [(-1, 0), (1, 3)])
def test_a_flow_refuses_negative_bubbles_and_a_level_past_its_loops(bubbles, level):
    with pytest.raises(ValueError, match="bubbles before tiles"):
        Flow("ws", 0, (2, 2), ("a", "b"), bubbles=bubbles, bubble_level=level)


def test_lowering_refuses_bubbles_in_a_dataflow_with_a_fifo(monkeypatch):
    from pathlib import Path

    import lego.backend.preload as preload
    from lego.backend.lower import lower
    from lego.errors import LegoError
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec

    specs = Path(__file__).resolve().parent.parent / "examples" / "specs"
    adg = run_passes(load_spec(specs / "conv2d_os_4x4.yaml")).adg
    flow = adg.flows[0].name
    assert any(u.kind == "delay" for e in adg.edges for u in e.uses if u.dataflow == flow)
    monkeypatch.setitem(preload.BUBBLES, flow, (1, 0))
    with pytest.raises(LegoError, match="bubbles with a FIFO edge"):
        lower(adg)
