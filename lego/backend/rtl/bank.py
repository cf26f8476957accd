"""One bank of a tensor: a RAM with one write port and a few synchronous read ports, so that
Yosys maps it to block RAM (DP16KD) or distributed RAM (DPR16X4), never to flip-flops.

While ``busy`` is low the host owns read port 0 and, unless ``host_writes`` is off, the write
port (its inputs are already registered by the top); while it is high the datapath does. The
datapath's enables pick its address and data (they are low while ``busy`` is), so ``busy``
reaches only the enables. An
output the datapath only writes (never reads back) needs no host writes: leaving out their
mux saves a LUT per data bit of every such bank. A bank the datapath never reads has one
read port, the host's, read asynchronously: the top registers the word after selecting the
bank, so such banks need no output register of their own (distributed RAM reads are
asynchronous anyway)."""

from __future__ import annotations

from amaranth import Module, Mux, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from lego.widths import index_bits

__all__ = ["Bank", "bank_signature"]


def bank_signature(bits: int, depth: int, reads: int, host_writes: bool) -> wiring.Signature:
    """``reads``: the datapath's read ports (0: only the host reads the bank)."""
    if reads < 0:
        raise ValueError(f"Read port count must be a non-negative integer, not {reads!r}")
    address = unsigned(index_bits(depth))
    host = {"host_we": In(1), "host_wdata": In(unsigned(bits))} if host_writes else {}
    datapath = {"r_en": In(1).array(reads), "r_addr": In(address).array(reads),
                "r_data": Out(unsigned(bits)).array(reads)} if reads else {}
    return wiring.Signature({
        "busy": In(1),
        **host,
        "host_addr": In(address),
        "host_rdata": Out(unsigned(bits)),
        "w_en": In(1),
        "w_addr": In(address),
        "w_data": In(unsigned(bits)),
        **datapath,
    })


class Bank(wiring.Component):
    def __init__(self, bits: int, depth: int, reads: int, host_writes: bool = True):
        self.bits, self.depth, self.reads, self.host_writes = bits, depth, reads, host_writes
        super().__init__(bank_signature(bits, depth, reads, host_writes))

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = memory.Memory(shape=unsigned(self.bits), depth=self.depth,
                                               init=[])
        write = ram.write_port()
        # the datapath's enables, not busy, pick its address and data over the host's: they
        # are low whenever busy is (every predicate holds the controller's step-valid bit, and
        # busy falls with the last write), and while busy they are high when the port is used.
        # busy selecting them drove every bank's address and data bits, and through the
        # asynchronous read was the 8x8 WS array's critical path (busy -> C read, 7.0 ns)
        if self.host_writes:
            m.d.comb += [write.en.eq(self.w_en | (self.host_we & ~self.busy)),
                         write.addr.eq(Mux(self.w_en, self.w_addr, self.host_addr)),
                         write.data.eq(Mux(self.w_en, self.w_data, self.host_wdata))]
        else:
            m.d.comb += [write.en.eq(self.w_en), write.addr.eq(self.w_addr),
                         write.data.eq(self.w_data)]
        if not self.reads:
            read = ram.read_port(domain="comb")
            m.d.comb += [read.addr.eq(self.host_addr), self.host_rdata.eq(read.data)]
            return m
        for i in range(self.reads):
            read = ram.read_port()
            if i == 0:
                m.d.comb += [read.en.eq(self.r_en[0] | ~self.busy),
                             read.addr.eq(Mux(self.r_en[0], self.r_addr[0], self.host_addr)),
                             self.host_rdata.eq(read.data)]
            else:
                m.d.comb += [read.en.eq(self.r_en[i]), read.addr.eq(self.r_addr[i])]
            m.d.comb += self.r_data[i].eq(read.data)
        return m
