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

__all__ = ["pq_cycles", "pass_cycles", "softmax_cycles"]


def _softmax_pass(params: PqParams, length: int) -> int:
    """EXP (the sum) and DIV of one pass, after its key beats."""
    return -(-length // params.exp_units) + params.prob_bits + 1


def pass_cycles(params: PqParams, length: int) -> int:
    """One key pass plus the softmax sum and the divider."""
    return length * params.beats_per_key + _softmax_pass(params, length)


def softmax_cycles(params: PqParams, length: int, refetched: bool) -> int:
    """The engine's cycles without its key beats: EXP and DIV per pass, then OUT and DONE. A
    system that computes q . key on a separate multiplier array (sim/spatten) charges these to
    the softmax stage and the key beats to its Q x K stage; the two add up to ``pq_cycles``."""
    if not 1 <= length <= params.max_len:
        raise LegoError(f"pq: length must be in [1, {params.max_len}], not {length!r}")
    passes = 2 if refetched else 1
    return passes * _softmax_pass(params, length) + length + 1


def pq_cycles(params: PqParams, length: int, refetched: bool) -> int:
    passes = 2 if refetched else 1
    return passes * length * params.beats_per_key + softmax_cycles(params, length, refetched)
