"""The DRAM ladder: the bytes a trace would move with each of SpAtten's techniques added in turn,
every step computed from the trace (exact rule: elements x D x bits, summed, then / 8).

1. dense: every token (L), every head of the model, every value, at ``dense_bits``;
2. + token pruning: each layer's kept tokens (its requests' key_fetch_num; the largest if its
   heads differ) for every head of the model, keys and values;
3. + head pruning: only the heads present in the trace, each with its own keys, keys and values;
4. + local value pruning: values cut to value_fetch_num;
5. + MSB-only fetch: keys and values at their quantized widths (unquantized: ``dense_bits``);
6. + LSB re-fetch: plus the LSBs of the re-fetched keys (= the exact fetch rule's total).
"""

from __future__ import annotations

from collections import defaultdict

from sim.spatten.trace import Trace

__all__ = ["STEPS", "ladder"]

STEPS = ("dense", "+ token pruning", "+ head pruning", "+ local value pruning",
         "+ MSB-only fetch", "+ LSB re-fetch")


def _bytes(bits: int) -> int:
    return -(-bits // 8)


def ladder(trace: Trace, dense_bits: int) -> list[dict]:
    """[{step, bytes, reduction (vs the step before), total_reduction (vs dense)}]."""
    d = trace.head_dim
    lengths, kept = {}, defaultdict(int)
    for r in trace.requests:
        group = (r.iteration, r.layer)
        lengths[group] = r.length
        kept[group] = max(kept[group], r.keys)
    bits = [
        sum(trace.heads * 2 * length * d * dense_bits for length in lengths.values()),
        sum(trace.heads * 2 * keys * d * dense_bits for keys in kept.values()),
        sum(2 * r.keys * d * dense_bits for r in trace.requests),
        sum((r.keys + r.values) * d * dense_bits for r in trace.requests),
        sum(r.keys * d * (r.key_bits or dense_bits) + r.values * d * (r.value_bits or dense_bits)
            for r in trace.requests),
    ]
    bits.append(bits[-1] + sum(r.keys * d * r.lsb_bits for r in trace.requests if r.refetch))
    steps = []
    for index, (name, amount) in enumerate(zip(STEPS, bits, strict=True)):
        before = bits[index - 1] if index else amount
        steps.append({"step": name, "bytes": _bytes(amount), "reduction": before / amount,
                      "total_reduction": bits[0] / amount})
    return steps
