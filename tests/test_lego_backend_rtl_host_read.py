"""The host's asynchronous bank reads: where the generator chooses them, the latency it then
states, and a bank whose host port reads its RAM in the same cycle."""

import re
from pathlib import Path
from types import SimpleNamespace

from amaranth.sim import Simulator

from lego.backend.generate import generate
from lego.backend.interface import interface
from lego.backend.rtl.bank import Bank
from lego.backend.rtl.host_read import HOST_COMB_READ_MIN_NS, host_read_latency, host_reads_comb
from lego.frontend.passes import run_passes
from lego.spec import load_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _design(*depths):
    return SimpleNamespace(tensors=[SimpleNamespace(bank_depths=tuple(depths))])


def test_the_host_reads_asynchronously_where_the_clock_leaves_room_and_every_bank_is_lut_ram():
    relaxed, tight = (SimpleNamespace(period_ns=p) for p in (HOST_COMB_READ_MIN_NS, 4.6))
    assert host_reads_comb(_design(4, 32, 64), relaxed)
    assert host_read_latency(_design(4, 32, 64), relaxed) == 3
    assert not host_reads_comb(_design(4, 32, 64), tight)
    assert host_read_latency(_design(4, 32, 64), tight) == 4
    # a block RAM (deeper than a distributed RAM) reads only synchronously
    assert not host_reads_comb(_design(4, 65), relaxed)


def test_the_generated_top_and_its_interface_agree_on_the_latency():
    adg = run_passes(load_spec(SPECS / "gemm_os_4x4.yaml")).adg
    for period, latency in ((None, 3), (4.6, 4)):
        gen = generate(adg, period_ns=period)
        banks = [line for line in gen.verilog.splitlines() if line.startswith("module ")
                 and "_ram" in line]
        assert banks and all(bool(re.search(r"\bhost_read\b", line)) == (latency == 4)
                             for line in banks)
        assert all(line.split("(")[0].endswith("h") == (latency == 3) for line in banks)
        assert ("host_pick_0_q" in gen.verilog) == (latency == 4)
        facts = interface(adg, gen.design, gen.schedule)
        assert facts["host_read_latency"] == latency


def test_an_asynchronous_host_port_reads_the_word_in_the_cycle_its_address_is_set():
    bank = Bank(8, 4, 1, host_writes=True, host_comb=True)
    assert "host_read" not in bank.signature.members
    seen = []

    async def bench(ctx):
        for a in range(4):
            ctx.set(bank.host_we, 1)
            ctx.set(bank.host_addr, a)
            ctx.set(bank.host_wdata, 7 * (a + 1))
            await ctx.tick()
        ctx.set(bank.host_we, 0)
        for a in (2, 0, 3):
            ctx.set(bank.host_addr, a)
            seen.append(ctx.get(bank.host_rdata))  # no clock edge between
            await ctx.tick()

    sim = Simulator(bank)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    assert seen == [21, 7, 28]
