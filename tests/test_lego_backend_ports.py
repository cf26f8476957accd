"""RAM port sharing (lego.backend.ports): readers never enabled in the same cycle share a port,
except a read whose RAM read register holds a stationary word (no Verilator)."""

from lego.backend.ports import _pack


def test_readers_enabled_in_different_cycles_share_a_port_unless_one_holds_its_word():
    # (dataflow, cycle) pairs; busiest first: a, c, then b
    cycles = {"a": {(0, 0), (0, 4)}, "b": {(0, 1)}, "c": {(0, 1), (0, 2)}}
    assert _pack(list(cycles), cycles.get) == [("a", "c"), ("b",)]
    # a held read (MemoryPort.holds) takes no other reader, and joins none
    assert _pack(list(cycles), cycles.get, {"a"}) == [("a",), ("c",), ("b",)]
    assert _pack(list(cycles), cycles.get, {"c"}) == [("a", "b"), ("c",)]
