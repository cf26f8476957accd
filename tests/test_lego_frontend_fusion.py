"""Fusion known answers (4x4, FU (p, q) = flat index 4 p + q)."""

from pathlib import Path

import pytest

from lego.errors import SpecError
from lego.frontend.fusion import SELF
from lego.frontend.interconnect import MEMORY
from lego.frontend.passes import run_passes
from lego.spec import load_spec, parse_spec

SPECS = Path(__file__).parent.parent / "examples" / "specs"


def fusion(name):
    return run_passes(load_spec(SPECS / f"{name}.yaml"), stop_after="fusion").fusion


def test_os_ws_muxes_only_where_sources_differ():
    f = fusion("gemm_os_ws_fused_4x4")
    by_tensor = {}
    for mux in f.muxes:
        by_tensor.setdefault(mux.tensor, []).append(mux.fu)
    # A flows along q from column 0 in both dataflows: identical sources, no mux.
    assert "A" not in by_tensor
    # B: OS feeds rows p > 0 from (p - 1, q), WS loads every FU from memory: 12 muxes;
    # row 0 reads memory in both.
    assert by_tensor["B"] == list(range(4, 16))
    # C: OS accumulates in place (SELF); WS adds the partial sum from (p - 1, q), or nothing
    # at p = 0: all 16 accumulator inputs differ.
    assert by_tensor["C"] == list(range(16))
    mux = next(m for m in f.muxes if m.tensor == "B" and m.fu == 5)
    assert mux.sources == ((MEMORY,), (1,)) and dict(mux.select) == {"os": 1, "ws": 0}
    mux = next(m for m in f.muxes if m.tensor == "C" and m.fu == 0)
    assert mux.sources == ((), (SELF,))
    # Every one of these 28 is forced by the reuse itself (no dataflow has a choice of
    # chain), so preferring shared edges cannot beat the independent forests here. The naive
    # union muxes every FU input driven in both dataflows even where the sources agree:
    # A 16 + B 16 + C 12 (WS drives no partial sum into row p = 0) = 44.
    assert (len(f.muxes), f.naive_mux_count, f.independent_mux_count) == (28, 44, 28)


def test_preferring_shared_chains_beats_the_naive_union():
    f = fusion("gemm_os_bcast_fused_4x4")
    # bcast: A[i, k] is the same in all 16 FUs. Built alone, each FU takes the cheapest
    # neighbour with the lowest index, (p - 1, q): column chains, one port at (0, 0); against
    # the OS row chains that is 12 muxes (9 inner FUs + 3 in column 0). Fused, the q-chains
    # of OS are preferred, leaving 3 muxes in column 0 (OS: memory, bcast: (p - 1, 0)).
    a = [m.fu for m in f.muxes if m.tensor == "A"]
    assert a == [4, 8, 12]
    # B: OS rows p > 0 chain from (p - 1, q), bcast loads all from memory: 12 either way.
    assert len([m for m in f.muxes if m.tensor == "B"]) == 12
    # naive union: every FU input of A, B and C is driven in both dataflows: 3 x 16 = 48.
    assert (len(f.muxes), f.naive_mux_count, f.independent_mux_count) == (15, 48, 24)


def test_fusing_different_array_shapes_is_a_spec_error():
    with pytest.raises(SpecError, match=r"^<dict>: dataflows\[1\]\.spatial: array shape 4 differs "
                                        r"from 4x4 of dataflows\[0\] \('os'\): the dataflows "
                                        r"of a spec are fused onto one array$"):
        parse_spec({
        "name": "mixed", "loops": {"i": 4, "j": 4, "k": 4},
        "statement": "C[i, j] += A[i, k] * B[k, j]",
        "dtypes": {"A": "int8", "B": "int8", "C": "int32"},
        "dataflows": [
            {"name": "os", "spatial": {"p": 4, "q": 4}, "temporal": {"tk": 4},
             "map": {"i": "p", "j": "q", "k": "tk"}},
            {"name": "row", "spatial": {"p": 4}, "temporal": {"tj": 4, "tk": 4},
             "map": {"i": "p", "j": "tj", "k": "tk"}}]})
