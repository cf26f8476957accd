"""cocotb bench of ``lego verify``, the same for every generated accelerator: load tensors through
the host port, run one dataflow, count cycles from start to done and every datapath SRAM access
(each memory port enable, sampled every cycle of the run), read the output back.

Cases (:func:`lego.verify.cases`) and the enable signals to watch
(:func:`lego.backend.rtl.netlist.access_probes`) come from the JSON file in LEGO_STIMULI, written
by :func:`lego.verify.verify`; results go to LEGO_RESULTS for the Python side to check. This
module runs inside the simulator (imported by cocotb), never in the ``lego`` process."""

import json
import os
from collections import Counter

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from lego.verify_trace import record_writes

_LIMIT = 1_000_000  # cycles before a run counts as hung


async def _host_write(dut, tensor, bank, addr, value):
    dut.host_tensor.value = tensor
    dut.host_bank.value = bank
    dut.host_addr.value = addr
    dut.host_wdata.value = value
    dut.host_we.value = 1
    await RisingEdge(dut.clk)
    dut.host_we.value = 0


async def _host_reads(dut, reads, latency):
    """One address per cycle; each word arrives ``latency`` edges after its address."""
    words = []
    for i in range(len(reads) + latency):
        if i < len(reads):
            tensor, bank, addr = reads[i][:3]
            dut.host_tensor.value = tensor
            dut.host_bank.value = bank
            dut.host_addr.value = addr
        await RisingEdge(dut.clk)
        await Timer(1, unit="ns")
        if i + 1 >= latency and len(words) < len(reads):
            words.append(int(dut.host_rdata.value))  # a 1-bit port reads as Logic
    return words


def _sample(probes, tally: Counter) -> None:
    """Add this cycle's enabled memory ports (each is one access at the next clock edge)."""
    for key, handle in probes:
        if handle.value == 1:
            tally[key] += 1


async def _run(dut, case, probes, latency, write_ports):
    for tensor, bank, addr, value in case["writes"]:
        await _host_write(dut, tensor, bank, addr, value)
    dut.dataflow.value = case["select"]
    dut.start.value = 1
    watch = cocotb.start_soon(record_writes(dut, write_ports))  # the independent write trace
    tally: Counter = Counter()
    await Timer(1, unit="ns")
    _sample(probes, tally)  # idle: the datapath must not touch memory yet
    await RisingEdge(dut.clk)
    dut.start.value = 0
    cycles = 1
    await Timer(1, unit="ns")
    _sample(probes, tally)
    while not dut.done.value:
        await RisingEdge(dut.clk)
        await Timer(1, unit="ns")
        _sample(probes, tally)
        cycles += 1
        if cycles > _LIMIT:
            raise AssertionError("done never rose")
    mismatch = None
    words = await _host_reads(dut, case["reads"], latency)
    for (_, _, _, want, coord), got in zip(case["reads"], words, strict=True):
        if got != want and mismatch is None:
            mismatch = {"tensor": case["tensor"], "coord": coord, "got": got, "expected": want}
    return {"seed": case["seed"], "dataflow": case["dataflow"], "cycles": cycles,
            "accesses": [[kind, tensor, bank, count]
                         for (kind, tensor, bank), count in sorted(tally.items())],
            "mismatch": mismatch, **(await watch)}


@cocotb.test()
async def every_case(dut):
    with open(os.environ["LEGO_STIMULI"]) as handle:
        stimuli = json.load(handle)
    probes = [((kind, tensor, bank), getattr(dut, name))
              for kind, tensor, bank, name in stimuli["probes"]]
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    for name in ("start", "host_we", "dataflow", "host_tensor", "host_bank", "host_addr",
                 "host_wdata"):
        getattr(dut, name).value = 0
    await ClockCycles(dut.clk, 2)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    results = [await _run(dut, case, probes, stimuli["read_latency"], stimuli["write_ports"])
               for case in stimuli["cases"]]
    with open(os.environ["LEGO_RESULTS"], "w") as handle:
        json.dump(results, handle)
    bad = [r for r in results if r["mismatch"]]
    assert not bad, f"{len(bad)} runs differ, first {bad[0]}"
