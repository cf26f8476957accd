"""cocotb coroutines for the toolchain smoke test: an Amaranth accumulator on Verilator."""

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge


@cocotb.test()
async def accumulates(dut):
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    dut.en.value = 0
    dut.inc.value = 0
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    expected = 0
    for step in range(1, 40):
        dut.en.value = 1
        dut.inc.value = step % 7
        await RisingEdge(dut.clk)
        expected = (expected + step % 7) % 256
    dut.en.value = 0
    await RisingEdge(dut.clk)
    await RisingEdge(dut.clk)
    assert dut.total.value.to_unsigned() == expected
