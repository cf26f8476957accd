"""One bank of a tensor: a RAM with one write port and a few synchronous read ports, so that
Yosys maps it to block RAM (DP16KD) or distributed RAM (DPR16X4), never to flip-flops.

The host's inputs arrive registered by the top, each already saying whether the host uses
this port in this cycle: ``host_read`` (the host reads this tensor, through a read port of its
own: the datapath's ports have no host mux, and the host's address register no path into the
datapath's read registers) and ``host_we`` (the host writes this bank); the top raises them
only while the datapath is idle. A distributed RAM copies its cells per read port (Yosys), so
the host's port costs a RAM copy, the price of keeping the host off the datapath's timing.
Where the clock leaves room (lego.backend.rtl.host_read) the host's port reads
asynchronously (``host_comb``: no ``host_read``, the word follows ``host_addr``) and the top
registers it after its bank mux; elsewhere it is synchronous, its word registered next to the
RAM, before the top selects among banks (read asynchronously and registered after an 8:1 bank
mux, it was the critical path of the 4x4 OS array at 5.5 ns: host address -> RAM -> mux ->
register, 5.9 ns, a path the pipelining LP does not time).
The datapath's ports need no ``busy``: one busy register selecting every bank's address and
data bits was the 8x8 WS array's critical path at 5.5 ns (busy -> every read address -> C
read register, 7.0 ns); these selects fan out to one tensor or one bank.

An output the datapath only writes (never reads back) needs no host writes: leaving out their
mux saves a LUT per data bit of every such bank. A bank the datapath never reads has one read
port, the host's."""

from __future__ import annotations

from amaranth import Cat, Module, Mux, Signal, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from lego.widths import index_bits

__all__ = ["Bank", "bank_signature"]


def bank_signature(bits: int, depth: int, reads: int, host_writes: bool,
                   zeroes: tuple[int, ...] = (), host_comb: bool = False) -> wiring.Signature:
    """``reads``: the datapath's read ports (0: only the host reads the bank); ``zeroes``: the
    read ports with an ``r_zero`` input (in that order): where it is 1 with the port's enable,
    the port reads 0 (its read register's synchronous reset); ``host_comb``: the host reads
    the RAM asynchronously (``host_rdata`` follows ``host_addr`` in the same cycle; no
    ``host_read``), the top registering the word after its bank mux."""
    if reads < 0:
        raise ValueError(f"Read port count must be a non-negative integer, not {reads!r}")
    address = unsigned(index_bits(depth))
    host = {"host_we": In(1), "host_wdata": In(unsigned(bits))} if host_writes else {}
    datapath = {"r_en": In(1).array(reads), "r_addr": In(address).array(reads),
                "r_data": Out(unsigned(bits)).array(reads)} if reads else {}
    if zeroes:
        datapath["r_zero"] = In(1).array(len(zeroes))
    return wiring.Signature({
        **({} if host_comb else {"host_read": In(1)}),
        **host,
        "host_addr": In(address),
        "host_rdata": Out(unsigned(bits)),
        "w_en": In(1),
        "w_addr": In(address),
        "w_data": In(unsigned(bits)),
        **datapath,
    })


class Bank(wiring.Component):
    """``views``: per datapath read port, (mask, value) of the word-address bits fixed at every
    read it makes (lego.backend.ports.fixed_bits; (0, 0): none): such a port reads a RAM copy
    of only the words with those bits, indexed by the other bits, which every write to such a
    word also writes."""

    def __init__(self, bits: int, depth: int, reads: int, host_writes: bool = True,
                 zeroes: tuple[int, ...] = (), views: tuple[tuple[int, int], ...] = (),
                 host_comb: bool = False):
        self.bits, self.depth, self.reads, self.host_writes = bits, depth, reads, host_writes
        self.host_comb = host_comb
        self.zeroes = tuple(zeroes)
        self.views = tuple(views) or ((0, 0),) * reads
        if len(self.views) != reads:
            raise ValueError(f"{len(self.views)} views for {reads} read ports")
        super().__init__(bank_signature(bits, depth, reads, host_writes, self.zeroes,
                                        host_comb))

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = memory.Memory(shape=unsigned(self.bits), depth=self.depth,
                                               init=[])
        en, addr, data = self._write()
        write = ram.write_port()
        m.d.comb += [write.en.eq(en), write.addr.eq(addr), write.data.eq(data)]
        # the host reads through a port of its own: sharing the datapath's put the host's
        # address register, through its address mux and the RAM, on the path into the FU
        # that registers the word (the 8x8 OS array at 6.3 ns: 10.4 ns)
        self._host_read(m, ram)
        if not self.reads:
            return m
        copies = self._copies(m, en)
        for i in range(self.reads):
            copy, free = copies.get(self.views[i], (ram, None))
            address = self.r_addr[i] if free is None else Cat(self.r_addr[i][b] for b in free)
            if i in self.zeroes:
                self._zeroing_read(m, copy, address, i, self.r_zero[self.zeroes.index(i)])
                continue
            read = copy.read_port()
            m.d.comb += [read.en.eq(self.r_en[i]), read.addr.eq(address),
                         self.r_data[i].eq(read.data)]
        return m

    def _host_read(self, m, ram) -> None:
        domain = "comb" if self.host_comb else "sync"
        if self.reads:  # the host's port beside the datapath's
            host = ram.read_port(domain=domain)
        else:  # the only read port (the name its signals take in the Verilog)
            read = ram.read_port(domain=domain)
            host = read
        if not self.host_comb:
            m.d.comb += host.en.eq(self.host_read)
        m.d.comb += [host.addr.eq(self.host_addr), self.host_rdata.eq(host.data)]

    def _write(self):
        """The one write: (enable, address, data), the host's where it writes (expressions,
        which every copy's write port takes)."""
        if self.host_writes:
            return (self.w_en | self.host_we, Mux(self.host_we, self.host_addr, self.w_addr),
                    Mux(self.host_we, self.host_wdata, self.w_data))
        return self.w_en, self.w_addr, self.w_data

    def _copies(self, m, en) -> dict:
        """Per view the RAM copy of its words and the address bits that index it. Its write
        picks the datapath's address and data only where the datapath alone writes: the same
        word as the bank's whenever either writes, and where the datapath never writes (an
        input: ``w_en`` tied low) plainly the host's, which Yosys sees (picked by ``host_we``
        it kept a LUT per address and data bit in front of every copy)."""
        addr, data = self.w_addr, self.w_data
        if self.host_writes:
            datapath = self.w_en & ~self.host_we
            addr = Mux(datapath, self.w_addr, self.host_addr)
            data = Mux(datapath, self.w_data, self.host_wdata)
        copies = {}
        for n, (mask, value) in enumerate(sorted(set(self.views) - {(0, 0)})):
            free = [b for b in range(len(self.w_addr)) if not mask >> b & 1]
            copy = memory.Memory(shape=unsigned(self.bits), depth=1 << len(free), init=[])
            m.submodules[f"ram_view{n}"] = copy
            write = copy.write_port()
            m.d.comb += [write.en.eq(en & ((addr & mask) == value)),
                         write.addr.eq(Cat(addr[b] for b in free)), write.data.eq(data)]
            copies[mask, value] = copy, free
        return copies

    def _zeroing_read(self, m, ram, address, i: int, zero) -> None:
        """Read port ``i`` (of ``ram`` at ``address``) with its read register written here: 0
        where ``zero`` (the flip-flops' synchronous reset; no domain reset, which would be a
        second one)."""
        read = ram.read_port(domain="comb")
        word = Signal(self.bits, name=f"r_word_{i}", reset_less=True)
        m.d.comb += [read.addr.eq(address), self.r_data[i].eq(word)]
        with m.If(self.r_en[i]):
            m.d.sync += word.eq(Mux(zero, 0, read.data))
