"""How many bits an output's partial sums need in the array.

A partial sum (an accumulator, or the sum an FU passes on) holds products of one output element
only: its own product and its upstream FUs' partial sums, and for a stationary output that,
over the steps of its invariant loops (cleared at their first step). So it holds at most
``products_per_partial_sum`` products and lies in that many times the product's range. Where
that fits fewer signed bits than the output word, the adders compute modulo 2**bits and
sign-extend (:class:`lego.backend.semantics.Sum`), as a hand designer sizes an accumulator
(int8 x int8 over 16 steps: 20 bits, not 32): Yosys then drops the register bits, dataflow-mux
LUTs and carry cells above them. A read-modify-write adds the memory's old word, which the host
may have set to anything, so it keeps the full word."""

from __future__ import annotations

import math

from lego.frontend.adg import ADG, mem_id

__all__ = ["product_range", "signed_bits", "products_per_partial_sum", "partial_sum_bits"]


def product_range(operands: tuple[tuple[int, bool], ...]) -> tuple[int, int]:
    """(least, greatest) product of operands of (bits, signed) each."""
    lo = hi = 1
    for bits, signed in operands:
        low, high = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        corners = [x * y for x in (lo, hi) for y in (low, high)]
        lo, hi = min(corners), max(corners)
    return lo, hi


def signed_bits(lo: int, hi: int) -> int:
    """The fewest bits of a two's-complement number holding every value from lo to hi."""
    return max(lo.bit_length() if lo >= 0 else (~lo).bit_length(),
               hi.bit_length() if hi >= 0 else (~hi).bit_length()) + 1


def products_per_partial_sum(adg: ADG, output: str) -> int:
    """The most products any partial sum of ``output`` holds, over every FU and dataflow."""
    counts: dict[tuple[str, str], int] = {}

    def count(fu: str, flow) -> int:
        key = (fu, flow.name)
        if key not in counts:
            upstream = sum(count(src, flow) for src, _ in adg.in_edges(fu, output, flow.name)
                           if src != mem_id(output))
            held = flow.flags(output).invariant_to
            steps = math.prod(loop.bound for loop in flow.temporal if loop.name in held)
            counts[key] = (1 + upstream) * steps
        return counts[key]

    return max((count(fu.id, flow) for flow in adg.flows for fu in adg.fus), default=1)


def partial_sum_bits(adg: ADG) -> int:
    """The width the output's partial sums are computed in, or 0 where that is the whole
    output word (a narrower one would not hold every sum)."""
    output = next(t for t in adg.tensors if t.role == "output")
    operands = tuple((t.bits, t.signed) for t in adg.tensors if t.role == "input")
    lo, hi = product_range(operands)
    n = products_per_partial_sum(adg, output.name)
    bits = signed_bits(n * lo, n * hi)
    return bits if bits < output.bits else 0
