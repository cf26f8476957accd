"""The cycle check is independent of the drain it checks: the bench records every output write
from the RTL's own RAM write ports and sim/ predicts them from the schedule. A controller whose
drain is one cycle short or long (a mutation of what lego.backend.schedule.drain_cycles gives
it) fails lego verify: short, done comes before the last write (it goes missing from the
trace); long, done comes two cycles after it."""

from pathlib import Path

import pytest

import lego.backend.rtl.top as top
from lego.backend.schedule import drain_cycles
from lego.verify import verify

pytestmark = pytest.mark.rtl

SPEC = str(Path(__file__).resolve().parent.parent.parent / "examples" / "specs"
           / "gemm_os_ws_fused_4x4.yaml")
PERIOD = 5.0  # pipelined: every dataflow has a drain of a few cycles


def _verify_with_drain_off_by(tmp_path, monkeypatch, delta):
    drains = []

    def mutated(design, schedule):
        drains.append(drain_cycles(design, schedule))
        return tuple(d + delta for d in drains[-1])

    monkeypatch.setattr(top, "drain_cycles", mutated)
    summary = verify(SPEC, seeds=1, period=PERIOD, out=str(tmp_path / "d"),
                     build_dir=tmp_path / "b")
    assert drains and min(drains[0]) >= 1
    return summary


def test_a_drain_one_cycle_short_loses_a_write(tmp_path, monkeypatch):
    summary = _verify_with_drain_off_by(tmp_path, monkeypatch, -1)
    assert not summary["passed"]
    for flow in summary["dataflows"].values():
        assert flow["write_trace"].startswith("RTL never wrote"), flow["write_trace"]
        assert not flow["models_agree"]


def test_a_drain_one_cycle_long_fails_the_done_timing(tmp_path, monkeypatch):
    summary = _verify_with_drain_off_by(tmp_path, monkeypatch, +1)
    assert not summary["passed"]
    for flow in summary["dataflows"].values():
        assert flow["write_trace"] == "equal" and flow["done_after_last_write"] == 2
        assert not flow["models_agree"]


def test_the_unmutated_design_writes_as_predicted(tmp_path):
    summary = verify(SPEC, seeds=1, period=PERIOD, out=str(tmp_path / "d"),
                     build_dir=tmp_path / "b")
    assert summary["passed"]
    # OS drains in 9 cycles, WS in 10, the same steps: each run ends with its own drain
    assert len({flow["rtl_cycles"] for flow in summary["dataflows"].values()}) == 2
    for flow in summary["dataflows"].values():
        assert flow["write_trace"] == "equal" and flow["done_after_last_write"] == 1
        assert flow["rtl_writes"] == flow["sim_writes"] > 0
