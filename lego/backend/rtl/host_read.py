"""Whether the host reads the banks asynchronously, and the host read's latency.

The host reads a bank through a read port of its own (lego.backend.rtl.bank), and the top
picks the addressed bank's word through a ``HOST_READ_GROUP``:1 mux per chunk of banks, then
an OR of the chunks (lego.backend.rtl.top). Read synchronously, every bank registers its word
next to the RAM before that mux: a flip-flop per bit of every bank, 2,048 of the 8x8 OS
array's 5,449 (its 64 C banks of 32-bit words), for a port only the host uses while the array
is idle. Read asynchronously, the distributed RAM's read feeds the chunk's mux and the chunk
register takes the word: one register per chunk instead of one per bank, and one cycle less.

That path (the host's address register -> LUT RAM -> 4:1 mux -> chunk register) is not one
the pipelining LP times; nextpnr measured it at 5.06 ns on the 4x4 OS array (generated at
4.6 ns, where it became the critical path, 197.5 MHz against 216.3 with synchronous reads).
So the host reads asynchronously only where the clock period leaves it a margin,
``HOST_COMB_READ_MIN_NS``, and every bank is a distributed RAM (a block RAM reads only
synchronously: an asynchronous port would make Yosys build it from LUT RAM cells)."""

from __future__ import annotations

from lego.backend.design import Design
from lego.backend.primitives import DelayModel
from lego.backend.schedule import Schedule

__all__ = ["HOST_COMB_READ_MIN_NS", "host_reads_comb", "host_read_latency"]

# the measured 5.06 ns plus a margin for nextpnr's seed-to-seed spread (3-7 %) and for larger
# arrays whose chunks' banks sit further apart
HOST_COMB_READ_MIN_NS = 6.0


def host_reads_comb(design: Design, schedule: Schedule) -> bool:
    """Whether every bank's host port reads asynchronously (see the module's docstring)."""
    distributed = DelayModel.distributed_max_words
    return (schedule.period_ns >= HOST_COMB_READ_MIN_NS
            and all(depth <= distributed for t in design.tensors for depth in t.bank_depths))


def host_read_latency(design: Design, schedule: Schedule) -> int:
    """Clock edges from the host's read address to ``host_rdata``: the host inputs' register,
    the banks' read registers (synchronous reads only), the chunk registers, ``host_rdata``."""
    return 3 if host_reads_comb(design, schedule) else 4
