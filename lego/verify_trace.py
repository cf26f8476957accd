"""The verify bench's independent record of the output writes: a sampler that watches
the RTL's own memory write ports (each RAM bank's ``w_en`` and ``w_addr``) every cycle from
``start`` until ``done`` and gives every write as (cycle, tensor, bank, address), and the cycle
``done`` was first seen. A write still enabled once ``done`` is high lands too late (the host may
already be reading): it is not counted. Cycle 0 is the one in which ``start`` is high.
:mod:`sim.write_trace` predicts the same trace from the schedule.

Runs inside the simulator (imported by lego.verify_bench), never in the ``lego`` process, except
:func:`write_ports`, which names the signals to watch."""

from __future__ import annotations

__all__ = ["write_ports", "WriteTrace"]


def write_ports(design) -> list[tuple[str, int, str, str]]:
    """(tensor, bank, enable signal, address signal) of every RAM bank the datapath writes:
    the top-level nets of each bank's write port (lego/backend/rtl/top.py names the banks
    ``mem_<tensor>_<bank>``)."""
    written = {p.params.tensor for p in design.graph.primitives() if p.kind == "mem_write"}
    return [(t.name, b, f"mem_{t.name}_{b}__w_en", f"mem_{t.name}_{b}__w_addr")
            for t in design.tensors if t.name in written for b in range(t.banks)]


class WriteTrace:
    """Sampled by the bench once per cycle of a run (the driver's ``each_cycle`` hook, after
    the signals settled; cycle 0 is the one ``start`` is high in): every enabled write port as
    (cycle, tensor, bank, address), until the first cycle ``done`` is high, which it records
    and in which it counts no write (one enabled then lands after ``done``: the host may
    already read; it is lost)."""

    def __init__(self, dut, ports):
        # a one-word bank has no address net: its address is 0
        self.done = dut.done
        self.handles = [(tensor, bank, getattr(dut, enable), getattr(dut, address, None))
                        for tensor, bank, enable, address in ports]
        self.clear()

    def clear(self) -> None:
        self.writes, self.done_cycle = [], None

    def sample(self, cycle: int) -> None:
        if self.done_cycle is not None:
            return
        if int(self.done.value) == 1 and cycle > 0:
            self.done_cycle = cycle
            return
        for tensor, bank, enable, address in self.handles:
            if int(enable.value) == 1:
                self.writes.append([cycle, tensor, bank,
                                    0 if address is None else int(address.value)])

    def result(self) -> dict:
        return {"writes": self.writes, "done_cycle": self.done_cycle}
