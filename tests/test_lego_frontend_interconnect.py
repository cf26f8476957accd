"""Known-answer forests on 4x4 arrays; FU (p, q) is flat index 4 p + q (row-major)."""

from pathlib import Path

from lego.frontend.interconnect import MEMORY
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).parent.parent / "examples" / "specs"


def forests(name):
    spec = load_spec(SPECS / f"{name}.yaml")
    state = run_passes(spec, stop_after="interconnect")
    coords = state.interconnect.coords
    out = {}
    for f in state.interconnect.forests:
        info = state.reuse.get(f.dataflow, f.tensor)
        edges = set()
        for s, d, v in f.edges:
            src = "mem" if s == MEMORY else coords[s]
            dst = "mem" if d == MEMORY else coords[d]
            edges.add((src, dst, "memory" if v < 0 else info.candidates[v].kind,
                       0 if v < 0 else info.candidates[v].delay))
        out[f.tensor] = edges
    return out


def chains(axis, kind, n=4):
    """Edges (p, q) -> (p, q) + unit(axis) along every row or column of an n x n array."""
    step = (1, 0) if axis == "p" else (0, 1)
    return {((p, q), (p + step[0], q + step[1]), kind, 0) for p in range(n) for q in range(n)
            if p + step[0] < n and q + step[1] < n}


def memory_in(fus):
    return {("mem", fu, "memory", 0) for fu in fus}


def memory_out(fus):
    return {(fu, "mem", "memory", 0) for fu in fus}


ALL = [(p, q) for p in range(4) for q in range(4)]


def test_gemm_os():
    f = forests("gemm_os_4x4")
    # A flows along q from the 4 FUs of column 0 (4 ports, not 16); B along p from row 0;
    # C stays in every FU and each writes its own element: 16 write ports.
    assert f["A"] == chains("q", "direct") | memory_in([(p, 0) for p in range(4)])
    assert f["B"] == chains("p", "direct") | memory_in([(0, q) for q in range(4)])
    assert f["C"] == memory_out(ALL)


def test_gemm_ws():
    f = forests("gemm_ws_4x4")
    # B stationary: every FU loads its own weight (16 ports); A along q from column 0;
    # partial sums of C run down p and leave at the array edge p = 3.
    assert f["B"] == memory_in(ALL)
    assert f["A"] == chains("q", "direct") | memory_in([(p, 0) for p in range(4)])
    assert f["C"] == chains("p", "reduction") | memory_out([(3, q) for q in range(4)])


def test_gemm_is():
    f = forests("gemm_is_4x4")
    assert f["A"] == memory_in(ALL)
    assert f["B"] == chains("p", "direct") | memory_in([(0, q) for q in range(4)])
    assert f["C"] == chains("q", "reduction") | memory_out([(p, 3) for p in range(4)])


def test_conv_rs_uses_six_input_ports_for_twelve_fus():
    f = forests("conv2d_rs_4x3")
    # I[c, p + q + ..]: anti-diagonal chains (p, q) -> (p + 1, q - 1); the heads are the top
    # row and the right column: 4 + 3 - 1 = 6 ports.
    diagonal = {((p, q), (p + 1, q - 1), "direct", 0) for p in range(3) for q in range(1, 3)}
    heads = [(0, 0), (0, 1), (0, 2), (1, 2), (2, 2), (3, 2)]
    assert f["I"] == diagonal | memory_in(heads)
    # W[k, c, r, s] with r = q: shared down each column, 3 ports.
    assert f["W"] == {((p, q), (p + 1, q), "direct", 0) for p in range(3) for q in range(3)} \
        | memory_in([(0, q) for q in range(3)])
    # O[k, y, x] with y = p: reduced across q, written at q = 2.
    assert f["O"] == {((p, q), (p, q + 1), "reduction", 0) for p in range(4) for q in range(2)} \
        | memory_out([(p, 2) for p in range(4)])


def test_conv_os_input_uses_delay_edges():
    f = forests("conv2d_os_4x4")["I"]
    # Cheapest feeders: FU (p, q) gets from (p, q + 1) with depth 1 (12 edges); the last
    # column gets from (p + 1, 2) on the anti-diagonal with depth 2 (cheaper than the depth-3
    # edge from (p + 1, 3)); only (3, 3) is a memory port.
    ones = {((p, q + 1), (p, q), "delay", 1) for p in range(4) for q in range(3)}
    twos = {((p + 1, 2), (p, 3), "delay", 2) for p in range(3)}
    assert f == ones | twos | memory_in([(3, 3)])
