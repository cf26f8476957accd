"""Conversion in a fresh in-process Yosys instance writes what Amaranth's own convert writes."""

import pytest
from amaranth import Module, Signal
from amaranth._toolchain.yosys import YosysError
from amaranth.back import verilog
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.backend.rtl import verilog_text
from lego.backend.rtl.verilog_text import convert


class _Select(wiring.Component):
    """A switch in a combinational process (Yosys names its ``always @*`` trigger register
    from a counter) and a register: the state one shared Yosys would carry over."""

    def __init__(self, cases: int):
        self.cases = cases
        super().__init__({"sel": In(4), "data": In(8), "out": Out(8)})

    def elaborate(self, platform):
        m = Module()
        held = Signal(8)
        m.d.sync += held.eq(self.data)
        with m.Switch(self.sel):
            for case in range(self.cases):
                with m.Case(case):
                    m.d.comb += self.out.eq(held + case)
        return m


def test_each_conversion_is_what_amaranth_writes():
    for name, cases in (("sel2", 2), ("sel5", 5), ("sel3", 3)):
        text = convert(_Select(cases), name)
        assert text == verilog.convert(_Select(cases), name=name, emit_src=False)
        assert "dump_module$1 " in text and "src =" not in text


def test_a_yosys_error_is_raised_with_its_message():
    with pytest.raises(YosysError, match="No such command"):
        verilog_text._run_builtin(["-q", "-"], "no_such_command")



@pytest.mark.parametrize("enabled", [True, False])
def test_conversion_runs_without_the_cycle_collector_and_restores_it(enabled, monkeypatch):
    import gc

    seen = []
    original = verilog_text.rtlil.convert

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(verilog_text.rtlil, "convert", spy)
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        convert(_Select(2), "sel2")
        assert seen == [False] and gc.isenabled() == enabled
    finally:
        (gc.enable if was else gc.disable)()
