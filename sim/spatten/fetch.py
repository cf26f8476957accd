"""What one request fetches from DRAM, under two rules.

``exact``: keys x D x key_bits + values x D x value_bits, plus keys x D x LSB_bits on a
re-fetch; unquantized (-1) elements at ``dense_bits``. Amounts are kept in bits and summed
exactly; bytes are bits / 8 (rounded up only where a total is not whole).

``reference``: the public SpAtten RTL's rounding, as issue 12 describes it and as reproduced on
the shipped traces (per8 83,704,064 B, its dense trace 746,127,360 B): key and value counts are
rounded up to a multiple of 8 (rows travel in groups of 8), keys that are unquantized or 10 or 12
bits wide are fetched as 8 MSB bits plus a forced 4-bit re-fetch (which then also takes the
second Q x K and softmax pass), unquantized values as 8 bits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.spatten.trace import Request

__all__ = ["RULES", "Fetch", "fetch"]

RULES = ("exact", "reference")
_REFERENCE_FORCED_KEY_BITS = (None, 10, 12)
_REFERENCE_GROUP = 8


@dataclass(frozen=True)
class Fetch:
    """Bits of one request's three DRAM reads, and whether it takes the re-fetch pass."""

    key_msb_bits: int
    key_lsb_bits: int
    value_bits: int
    refetch: bool


def _round_up(count: int, group: int) -> int:
    return -(-count // group) * group


def fetch(request: Request, head_dim: int, rule: str, dense_bits: int) -> Fetch:
    if rule == "exact":
        key_bits = request.key_bits or dense_bits
        value_bits = request.value_bits or dense_bits
        lsb = request.lsb_bits if request.refetch else 0
        return Fetch(request.keys * head_dim * key_bits, request.keys * head_dim * lsb,
                     request.values * head_dim * value_bits, request.refetch)
    keys = _round_up(request.keys, _REFERENCE_GROUP)
    values = _round_up(request.values, _REFERENCE_GROUP)
    if request.key_bits in _REFERENCE_FORCED_KEY_BITS:
        key_bits, lsb, refetch = 8, 4, True
    else:
        key_bits, refetch = request.key_bits, request.refetch
        lsb = request.lsb_bits if refetch else 0
    value_bits = request.value_bits or 8
    return Fetch(keys * head_dim * key_bits, keys * head_dim * lsb,
                 values * head_dim * value_bits, refetch)
