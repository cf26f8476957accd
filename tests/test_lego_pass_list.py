"""lego.pass_list: passes run in order, with the cyclic garbage collector paused inside every
pass but those named in ``collect_in``, and restored after (also when a pass raises)."""

import gc

import pytest

from lego.pass_list import run_in_order


def _recording(name: str, seen: list):
    return name, lambda state: seen.append((name, gc.isenabled())) or state + [name]


def test_passes_run_in_order_up_to_stop_after_with_the_collector_paused():
    seen = []
    passes = [_recording(n, seen) for n in ("a", "b", "rtl", "c")]
    assert run_in_order(passes, [], stop_after="rtl", collect_in=("rtl",)) == ["a", "b", "rtl"]
    assert seen == [("a", False), ("b", False), ("rtl", True)]
    assert gc.isenabled()


def test_the_collector_is_restored_when_a_pass_raises():
    def fail(state):
        raise ValueError("bad pass")
    with pytest.raises(ValueError, match="bad pass"):
        run_in_order([("a", fail)], None)
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled():
    seen = []
    gc.disable()
    try:
        run_in_order([_recording("a", seen), _recording("rtl", seen)], [], collect_in=("rtl",))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert seen == [("a", False), ("rtl", False)]
