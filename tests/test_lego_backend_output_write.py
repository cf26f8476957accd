"""An output accumulated in memory starts at zero by itself: the read-modify-write's first-write
gate, its check against every write of the run, the fallback to a host-cleared output, and
the RTL (the gate the RAM read register's synchronous reset, no host writes into the output's
banks)."""

from pathlib import Path

from lego.backend import output_write
from lego.backend.generate import generate
from lego.backend.interface import interface
from lego.backend.lower import lower
from lego.backend.output_write import first_pass_loops, first_write_gate, first_writes_exact
from lego.backend.rtl.library import host_writes
from lego.backend.semantics import AllZero
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _adg(name: str):
    return run_passes(load_spec(SPECS / name)).adg


def _writes(design) -> list[str]:
    return sorted(p.name for p in design.graph.primitives() if p.kind == "mem_write")


def test_the_first_pass_is_every_loop_a_revisit_moves_along_at_zero():
    assert first_pass_loops(("tk", "tj", "ti"), ((1, 0, 0),)) == ("tk",)  # WS: C over tk
    assert first_pass_loops(("ti", "tk", "tj"), ((0, 1, 0),)) == ("tk",)  # IS
    assert first_pass_loops(("a", "b", "c"), ((1, 0, 0), (0, 1, -1))) == ("a", "b", "c")
    # an FU that holds the output over c writes only at c's last step: c is no first pass
    assert first_pass_loops(("a", "b", "c"), ((0, 1, -1),), ("c",)) == ("b",)


def test_a_ws_output_starts_at_zero_without_the_host():
    design = lower(_adg("gemm_ws_4x4.yaml"))
    gated = {w: first_write_gate(design, w) for w in _writes(design)}
    # the bottom row writes C, each through a read-modify-write whose read port zeroes its word
    assert sorted(gated) == [f"wr.fu_3_{c}.ws" for c in range(4)]
    for read, first in gated.values():
        assert design.graph.primitive(read).params.zeroes
        assert design.graph.primitive(first).params == AllZero(0, (0,))  # tk == 0
    assert first_writes_exact(design)
    assert not host_writes(design, "C") and host_writes(design, "A")


# an FU holds D over tl (its innermost loop) and writes at tl's last step; D recurs along tk
HELD = """name: held
loops: {i: 4, j: 4, k: 3, l: 2}
statement: D[i, j] += A[i, k, l] * B[k, j] * C[l, j]
dtypes: {A: uint3, B: int8, C: int8, D: uint32}
dataflows:
  - name: d0
    spatial: {p: 2}
    temporal: {ti: 4, tk: 3, tj: 2, tl: 2}
    map: {i: ti, j: 2*tj + p, k: tk, l: tl}
"""


def test_an_output_held_over_an_inner_loop_is_gated_on_the_outer_revisits_only(tmp_path):
    spec = tmp_path / "held.yaml"
    spec.write_text(HELD)
    design = lower(run_passes(load_spec(spec)).adg)
    gates = [first_write_gate(design, w) for w in _writes(design)]
    assert gates and all(g is not None for g in gates)
    # tk == 0 (loop 1), not tl: the write happens only at tl's last step
    assert {design.graph.primitive(first).params for _, first in gates} == {AllZero(0, (1,))}
    assert first_writes_exact(design)


def test_a_first_pass_that_is_not_the_first_write_falls_back_to_a_host_cleared_output(
        monkeypatch):
    # gated at ti == 0 instead of tk == 0, the gate would drop partial sums: the check finds
    # it and the design is lowered again without gates, its output cleared by the host
    monkeypatch.setattr(output_write, "first_pass_loops", lambda names, revisits, held: ("ti",))
    design = lower(_adg("gemm_ws_4x4.yaml"))
    assert all(first_write_gate(design, w) is None for w in _writes(design))
    assert host_writes(design, "C")
    assert not any(p.kind == "mem_read" and p.params.zeroes for p in design.graph.primitives())


def test_the_gate_is_the_read_registers_reset_and_the_interface_has_no_output_writes():
    adg = _adg("gemm_ws_4x4.yaml")
    gen = generate(adg)
    # each C bank's one datapath read port zeroes (its read alone on the port), no host writes
    assert gen.verilog.count("module gemm_ws_4x4_ram32x16r1oz0(") == 1
    assert gen.verilog.count(".r_zero__0(p_ws_all_zero_0") == 4
    facts = {t["name"]: t for t in interface(adg, gen.design, gen.schedule)["tensors"]}
    assert not facts["C"]["host_writes"]  # lego.cocotb's driver no longer clears it
