"""A bank's zeroing read port (the read-modify-write of an output that starts at zero by
itself): the word read, or 0 where ``r_zero`` is high with the enable; held while disabled."""

from amaranth.sim import Simulator

from lego.backend.rtl.bank import Bank, bank_signature
from lego.backend.rtl.library import ModuleLibrary


def _reads(steps):
    """Drive (en, addr, zero) per cycle after writing 11 * (a + 1) to every address a; the
    registered data seen one edge after each read."""
    bank = Bank(8, 4, 1, host_writes=False, zeroes=(0,))
    seen = []

    async def bench(ctx):
        for a in range(4):
            ctx.set(bank.w_en, 1)
            ctx.set(bank.w_addr, a)
            ctx.set(bank.w_data, 11 * (a + 1))
            await ctx.tick()
        ctx.set(bank.w_en, 0)
        for en, addr, zero in steps:
            ctx.set(bank.r_en[0], en)
            ctx.set(bank.r_addr[0], addr)
            ctx.set(bank.r_zero[0], zero)
            await ctx.tick()
            seen.append(ctx.get(bank.r_data[0]))

    sim = Simulator(bank)
    sim.add_clock(1e-6)
    sim.add_testbench(bench)
    sim.run()
    return seen


def test_a_zeroing_port_reads_the_word_or_zero_and_holds_while_disabled():
    assert _reads([(1, 2, 0), (1, 1, 1), (0, 3, 0), (1, 3, 0), (0, 0, 1)]) == [33, 0, 0, 44, 44]


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
