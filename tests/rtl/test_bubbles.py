"""A dataflow that issues bubbles before its tiles (lego.backend.design.Flow) runs on Verilator
as the golden model and sim/ say: values, cycles, SRAM accesses and every output write. The
fused 4x4 at 6 ns: WS's partial sums cross skewed rows and its C is read, added and written
back across the bubbles; OS accumulates in place."""

import pytest

import lego.backend.preload as lower
from lego.verify import verify
from sim.design import simulate_spec
from tests.rtl.test_verify_examples import SPECS

pytestmark = pytest.mark.rtl


def test_bubbles_before_each_tile_keep_the_three_models_agreeing(tmp_path, monkeypatch):
    spec = str(SPECS / "gemm_os_ws_fused_4x4.yaml")
    plain = {run.dataflow: run.cycles for run in simulate_spec(spec, period_ns=6.0)}
    monkeypatch.setitem(lower.BUBBLES, "ws", (3, 2))  # before each of WS's (tk, tj) tiles
    monkeypatch.setitem(lower.BUBBLES, "os", (1, 1))  # before each of OS's ti rows
    summary = verify(spec, seeds=2, period=6.0,
                     out=str(tmp_path / "design"), build_dir=tmp_path / "build")
    assert summary["first_mismatch"] is None and summary["passed"]
    flows = summary["dataflows"]
    assert all(f["models_agree"] for f in flows.values())
    # the RTL's cycles count WS's 4 tiles x 3 bubbles and OS's 2 x 1 (the schedule is the same)
    assert flows["ws"]["rtl_cycles"] == plain["ws"] + 12
    assert flows["os"]["rtl_cycles"] == plain["os"] + 2
