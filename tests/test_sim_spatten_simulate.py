"""The whole-accelerator model on the shipped GPT-2 traces: the issue's pinned figures, and the
invariants that tie it to the engines' own cycle models."""

import random
from dataclasses import replace

import numpy as np
import pytest

from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import pq_cycles
from lego.spatten.pq_trace import trace_costs
from sim.spatten.fetch import fetch
from sim.spatten.hardware import PRESETS
from sim.spatten.report import compare, report
from sim.spatten.simulate import STAGES, simulate
from sim.spatten.trace import read_trace
from sim.topk import reference_cycles, topk_cycles
from sim.workload.energy import PRICES, default_table
from tests.spatten_workloads import DENSE, PER8, workload

_RUNS = {}


def run(name, hw="full", rule="exact", topk="lego", seed=0, dense_bits=12):
    key = (name, hw, rule, topk, seed, dense_bits)
    if key not in _RUNS:
        trace = read_trace(workload(name))
        result = simulate(trace, PRESETS[hw], rule, topk, seed, dense_bits)
        options = {"fetch_rule": rule, "topk_model": topk, "seed": seed, "dense_bits": dense_bits}
        _RUNS[key] = (trace, result, report(trace, PRESETS[hw], result, options,
                                            default_table()))
    return _RUNS[key]


def test_per8_exact_figures():
    totals = run(PER8)[2]["totals"]
    assert (totals["requests"], totals["refetches"]) == (4608, 323)
    assert (totals["keys"], totals["values"]) == (1_283_172, 255_180)
    assert totals["bytes"] == {"k_msb": 61_592_256, "k_lsb": 8_587_360, "v": 12_248_640,
                               "total": 82_428_256}
    costs = trace_costs(PqParams(), workload(PER8))
    assert totals["bytes"]["k_lsb"] == costs.bytes_progressive - costs.bytes_msb_only


def test_reference_rule_per8_against_its_dense_trace():
    per8 = run(PER8, rule="reference")
    dense = run(DENSE, rule="reference")
    assert per8[2]["totals"]["bytes"]["total"] == 83_704_064
    assert dense[2]["totals"]["bytes"]["total"] == 746_127_360
    assert round(compare(per8[2], per8[1], DENSE, dense[1])["dram_reduction"], 2) == 8.91


def _engine_sums(trace, hw, rule, topk, seed, dense_bits):
    """Every stage's cycles from the engines' own models, replayed request by request in the
    simulator's order of random draws, with the original (pure Python) top-k model."""
    d, sums = trace.head_dim, dict.fromkeys(STAGES, 0)
    pq = PqParams(head_dim=d, lanes=d, max_len=max(r.keys for r in trace.requests),
                  prob_bits=hw.softmax_prob_bits, exp_units=hw.softmax_exp_units)
    scores, pivots = np.random.default_rng(seed), random.Random(seed)
    half = 1 << (hw.topk_score_bits - 1)

    def topk_model(n, k):
        if k >= n:
            return 0
        if topk == "reference":
            return reference_cycles(n, k, hw.topk_parallelism, pivots)
        return topk_cycles(scores.integers(-half, half, size=n).tolist(), k,
                           hw.topk_parallelism, hw.topk_score_bits)

    def ceil(a, b):
        return -(-a // b)

    groups = {}
    for r in trace.requests:
        groups.setdefault((r.iteration, r.layer), []).append(r)
    keys = list(groups)
    for index, key in enumerate(keys):
        for r in groups[key]:
            f = fetch(r, d, rule, dense_bits)
            passes = 2 if f.refetch else 1
            sums["dram"] += sum(ceil(b, 8 * hw.dram_bytes_per_cycle)
                                for b in (f.key_msb_bits, f.key_lsb_bits, f.value_bits))
            sums["qk"] += passes * ceil(r.keys * d, hw.qk_multipliers)
            sums["softmax"] += pq_cycles(pq, r.keys, f.refetch) - passes * r.keys
            sums["local_v_topk"] += topk_model(r.keys, r.values)
            sums["pv"] += ceil(r.values * d, hw.pv_multipliers)
        for r in groups[key]:
            if r.topk is not None:
                sums["cascade_topk"] += topk_model(r.keys if r.topk <= r.keys else r.length,
                                                   r.topk)
        following = groups[keys[index + 1]] if index + 1 < len(keys) else []
        if following and keys[index + 1][0] == key[0] and len(following) < len(groups[key]):
            sums["cascade_topk"] += topk_model(len(groups[key]), len(following))
    return sums


def _first_iterations(tmp_path, count):
    with open(workload(PER8)) as handle:
        lines = handle.read().splitlines(keepends=True)
    path = tmp_path / "head.csv"
    path.write_text("".join(lines[:1 + 144 * count]))
    return read_trace(path)


@pytest.mark.parametrize("topk", ["lego", "reference"])
@pytest.mark.parametrize("rule", ["exact", "reference"])
def test_stage_busy_is_the_sum_of_the_engine_models(tmp_path, topk, rule):
    trace = _first_iterations(tmp_path, 3)
    hw = replace(PRESETS["full"], softmax_units=3)
    result = simulate(trace, hw, rule, topk, 7, 12)
    assert result.busy == _engine_sums(trace, hw, rule, topk, 7, 12)
    assert result.busy["cascade_topk"] > 0 and result.busy["local_v_topk"] > 0


@pytest.mark.parametrize("hw", ["full", "eighth"])
@pytest.mark.parametrize("topk", ["lego", "reference"])
def test_cycles_between_the_busiest_stage_and_the_sum(hw, topk):
    _, result, rep = run(PER8, hw=hw, topk=topk)
    per_unit = [result.busy[s] / result.units[s] for s in STAGES]
    assert max(per_unit) <= result.cycles <= sum(result.busy.values())
    assert sum(result.critical.values()) == result.cycles
    assert sum(x.cycles for x in result.layers) == result.cycles  # layers run back to back


def test_energy_is_counts_times_prices():
    energy = run(PER8)[2]["energy"]
    table = default_table()
    assert energy["estimate"] is True
    parts = {kind: energy["counts"][kind] * table[PRICES[kind]] for kind in PRICES}
    assert energy["pj"] == {**parts, "total": sum(parts.values())}
    assert energy["counts"]["dram_byte"] == 82_428_256


@pytest.mark.parametrize("hw", ["full", "eighth"])
@pytest.mark.parametrize("topk", ["lego", "reference"])
def test_speedup_against_dense_lies_between_the_bounds(hw, topk):
    per8, dense = run(PER8, hw=hw, topk=topk), run(DENSE, hw=hw, topk=topk)
    baseline = compare(per8[2], per8[1], DENSE, dense[1])
    assert baseline["compute_bound_speedup"] < baseline["speedup"] < \
        baseline["dram_bound_speedup"]
    assert dense[2]["bottleneck"] == "dram"


def test_local_value_topk_is_the_bottleneck_only_with_the_reference_model():
    ours, theirs = run(PER8)[2], run(PER8, topk="reference")[2]
    assert theirs["bottleneck"] == "local_v_topk"
    assert theirs["stages"]["local_v_topk"]["critical_path"] > theirs["totals"]["cycles"] / 2
    assert ours["bottleneck"] == "softmax"
    assert ours["stages"]["local_v_topk"]["critical_path"] < ours["totals"]["cycles"] / 10
    assert theirs["totals"]["cycles"] > ours["totals"]["cycles"]


def test_same_seed_same_run_and_the_seed_matters(tmp_path):
    trace = _first_iterations(tmp_path, 2)
    a, b = (simulate(trace, PRESETS["full"], "exact", "lego", 3, 12) for _ in range(2))
    assert a == b
    c = simulate(trace, PRESETS["full"], "exact", "lego", 4, 12)
    assert c.busy["local_v_topk"] != a.busy["local_v_topk"]
    assert c.busy["softmax"] == a.busy["softmax"]
