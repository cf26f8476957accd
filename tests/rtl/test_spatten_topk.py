"""RTL tests of the SpAtten top-k engine: two Verilator builds, many cases per simulation."""

from __future__ import annotations

import pytest
from amaranth.back import verilog

from lego.spatten.topk import TopK
from lego.spatten.topk_params import TopKParams
from lego.toolchain import cocotb_outcomes, lint_verilog, run_cocotb

pytestmark = pytest.mark.rtl

# small build: corner cases and random runs; big build: the benchmark design point (n = 1024)
DESIGNS = {
    "p4_n64": dict(parallelism=4, score_width=8, index_width=6, max_n=64),
    "p16_n1024": dict(parallelism=16, score_width=16, index_width=10, max_n=1024),
}
RANDOM_CASES = {"p4_n64": 80, "p16_n1024": 50}

COROUTINES = {"corner_and_random_cases_timed", "bubbles_and_backpressure",
              "bad_arguments_flag_error_and_stay_idle"}


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> dict:
    """Each design converted once (P = 16 takes ~10 s), shared by the lint and cocotb tests."""
    out = {}
    for design, params in sorted(DESIGNS.items()):
        work = tmp_path_factory.mktemp(f"topk_{design}")
        (work / "topk.v").write_text(verilog.convert(TopK(TopKParams(**params)), name="topk"))
        out[design] = work
    return out


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_engine_matches_models_under_cocotb(design, sources):
    params = DESIGNS[design]
    work = sources[design]
    env = {"TOPK_P": str(params["parallelism"]), "TOPK_SCORE_WIDTH": str(params["score_width"]),
           "TOPK_INDEX_WIDTH": str(params["index_width"]), "TOPK_MAX_N": str(params["max_n"]),
           "TOPK_RANDOM": str(RANDOM_CASES[design]), "TOPK_SEED": "2024"}
    results = run_cocotb(verilog=work / "topk.v", toplevel="topk",
                         test_module="tests.rtl.topk_cocotb", build_dir=work / "build",
                         extra_env=env)
    assert cocotb_outcomes(results) == dict.fromkeys(COROUTINES, "passed")


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_generated_verilog_is_lint_clean(design, sources):
    assert lint_verilog(sources[design] / "topk.v", "topk") == []
