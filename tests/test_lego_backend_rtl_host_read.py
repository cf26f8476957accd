"""The host's asynchronous bank reads: which banks the generator reads so and the latency it
then states (a bank's asynchronous host port itself: tests/test_lego_backend_rtl_bank.py)."""

import re
from pathlib import Path
from types import SimpleNamespace

from lego.backend.generate import generate
from lego.backend.interface import interface
from lego.backend.rtl.host_read import (
    COMB_READ_MAX_WORDS,
    HOST_COMB_READ_MIN_NS,
    comb_banks,
    host_read_latency,
    read_chunks,
)
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


OS_8X8 = """name: o8
loops: {i: 16, j: 16, k: 16}
statement: C[i, j] += A[i, k] * B[k, j]
dtypes: {A: int8, B: int8, C: int32}
dataflows:
  - name: os
    spatial: {p: 8, q: 8}
    temporal: {ti: 2, tj: 2, tk: 16}
    map: {i: 8*ti + p, j: 8*tj + q, k: tk}
"""


def _design(**banks):
    """Tensors named by the keywords, each with its banks' depths."""
    tensors = [SimpleNamespace(name=n, index=i, banks=len(d), bank_depths=tuple(d))
               for i, (n, d) in enumerate(banks.items())]
    return SimpleNamespace(tensors=tensors,
                           tensor=lambda name: next(t for t in tensors if t.name == name))


def test_a_chunk_of_lut_rams_reads_asynchronously_where_no_period_makes_it_critical():
    # the design's floor (its slowest primitive alone), not the period asked for, decides
    roomy, tight = (SimpleNamespace(tightest_period_ns=p) for p in (HOST_COMB_READ_MIN_NS, 5.3))
    design = _design(A=[64] * 2, C=[4] * 6)
    # chunks follow the host's select: A0 A1 C0 C1 | C2 C3 C4 C5 (host_bank in 3 bits)
    assert [[(t, b) for _, t, b in c] for c in read_chunks(design)] == [
        [("A", 0), ("A", 1), ("C", 0), ("C", 1)], [("C", 2), ("C", 3), ("C", 4), ("C", 5)]]
    # a chunk with a bank deeper than two RAM cells (one Yosys may make block RAM) reads
    # synchronously, every bank of it
    assert comb_banks(design, roomy) == {("C", b) for b in range(2, 6)}
    assert host_read_latency(design, roomy) == 4
    assert comb_banks(design, tight) == frozenset()
    small = _design(A=[32] * 4, C=[4] * 4)
    assert len(comb_banks(small, roomy)) == 8 and host_read_latency(small, roomy) == 3
    assert host_read_latency(small, tight) == 4


def test_the_generated_top_and_its_interface_agree_on_the_latency(tmp_path):
    # a 4x4's datapath can outrun the asynchronous read-back (floor 5.3 ns), an 8x8's cannot
    (tmp_path / "o8.yaml").write_text(OS_8X8)
    for spec, latency in ((SPECS / "gemm_os_4x4.yaml", 4), (tmp_path / "o8.yaml", 3)):
        adg = run_passes(load_spec(spec)).adg
        gen = generate(adg, period_ns=10.0)
        banks = [line for line in gen.verilog.splitlines() if line.startswith("module ")
                 and "_ram" in line]
        assert banks and all(bool(re.search(r"\bhost_read\b", line)) == (latency == 4)
                             for line in banks)
        assert all(line.split("(")[0].endswith("h") == (latency == 3) for line in banks)
        assert ("host_pick_0_q" in gen.verilog) == (latency == 4)
        assert "host_chunks_comb_q" not in gen.verilog  # all of one kind
        assert interface(adg, gen.design, gen.schedule)["host_read_latency"] == latency


def test_a_design_with_both_kinds_of_chunk_registers_the_asynchronous_ones_once_more(tmp_path):
    # fpga_quality.py's OS 8x8 at K = 64: A's and B's banks hold 128 words
    (tmp_path / "o8.yaml").write_text(OS_8X8.replace("k: 16}", "k: 64}")
                                      .replace("tk: 16", "tk: 64"))
    adg = run_passes(load_spec(tmp_path / "o8.yaml")).adg
    gen = generate(adg, period_ns=10.0)
    comb, depths = comb_banks(gen.design, gen.schedule), {}
    for t in gen.design.tensors:
        depths.update(((t.name, b), d) for b, d in enumerate(t.bank_depths))
    assert comb and len(comb) < len(depths)
    assert all(depths[bank] <= COMB_READ_MAX_WORDS for bank in comb)
    assert "host_chunks_comb_q" in gen.verilog
    assert interface(adg, gen.design, gen.schedule)["host_read_latency"] == 4
