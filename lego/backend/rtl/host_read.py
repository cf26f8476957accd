"""Which banks the host reads asynchronously, the read-back's chunks, and its latency.

The host reads a bank through a read port of its own (lego.backend.rtl.bank), and the top
picks the addressed bank's word through a ``HOST_READ_GROUP``:1 mux per chunk of banks into a
chunk register, then registers the OR of the chunks (lego.backend.rtl.top). Read
synchronously, every bank registers its word next to the RAM before that mux: a flip-flop per
bit of every bank, 2,048 of the 8x8 OS array's 5,449 (its 64 C banks of 32-bit words), for a
port only the host uses while the array is idle. Read asynchronously, the distributed RAM's
read feeds the chunk's mux and the chunk register takes the word: one register per chunk
instead of one per bank.

That path (host address register -> LUT RAM -> 4:1 mux -> chunk register) is not one the
pipelining LP times, and it crosses the array: a chunk's banks sit by their FUs, its address
register and chunk register between them. nextpnr measured it at 5.06 ns on the 4x4 OS array
(generated at 4.6 ns, where it became the critical path: 197.5 MHz against 216.3 with
synchronous reads), 5.38 ns on the 4x4 WS at 7 ns (its datapath reaches 5.2) and 6.62 ns on
the 8x8 OS at 7 ns (151.0 MHz, the critical path; another placement of the same design at 7 ns
had the datapath critical at 6.04 ns, 165.5 MHz; README's host-port item says on which
code each was measured). So the host reads asynchronously only where
the design's tightest period (the LP's floor, ``Schedule.tightest_period_ns``: its slowest
primitive alone, which no clock's datapath gets under) is at least ``HOST_COMB_READ_MIN_NS``;
the 8x8s generated at 10 ns are (7.15 ns: the DSP's product crosses the array into its adder
in one cycle there), their tighter designs and every 4x4 are not. Only banks of at most
``COMB_READ_MAX_WORDS`` words read so: a block RAM reads only synchronously, and Yosys maps a
bank to one as soon as that is cheaper (the WS 16x16's 64-word C banks with a read-modify-write
port: 32 DP16KD; read asynchronously by the host they became 1,024 more DPR16X4). Where some
chunks read asynchronously and some do not, the asynchronous ones' OR is registered once
more, so every word takes the same edges to ``host_rdata``."""

from __future__ import annotations

from lego.backend.design import Design
from lego.backend.schedule import Schedule
from lego.widths import index_bits

__all__ = ["COMB_READ_MAX_WORDS", "HOST_COMB_READ_MIN_NS", "HOST_READ_GROUP", "comb_banks",
           "host_read_latency", "read_chunks"]

# words per read-back mux, and banks per registered host address: a 4:1 mux is one ECP5 slice
# level (two LUT4s and a PFUMX). The read-back was the critical path of the 4x4 OS array at
# 5.5 ns, a path the pipelining LP does not time, with host-only banks read asynchronously
# into a bank mux (host address -> LUT RAM -> 8:1 mux -> register, 5.9 ns; 4:1: 5.2 ns) and
# with 8:1 chunks (host_pick_q -> 8:1 mux -> host_chunk_q, 5.6 ns)
HOST_READ_GROUP = 4
# the 8x8's measured 6.62 ns plus a margin for nextpnr's seed-to-seed spread (3-7 %)
HOST_COMB_READ_MIN_NS = 7.0
COMB_READ_MAX_WORDS = 32  # two distributed RAM cells (TRELLIS_DPR16X4) deep


def read_chunks(design: Design) -> list[list[tuple[int, str, int]]]:
    """The read-back's chunks of ``HOST_READ_GROUP`` banks, in the order of the host's select
    (``host_bank`` in the low bits, ``host_tensor`` above): (select value, tensor, bank)."""
    bank_bits = index_bits(max(t.banks for t in design.tensors))
    level = sorted((b | (t.index << bank_bits), t.name, b)
                   for t in design.tensors for b in range(t.banks))
    return [level[i:i + HOST_READ_GROUP] for i in range(0, len(level), HOST_READ_GROUP)]


def comb_banks(design: Design, schedule: Schedule) -> frozenset[tuple[str, int]]:
    """The (tensor, bank) the host reads asynchronously: every bank of a chunk of small
    distributed RAMs, in a design whose tightest period leaves the path room (module
    docstring)."""
    if schedule.tightest_period_ns < HOST_COMB_READ_MIN_NS:
        return frozenset()
    return frozenset((t, b) for chunk in read_chunks(design)
                     if all(design.tensor(t).bank_depths[b] <= COMB_READ_MAX_WORDS
                            for _, t, b in chunk)
                     for _, t, b in chunk)


def host_read_latency(design: Design, schedule: Schedule) -> int:
    """Clock edges from the host's read address to ``host_rdata``: the host inputs' register,
    the chunk register and ``host_rdata``; 4 where some bank reads synchronously (its read
    register, or the asynchronous chunks' OR register)."""
    banks = sum(t.banks for t in design.tensors)
    return 3 if len(comb_banks(design, schedule)) == banks else 4
