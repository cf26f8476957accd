"""Bit widths the generators and models agree on."""

from __future__ import annotations

__all__ = ["index_bits"]


def index_bits(count: int) -> int:
    """Bits of an unsigned index into ``count`` things (0 .. count-1); at least 1, because a
    zero-width signal is something Verilator and Amaranth's memories reject."""
    if count < 1:
        raise ValueError(f"Count must be a positive integer, not {count!r}")
    return max(1, (count - 1).bit_length())
