"""One bank of a tensor: a RAM with one write port and a few synchronous read ports, so that
Yosys maps it to block RAM (DP16KD) or distributed RAM (DPR16X4), never to flip-flops.

While ``busy`` is low the host owns the write port and read port 0 (its inputs are already
registered by the top); while it is high the datapath does."""

from __future__ import annotations

from amaranth import Module, Mux, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from lego.widths import index_bits

__all__ = ["Bank", "bank_signature"]


def bank_signature(bits: int, depth: int, reads: int) -> wiring.Signature:
    if reads < 1:
        raise ValueError(f"A bank needs at least one read port (the host's), not {reads!r}")
    address = unsigned(index_bits(depth))
    return wiring.Signature({
        "busy": In(1),
        "host_we": In(1),
        "host_addr": In(address),
        "host_wdata": In(unsigned(bits)),
        "w_en": In(1),
        "w_addr": In(address),
        "w_data": In(unsigned(bits)),
        "r_en": In(1).array(reads),
        "r_addr": In(address).array(reads),
        "r_data": Out(unsigned(bits)).array(reads),
    })


class Bank(wiring.Component):
    def __init__(self, bits: int, depth: int, reads: int):
        self.bits, self.depth, self.reads = bits, depth, reads
        super().__init__(bank_signature(bits, depth, reads))

    def elaborate(self, platform):
        m = Module()
        m.submodules.ram = ram = memory.Memory(shape=unsigned(self.bits), depth=self.depth,
                                               init=[])
        write = ram.write_port()
        m.d.comb += [write.en.eq(Mux(self.busy, self.w_en, self.host_we)),
                     write.addr.eq(Mux(self.busy, self.w_addr, self.host_addr)),
                     write.data.eq(Mux(self.busy, self.w_data, self.host_wdata))]
        for i in range(self.reads):
            read = ram.read_port()
            if i == 0:
                m.d.comb += [read.en.eq(Mux(self.busy, self.r_en[0], 1)),
                             read.addr.eq(Mux(self.busy, self.r_addr[0], self.host_addr))]
            else:
                m.d.comb += [read.en.eq(self.r_en[i]), read.addr.eq(self.r_addr[i])]
            m.d.comb += self.r_data[i].eq(read.data)
        return m
