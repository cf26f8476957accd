"""Energy of one run of a generated design: its exact access counts (sim/design.py,
sim/sram.py) priced with the per-access table of workload mode (sim/workload/energy.py,
defaults in energy_defaults.yaml). Estimates, like the table.

Counts:
- ``mac``: steps * FUs (every FU computes a valid iteration at every step: the mapping is a
  bijection onto the iteration space);
- ``register``: 3 per MAC, as in workload mode;
- ``sram_read`` / ``sram_write``: a generated design's banks are one element wide, so an access
  is priced as the fraction ``bits / sram_bank_width_bits`` of a bank-word access (energy
  proportional to the bits moved, the same scaling workload mode's packing gives);
- ``dram_byte``: 0 (the host loads the banks; a design run does not touch DRAM).
"""

from __future__ import annotations

from sim.design import DesignRun
from sim.workload.energy import REGISTER_ACCESSES_PER_MAC, energy_pj

__all__ = ["design_energy"]


def design_energy(run: DesignRun, table: dict) -> dict[str, float]:
    """Energy per count kind (pJ) and their sum under ``total``."""
    width = table["sram_bank_width_bits"]
    macs = run.steps * run.fus
    counts = {
        "mac": macs,
        "register": REGISTER_ACCESSES_PER_MAC * macs,
        "sram_read": sum(sum(a.reads) * a.bits for a in run.sram) / width,
        "sram_write": sum(sum(a.writes) * a.bits for a in run.sram) / width,
        "dram_byte": 0,
    }
    return energy_pj(counts, table)
