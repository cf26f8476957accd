"""The verify bench's independent record of the output writes: a cocotb coroutine that watches
the RTL's own memory write ports (each RAM bank's ``w_en`` and ``w_addr``) every cycle from
``start`` until ``done`` and returns every write as (cycle, tensor, bank, address), and the cycle
``done`` was first seen. A write still enabled once ``done`` is high lands too late (the host may
already be reading): it is not counted. The coroutine counts cycles itself, like the bench:
cycle 0 is the one in which ``start`` is high. :mod:`sim.write_trace` predicts the same trace
from the schedule.

Runs inside the simulator (imported by lego.verify_bench), never in the ``lego`` process, except
:func:`write_ports`, which names the signals to watch."""

from __future__ import annotations

__all__ = ["write_ports", "record_writes"]


def write_ports(design) -> list[tuple[str, int, str, str]]:
    """(tensor, bank, enable signal, address signal) of every RAM bank the datapath writes:
    the top-level nets of each bank's write port (lego/backend/rtl/top.py names the banks
    ``mem_<tensor>_<bank>``)."""
    written = {p.params.tensor for p in design.graph.primitives() if p.kind == "mem_write"}
    return [(t.name, b, f"mem_{t.name}_{b}__w_en", f"mem_{t.name}_{b}__w_addr")
            for t in design.tensors if t.name in written for b in range(t.banks)]


async def record_writes(dut, ports) -> dict:
    """Start right after the bench raised ``start``; returns the writes and ``done``'s cycle."""
    from cocotb.triggers import RisingEdge, Timer

    # a one-word bank has no address net: its address is 0
    handles = [(tensor, bank, getattr(dut, enable), getattr(dut, address, None))
               for tensor, bank, enable, address in ports]
    writes, cycle = [], 0
    await Timer(1, unit="ns")
    while True:
        if int(dut.done.value) == 1 and cycle > 0:
            # a write enabled now lands after done: the host may already read; it is lost
            return {"writes": writes, "done_cycle": cycle}
        for tensor, bank, enable, address in handles:
            if int(enable.value) == 1:
                writes.append([cycle, tensor, bank,
                               0 if address is None else int(address.value)])
        await RisingEdge(dut.clk)
        await Timer(1, unit="ns")
        cycle += 1
