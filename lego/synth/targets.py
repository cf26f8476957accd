"""The devices ``lego synth`` targets: nextpnr's device flag, the package and the capacities a
design is checked against after synthesis (before place and route)."""

from __future__ import annotations

from dataclasses import dataclass

from lego.errors import LegoError

__all__ = ["Target", "TARGETS", "target", "fit_error"]


@dataclass(frozen=True)
class Target:
    name: str
    device: str  # the part, for the report
    nextpnr_flag: str  # "" for the generic (technology-independent) target
    package: str
    pins: int  # user I/O of the package: a top with more port bits is placed out of context
    # cell type -> how many the device has. LUT4, TRELLIS_FF, DP16KD and MULT18X18D are the
    # "available" figures nextpnr-ecp5 0.11 reports for each device (TRELLIS_COMB, TRELLIS_FF,
    # DP16KD, MULT18X18D); the pins are the caBGA381 columns of the ECP5 family data sheet.
    capacity: tuple[tuple[str, int], ...]

    @property
    def is_ecp5(self) -> bool:
        return bool(self.nextpnr_flag)


def _ecp5(size: str, luts: int, brams: int, dsps: int, pins: int) -> Target:
    return Target(f"ecp5-{size}", f"LFE5U-{size.upper()[:-1]}F", f"--{size}", "CABGA381", pins,
                  (("LUT4", luts), ("TRELLIS_FF", luts), ("DP16KD", brams),
                   ("MULT18X18D", dsps)))


TARGETS = {t.name: t for t in (
    _ecp5("25k", 24_288, 56, 28, 197),
    _ecp5("45k", 43_848, 108, 72, 203),
    _ecp5("85k", 83_640, 208, 156, 205),
    Target("generic", "generic", "", "", 0, ()),
)}


def target(name: str) -> Target:
    try:
        return TARGETS[name]
    except KeyError:
        raise LegoError(f"--target must be one of {', '.join(TARGETS)}, not {name!r}") from None


def fit_error(cells: dict[str, int], device: Target) -> str | None:
    """The first resource the synthesized ``cells`` (type -> count) need more of than
    ``device`` has, as "needs N LUT4, ecp5-85k has 83,640"; None when everything fits."""
    for cell, available in device.capacity:
        needed = cells.get(cell, 0)
        if needed > available:
            return f"needs {needed:,} {cell}, {device.name} has {available:,}"
    return None
