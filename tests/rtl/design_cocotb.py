"""cocotb driver for every generated accelerator: load tensors through the host port, run one
dataflow, count cycles from start to done, read the output back. Cases come from the JSON file
in LEGO_STIMULI (lego.verify.cases); results go to LEGO_RESULTS for the Python side to check."""

import json
import os

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer

_LIMIT = 1_000_000  # cycles before a run counts as hung


async def _host_write(dut, tensor, bank, addr, value):
    dut.host_tensor.value = tensor
    dut.host_bank.value = bank
    dut.host_addr.value = addr
    dut.host_wdata.value = value
    dut.host_we.value = 1
    await RisingEdge(dut.clk)
    dut.host_we.value = 0


async def _host_read(dut, tensor, bank, addr):
    dut.host_tensor.value = tensor
    dut.host_bank.value = bank
    dut.host_addr.value = addr
    await RisingEdge(dut.clk)
    await Timer(1, unit="ns")
    return dut.host_rdata.value.to_unsigned()


async def _run(dut, case):
    for tensor, bank, addr, value in case["writes"]:
        await _host_write(dut, tensor, bank, addr, value)
    dut.dataflow.value = case["select"]
    dut.start.value = 1
    await RisingEdge(dut.clk)
    dut.start.value = 0
    cycles = 1
    await Timer(1, unit="ns")
    while not dut.done.value:
        await RisingEdge(dut.clk)
        await Timer(1, unit="ns")
        cycles += 1
        if cycles > _LIMIT:
            raise AssertionError("done never rose")
    mismatch = None
    for tensor, bank, addr, want, coord in case["reads"]:
        got = await _host_read(dut, tensor, bank, addr)
        if got != want and mismatch is None:
            mismatch = {"tensor": case["tensor"], "coord": coord, "got": got, "expected": want}
    return {"seed": case["seed"], "dataflow": case["dataflow"], "cycles": cycles,
            "mismatch": mismatch}


@cocotb.test()
async def every_case(dut):
    with open(os.environ["LEGO_STIMULI"]) as handle:
        cases = json.load(handle)
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for name in ("start", "host_we", "dataflow", "host_tensor", "host_bank", "host_addr",
                 "host_wdata"):
        getattr(dut, name).value = 0
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    results = [await _run(dut, case) for case in cases]
    with open(os.environ["LEGO_RESULTS"], "w") as handle:
        json.dump(results, handle)
    bad = [r for r in results if r["mismatch"]]
    assert not bad, f"{len(bad)} runs differ, first {bad[0]}"
