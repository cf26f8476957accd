"""RAM port sharing (lego.backend.ports): readers never enabled in the same cycle share a port,
except a read whose RAM read register holds a stationary word; a port whose reads keep some
address bits fixed reads a copy of only those words (no Verilator)."""

import sys
from pathlib import Path

from lego.backend.passes import run_backend
from lego.backend.ports import _pack, fixed_bits
from lego.frontend.passes import run_passes
from lego.spec import load_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from fpga_quality import OS, WS, _spec  # noqa: E402  (the benchmark's own specs)


def test_readers_enabled_in_different_cycles_share_a_port_unless_one_holds_its_word():
    # (dataflow, cycle) pairs; busiest first: a, c, then b
    cycles = {"a": {(0, 0), (0, 4)}, "b": {(0, 1)}, "c": {(0, 1), (0, 2)}}
    assert _pack(list(cycles), cycles.get) == [("a", "c"), ("b",)]
    # a held read (MemoryPort.holds) takes no other reader, and joins none
    assert _pack(list(cycles), cycles.get, {"a"}) == [("a",), ("c",), ("b",)]
    assert _pack(list(cycles), cycles.get, {"c"}) == [("a", "b"), ("c",)]


def test_fixed_bits_are_the_address_bits_every_word_shares():
    assert fixed_bits({6, 7, 22, 23}, 32) == (0b01110, 0b00110)  # 4 of 32 words
    assert fixed_bits({21}, 32) == (0b11111, 21)
    # a copy of more than half the bank, or of a bank one RAM cell holds, is not worth one
    assert fixed_bits(set(range(0, 32, 2)) | {1}, 32) == (0, 0)
    assert fixed_bits(set(range(0, 32, 2)), 32) == (1, 0)
    assert fixed_bits({2, 6}, 16) == (0, 0)
    assert fixed_bits(set(), 32) == (0, 0)


def _plan(flows, path):
    path.write_text(_spec("g", 8, flows))
    return run_backend(run_passes(load_spec(str(path))).adg, 7.0, stop_after="ports").ports


def test_weight_stationary_rows_of_a_fused_array_read_copies_of_their_own_weights(tmp_path):
    # OS+WS 8x8 on 16x16x16: B takes OS's 8 column banks of 32 words for both dataflows; WS's
    # row p reads only k = 8 tk + p there, 4 words, and OS's row 0 (on port 0 with WS's row 0)
    # reads them all
    fused = _plan([OS, WS], tmp_path / "fused.yaml")
    os_only = _plan([OS], tmp_path / "os.yaml")
    for bank in range(8):
        views = fused.bank("B", bank).views
        assert views[0] == (0, 0) and len(views) == 8
        assert all(bin(mask).count("1") == 3 for mask, _ in views[1:]), views
        assert len({value for _, value in views[1:]}) == 7  # each row its own words
    assert not any(mask for b in os_only.banks for mask, _ in b.views)
