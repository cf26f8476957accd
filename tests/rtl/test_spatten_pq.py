"""The progressive-quantization engine on Verilator: bit-exact against the Python model, cycle
counts equal to pq_timing, lint-clean and reproducible Verilog. Two Verilator builds: a small config
and the GPT-2 one of the SpAtten traces (D=64, 16 lanes, 6-bit MSB, 4-bit LSB, L <= 1024)."""

import json

import numpy as np
import pytest

from lego.spatten.pq_design import TOPLEVEL, verilog_text
from lego.spatten.pq_model import run_pq
from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import pq_cycles
from lego.toolchain import cocotb_outcomes, lint_verilog, run_cocotb

pytestmark = pytest.mark.rtl

SMALL = PqParams(head_dim=16, lanes=4, msb_bits=4, lsb_bits=3, query_bits=8, max_len=32,
                 threshold=0.1, logit_scale=2e-4, prob_bits=12, exp_lut_bits=6, exp_units=3)
GPT2 = PqParams()  # the CLI defaults
CONFIGS = {"small": (SMALL, 60, SMALL.max_len), "gpt2": (GPT2, 8, 300)}


def _expected(params, length, query, msb, lsb):
    if not 1 <= length <= params.max_len:
        return {"scores": [], "probs": [], "refetched": 0, "error": 1, "bytes_fetched": 0,
                "p_max": 0, "msb_beats": 0, "lsb_beats": 0, "cycles": None}
    r = run_pq(params, query, msb, lsb)
    beats = length * params.beats_per_key
    return {"scores": list(r.scores), "probs": list(r.probs), "refetched": int(r.refetched),
            "error": 0, "bytes_fetched": r.bytes_fetched, "p_max": r.p_max,
            "msb_beats": beats, "lsb_beats": beats if r.refetched else 0,
            "cycles": pq_cycles(params, length, r.refetched)}


def _case(params, name, query, msb, lsb, length=None):
    msb, lsb = np.asarray(msb), np.asarray(lsb)
    length = len(msb) if length is None else length
    return {"name": name, "length": length, "query": [int(v) for v in query],
            "msb": msb.tolist(), "lsb": lsb.tolist(),
            "expected": _expected(params, length, query, msb, lsb)}


def make_cases(params, seed, count, max_random_len=None):
    """Random requests over lengths 1..max_len and query magnitudes (so both decisions occur),
    plus corners: extreme values, all keys equal (flat: re-fetch), bad lengths (error)."""
    rng = np.random.default_rng(seed)
    d, lo, hi = params.head_dim, -(1 << (params.msb_bits - 1)), 1 << (params.msb_bits - 1)
    qmax = 1 << (params.query_bits - 1)

    def keys(length):
        return (rng.integers(lo, hi, (length, d)),
                rng.integers(0, 1 << params.lsb_bits, (length, d)))

    cases = []
    for i in range(count):
        length = int(rng.integers(1, (max_random_len or params.max_len) + 1))
        mag = 1 << int(rng.integers(1, params.query_bits))
        query = rng.integers(-min(mag, qmax), min(mag, qmax), d)
        cases.append(_case(params, f"random{i}", query, *keys(length)))
    n = params.max_len
    cases.append(_case(params, "extreme", [-qmax] * d, [[lo] * d] + [[hi - 1] * d] * (n - 1),
                       [[(1 << params.lsb_bits) - 1] * d] * n))
    cases.append(_case(params, "flat", rng.integers(-qmax, qmax, d), [[3] * d] * n,
                       rng.integers(0, 1 << params.lsb_bits, (n, d))))
    cases.append(_case(params, "single", rng.integers(-qmax, qmax, d), *keys(1)))
    for case in cases:
        case["bubbles"] = case["length"] <= (max_random_len or params.max_len)
    cases.append(_case(params, "len0", rng.integers(-qmax, qmax, d), *keys(1), length=0))
    cases.append(_case(params, "too_long", rng.integers(-qmax, qmax, d), *keys(1),
                       length=params.max_len + 1))
    cases[-2]["bubbles"] = cases[-1]["bubbles"] = True
    return cases


@pytest.fixture(scope="module")
def verilog_for(tmp_path_factory):
    """Verilog file per config name, written once per module (one Verilator build each)."""
    paths = {}

    def get(name):
        if name not in paths:
            path = tmp_path_factory.mktemp(f"pq_{name}") / f"{TOPLEVEL}.v"
            path.write_text(verilog_text(CONFIGS[name][0]))
            paths[name] = path
        return paths[name]
    return get


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_cases_exercise_both_decisions(name):
    params, count, max_len = CONFIGS[name]
    cases = make_cases(params, 1, count, max_len)
    refetched = [c["expected"]["refetched"] for c in cases if not c["expected"]["error"]]
    assert 2 <= sum(refetched) <= len(refetched) - 2


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_engine_matches_model_and_cycle_model_on_verilator(name, verilog_for, tmp_path):
    params, count, max_len = CONFIGS[name]
    source = verilog_for(name)
    stimuli = tmp_path / "cases.json"
    stimuli.write_text(json.dumps({"params": {**params.to_dict(),
                                              "score_width": params.score_width},
                                   "seed": 7, "cases": make_cases(params, 1, count, max_len)}))
    results = run_cocotb(verilog=source, toplevel=TOPLEVEL, test_module="tests.rtl.pq_cocotb",
                         build_dir=source.parent / "build", test_dir=tmp_path,
                         extra_env={"PQ_CASES": str(stimuli)})
    assert cocotb_outcomes(results) == {"exact_values_and_cycles": "passed",
                                        "values_under_bubbles_and_backpressure": "passed"}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_verilog_is_lint_clean(name, verilog_for):
    assert lint_verilog(verilog_for(name), TOPLEVEL) == []


def test_verilog_is_byte_identical_twice(verilog_for):
    assert verilog_text(SMALL) == verilog_for("small").read_text()
