"""Preloads on Verilator at clocks that skew the rows (the LP registers the chain between
rows): values as the golden model, cycles, SRAM accesses and every write as sim/. The fused
example at its default clock is verified with every example (test_verify_examples.py)."""

import pytest

from lego.verify import verify
from tests.rtl.test_verify_examples import SPECS

pytestmark = pytest.mark.rtl

WS_ONLY = (SPECS / "gemm_ws_4x4.yaml").read_text().replace("name: gemm_ws_4x4",
                                                            "name: gemm_ws_preload_4x4")


@pytest.mark.parametrize("case, period", [("fused", 6.0), ("ws", 5.0)])
def test_preloaded_weights_match_the_golden_model_and_sim(tmp_path, case, period):
    if case == "fused":
        spec = SPECS / "gemm_os_ws_preload_4x4.yaml"
    else:
        spec = tmp_path / "ws.yaml"
        spec.write_text(WS_ONLY.rstrip("\n") + "\n    preload: {B: p}\n")
    summary = verify(str(spec), seeds=2, period=period, out=str(tmp_path / "design"),
                     build_dir=tmp_path / "build")
    assert summary["first_mismatch"] is None and summary["passed"]
    assert all(f["models_agree"] for f in summary["dataflows"].values())
