"""Reuse classification known answers (4x4 GEMM and Conv2D), derived by hand below."""

from pathlib import Path

import pytest

from lego.frontend.reuse import analyze_reuse, temporal_weights
from lego.spec import load_spec

SPECS = Path(__file__).parent.parent / "examples" / "specs"


def reuse(name):
    return analyze_reuse(load_spec(SPECS / f"{name}.yaml"))


def summary(r):
    return sorted((v.kind, v.ds, v.delay) for v in r.candidates)


def test_gemm_os():
    r = reuse("gemm_os_4x4")
    # A[i, k], i = 4 ti + p: independent of q -> same-cycle reuse along q; independent of tj,
    # but tk runs inside tj -> a revisit 8 steps later (memory re-read, not stationary).
    assert summary(r.get("os", "A")) == [("direct", (0, 1), 0)]
    assert r.get("os", "A").revisits == ((0, 1, 0),) and not r.get("os", "A").stationary
    assert summary(r.get("os", "B")) == [("direct", (1, 0), 0)]
    # C[i, j] is independent of the innermost tk only: stationary over tk, never re-visited.
    c = r.get("os", "C")
    assert c.stationary == ("tk",) and c.candidates == () and not c.accumulate_in_memory


def test_gemm_ws():
    r = reuse("gemm_ws_4x4")
    assert r.get("ws", "B").stationary == ("ti",)  # B[k, j] ignores the innermost ti
    assert summary(r.get("ws", "A")) == [("direct", (0, 1), 0)]  # A[i, k] ignores q
    c = r.get("ws", "C")  # C[i, j] ignores p (a reduction) and tk (outer: read-modify-write)
    assert summary(c) == [("reduction", (1, 0), 0)]
    assert c.revisits == ((1, 0, 0),) and c.accumulate_in_memory


def test_gemm_is_mirrors_ws():
    r = reuse("gemm_is_4x4")
    assert r.get("is", "A").stationary == ("tj",)
    assert summary(r.get("is", "B")) == [("direct", (1, 0), 0)]
    assert summary(r.get("is", "C")) == [("reduction", (0, 1), 0)]
    assert r.get("is", "C").accumulate_in_memory


def test_conv_os_input_delays_and_validity():
    # I[c, y + r, x + s] with y = p, x = q, r = tr, s = ts over (tk, tc, tr, ts), w = (18, 9,
    # 3, 1). (tr + 1, p - 1) touches the same row: FU (p-1, q) reads at t + 3 what (p, q)
    # read at t, valid when tr >= 1. (ts + 1, q - 1): depth 1, valid when ts >= 1.
    r = reuse("conv2d_os_4x4").get("os", "I")
    vectors = {v.ds: v for v in r.candidates}
    assert (vectors[(-1, 0)].delay, vectors[(-1, 0)].valid) == (3, (("tr", 1, 3),))
    assert (vectors[(0, -1)].delay, vectors[(0, -1)].valid) == (1, (("ts", 1, 3),))
    assert (vectors[(-1, 1)].delay, vectors[(-1, 1)].dt) == (2, (0, 0, 1, -1))
    assert all(v.kind == "delay" for v in r.candidates)


def test_conv_rs_input_is_shared_along_anti_diagonals():
    # I row y + r = p + q: constant along (1, -1) in the same cycle.
    r = reuse("conv2d_rs_4x3").get("rs", "I")
    assert summary(r) == [("direct", (1, -1), 0)]


def test_temporal_weights_are_row_major():
    flow = load_spec(SPECS / "conv2d_os_4x4.yaml").dataflows[0]
    assert temporal_weights(flow) == (18, 9, 3, 1)


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_vector_touches_the_same_element(path):
    """Exhaustive check of the exact arithmetic: K_t dt + K_s ds = 0 and delay = w . dt >= 0."""
    spec = load_spec(path)
    result = analyze_reuse(spec)
    for r in result.tensors:
        flow = spec.dataflow(r.dataflow)
        w = temporal_weights(flow)
        for v in r.candidates:
            if v.kind == "preload":  # a chain that carries other FUs' elements in bubbles
                continue  # (tests/test_lego_backend_preload.py)
            assert v.delay == sum(a * b for a, b in zip(v.dt, w, strict=True)) >= 0
            for row_t, row_s in zip(r.kt, r.ks, strict=True):
                assert sum(a * b for a, b in zip(row_t, v.dt, strict=True)) + sum(
                    a * b for a, b in zip(row_s, v.ds, strict=True)) == 0


def test_loops_of_bound_one_never_move_an_element():
    # issue 11 (tests/regressions/fuzz_conv1d_064d048b.yaml): k, x and r have bound 1, so the
    # output stays in its FU over every step; counted as moving, it was read, added and
    # written back every step, the next read racing the previous write
    from lego.frontend.passes import run_passes

    spec = load_spec(Path(__file__).parent / "regressions" / "fuzz_conv1d_064d048b.yaml")
    info = run_passes(spec, stop_after="reuse").reuse.get("d0", "O")
    assert info.stationary == ("tk", "tc", "tx", "tr") and not info.accumulate_in_memory
