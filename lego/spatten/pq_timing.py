"""Exact cycle model of the progressive-quantization engine (lego.spatten.pq.PqEngine): the engine's
own timing, so it lives with the engine; the report, the trace replay and the tests read it here.

Counts clock cycles from the one in which the first MSB key beat is accepted to the one in which
``done`` is high, both included, for streams with no input bubbles and an always-ready output:

    MSB pass   L * D/lanes   one key beat per cycle
    EXP        ceil(L / E)   E = exp_units stored scores per cycle: exp and running sum
    DIV        P + 1         restoring divider, one quotient bit per cycle (P = prob_bits)
    re-fetch   L * D/lanes + L + P + 1   LSB pass, EXP, DIV again (only when p_max < threshold)
    OUT        L             one (score, prob) beat per cycle
    DONE       1
"""

from __future__ import annotations

from lego.errors import LegoError
from lego.spatten.pq_params import PqParams

__all__ = ["pq_cycles", "pass_cycles"]


def pass_cycles(params: PqParams, length: int) -> int:
    """One key pass plus the softmax sum and the divider."""
    exp = -(-length // params.exp_units)
    return length * params.beats_per_key + exp + params.prob_bits + 1


def pq_cycles(params: PqParams, length: int, refetched: bool) -> int:
    if not 1 <= length <= params.max_len:
        raise LegoError(f"pq: length must be in [1, {params.max_len}], not {length!r}")
    passes = 2 if refetched else 1
    return passes * pass_cycles(params, length) + length + 1
