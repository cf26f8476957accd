"""A bank's zeroing read port (the read-modify-write of an output that starts at zero by
itself): the word read, or 0 where ``r_zero`` is high with the enable; held while disabled."""

import re

from amaranth.sim import Simulator

from lego.backend.rtl.bank import Bank, bank_signature
from lego.backend.rtl.library import ModuleLibrary


def _simulate(bank, bench) -> None:
    sim = Simulator(bank)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()


async def _fill(ctx, en, addr, data, words) -> None:
    """Write ``words`` to addresses 0, 1, ... through (enable, address, data), one a cycle."""
    for a, word in enumerate(words):
        ctx.set(en, 1)
        ctx.set(addr, a)
        ctx.set(data, word)
        await ctx.tick()
    ctx.set(en, 0)


def _reads(steps):
    """Drive (en, addr, zero) per cycle after writing 11 * (a + 1) to every address a; the
    registered data seen one edge after each read."""
    bank = Bank(8, 4, 1, host_writes=False, zeroes=(0,))
    seen = []

    async def bench(ctx):
        await _fill(ctx, bank.w_en, bank.w_addr, bank.w_data, [11 * (a + 1) for a in range(4)])
        for en, addr, zero in steps:
            ctx.set(bank.r_en[0], en)
            ctx.set(bank.r_addr[0], addr)
            ctx.set(bank.r_zero[0], zero)
            await ctx.tick()
            seen.append(ctx.get(bank.r_data[0]))

    _simulate(bank, bench)
    return seen


def test_a_zeroing_port_reads_the_word_or_zero_and_holds_while_disabled():
    assert _reads([(1, 2, 0), (1, 1, 1), (0, 3, 0), (1, 3, 0), (0, 0, 1)]) == [33, 0, 0, 44, 44]


def test_an_asynchronous_host_port_reads_the_word_in_the_cycle_its_address_is_set():
    bank = Bank(8, 4, 1, host_writes=True, host_comb=True)
    assert "host_read" not in bank.signature.members
    seen = []

    async def bench(ctx):
        await _fill(ctx, bank.host_we, bank.host_addr, bank.host_wdata,
                    [7 * (a + 1) for a in range(4)])
        for a in (2, 0, 3):
            ctx.set(bank.host_addr, a)
            seen.append(ctx.get(bank.host_rdata))  # no clock edge between
            await ctx.tick()

    _simulate(bank, bench)
    assert seen == [21, 7, 28]


def test_only_the_listed_ports_zero():
    members = bank_signature(8, 4, 2, True, zeroes=(1,)).members
    assert members["r_zero"].dimensions == (1,) and members["r_data"].dimensions == (2,)
    assert "r_zero" not in bank_signature(8, 4, 2, True).members


def test_a_bank_whose_module_header_wraps_keeps_its_clock_and_reset_ports():
    # eight zeroing read ports make a header the Verilog backend wraps over lines; the library
    # must still see clk and rst, or the top's instances leave them unconnected (a fuzz find)
    library = ModuleLibrary()
    library.add("wide_bank", lambda: Bank(8, 16, 8, host_writes=False, zeroes=tuple(range(8))))
    assert {"clk", "rst", "r_zero__7", "host_read"} <= library.ports["wide_bank"]


def _viewed_reads(views, zeroes=(), host_writes=True):
    """Write 3 * a + 1 to every word a of a 32-word bank (the host's port for even words where
    the bank takes host writes, the datapath's otherwise), then read through each port every
    word its view allows; per port the words seen, in address order."""
    bank = Bank(8, 32, len(views), host_writes=host_writes, zeroes=zeroes, views=views)
    seen = {}

    async def bench(ctx):
        for a in range(32):
            host = host_writes and a % 2 == 0
            if host_writes:
                ctx.set(bank.host_we, host)
                ctx.set(bank.host_addr, a)
                ctx.set(bank.host_wdata, 3 * a + 1)
            ctx.set(bank.w_en, not host)
            ctx.set(bank.w_addr, a)
            ctx.set(bank.w_data, 3 * a + 1)
            await ctx.tick()
        ctx.set(bank.w_en, 0)
        if host_writes:
            ctx.set(bank.host_we, 0)
        for i, (mask, value) in enumerate(views):
            seen[i] = []
            for a in (a for a in range(32) if a & mask == value):
                ctx.set(bank.r_en[i], 1)
                ctx.set(bank.r_addr[i], a)
                await ctx.tick()
                seen[i].append(ctx.get(bank.r_data[i]))
            ctx.set(bank.r_en[i], 0)

    _simulate(bank, bench)
    return seen


def test_a_port_with_a_view_reads_its_words_from_a_copy_of_only_those():
    views = ((0, 0), (0b01110, 0b00110), (0b11111, 0b10101), (0b00111, 0b00011))
    seen = _viewed_reads(views)
    for i, (mask, value) in enumerate(views):
        assert seen[i] == [3 * a + 1 for a in range(32) if a & mask == value], i
    # the datapath's writes reach the copies too, and a zeroing port reads through its view
    seen = _viewed_reads(((0b01110, 0b00110),), zeroes=(0,), host_writes=False)
    assert seen[0] == [3 * a + 1 for a in range(32) if a & 0b01110 == 0b00110]


def test_each_view_is_one_ram_copy_as_deep_as_its_free_address_bits():
    from amaranth.back import rtlil
    text = rtlil.convert(Bank(8, 32, 3, views=((0, 0), (0b01110, 0b00110), (0b01110, 0b00100))))
    depths = sorted(int(d) for d in re.findall(r"memory width 8 size (\d+)", text))
    assert depths == [4, 4, 32]
