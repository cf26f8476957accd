"""What a worker runs: each stage's metrics, kept artifacts and statuses."""

from lego.sweep.options import KEEPABLE
from lego.sweep.stages import evaluate_batch

SPEC = {"preset": "gemm-os", "name": "t", "size": {"M": 4, "N": 4, "K": 4}, "array": [2, 2]}
WORKLOAD = {"layers": None, "input_type": "conv", "sram_kib": 64, "dram_bw": 16,
            "double_buffer": True, "word_bytes": "auto", "energy": None}


def _payload(**spec):
    return {"spec": SPEC | spec, "workload": WORKLOAD, "period": None}


def test_gen_keeps_every_keepable_artifact():
    [result] = evaluate_batch("gen", {"keep": list(KEEPABLE["gen"])}, [("k", _payload())])
    assert result.status == "ok", result.message
    assert sorted(result.artifacts) == ["adg.json", "manifest.json", "report.json", "t.v"]
    assert (result.metrics["fus"], result.metrics["banks"]) == (4, 8)


def test_both_sim_models_run_the_spec_gemm():
    # without workload.layers the workload model runs the spec's own 4x4x4 GEMM (64 MACs);
    # the design model runs the generated 2x2 design: 2 x 2 x 4 = 16 steps, plus start, drain
    # and done
    [workload] = evaluate_batch("sim", {}, [("k", _payload())])
    [design] = evaluate_batch("sim", {"model": "design"}, [("k", _payload())])
    assert workload.status == design.status == "ok"
    assert workload.metrics["macs"] == 64
    assert design.metrics["fus"] == 4 and design.metrics["cycles"] > 16


def test_statuses():
    bad = _payload(size={"M": 3, "N": 4, "K": 4})
    results = evaluate_batch("sim", {}, [("a", bad), ("b", _payload())])
    assert [r.status for r in results] == ["invalid", "ok"]
    assert results[0].message == ("<point>: size.M: 3 is not a multiple of the array extent 2 "
                                  "that gemm-os maps it to")
    [late] = evaluate_batch("sim", {"model": "design", "timeout": 1e-6}, [("c", _payload())])
    assert (late.status, late.message) == ("timeout", "ran past the sim timeout of 1e-06 s")
