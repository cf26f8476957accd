"""Every 4x4 example verified on Verilator against the golden model: one build per design,
3 seeds, every dataflow; one design also at a clock period that forces datapath registers."""

from pathlib import Path

import pytest

from lego.verify import verify
from sim.design import simulate_spec

pytestmark = pytest.mark.rtl

SPECS = Path(__file__).resolve().parent.parent.parent / "examples" / "specs"
EXAMPLES = sorted(p.name for p in SPECS.glob("*.yaml") if "16x16" not in p.name)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_matches_golden_model(tmp_path, name):
    summary = verify(str(SPECS / name), seeds=3, out=str(tmp_path / "design"),
                     build_dir=tmp_path / "build")
    assert summary["first_mismatch"] is None
    assert summary["passed"]
    # the three models agree: golden (values, above), RTL and sim/ (cycles, exactly)
    simulated = {run.dataflow: run.cycles for run in simulate_spec(str(SPECS / name))}
    assert {n: f["rtl_cycles"] for n, f in summary["dataflows"].items()} == simulated


def test_tight_period_pipelines_the_datapath_and_still_matches(tmp_path):
    import json

    summary = verify(str(SPECS / "gemm_os_ws_fused_4x4.yaml"), seeds=3, period=4.0,
                     out=str(tmp_path / "design"), build_dir=tmp_path / "build")
    report = json.loads((tmp_path / "design" / "report.json").read_text())
    assert report["timing_constraints"] > 0 and report["pipeline_depth"] >= 3
    assert summary["passed"]
    simulated = {run.dataflow: run.cycles for run in simulate_spec(
        str(SPECS / "gemm_os_ws_fused_4x4.yaml"), period_ns=4.0)}
    assert {n: f["rtl_cycles"] for n, f in summary["dataflows"].items()} == simulated
