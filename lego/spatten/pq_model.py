"""Bit-exact Python model of the progressive-quantization engine (formats in pq_params)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lego.spatten.pq_params import PqParams

__all__ = ["PqResult", "exp_fixed", "softmax_fixed", "run_pq"]


@dataclass(frozen=True)
class PqResult:
    scores: tuple[int, ...]   # final scores (full precision if re-fetched, else MSB-only)
    probs: tuple[int, ...]    # prob_bits fraction bits
    p_max: int                # final p_max (prob_bits fraction bits)
    msb_p_max: int            # p_max of the MSB-only pass, on which the decision is taken
    refetched: bool
    bytes_fetched: int


def exp_fixed(params: PqParams, scores: np.ndarray) -> np.ndarray:
    """e_j = 2**(-(s_max - s_j) * c) in fixed point (prob_bits fraction bits), as the RTL does."""
    diff = scores.max() - scores
    product = diff * params.scale_const
    shift = params.exp_shift
    y = product >> shift if shift >= 0 else product << -shift
    n = y >> params.exp_lut_bits
    f = y & (2 ** params.exp_lut_bits - 1)
    lut = np.array(params.lut, dtype=np.int64)[f]
    return np.where(n > params.prob_bits, 0, lut >> np.minimum(n, params.prob_bits))


def softmax_fixed(params: PqParams, scores: np.ndarray) -> tuple[np.ndarray, int]:
    """(probabilities, p_max) of integer ``scores``, both with prob_bits fraction bits."""
    e = exp_fixed(params, scores)
    total = int(e.sum())
    r = (1 << (2 * params.prob_bits)) // total
    return (e * r) >> params.prob_bits, r


def msb_scores(params: PqParams, query, msb) -> np.ndarray:
    q = np.asarray(query, dtype=np.int64)
    return (np.asarray(msb, dtype=np.int64) @ q) << params.lsb_bits


def run_pq(params: PqParams, query, msb, lsb) -> PqResult:
    """One request: ``query`` (D,), ``msb`` and ``lsb`` (L, D) integer arrays."""
    length = len(msb)
    scores = msb_scores(params, query, msb)
    probs, msb_p_max = softmax_fixed(params, scores)
    refetched = msb_p_max < params.threshold_fixed
    p_max = msb_p_max
    if refetched:
        scores = scores + np.asarray(lsb, dtype=np.int64) @ np.asarray(query, dtype=np.int64)
        probs, p_max = softmax_fixed(params, scores)
    fetched = params.msb_bytes(length) + (params.lsb_bytes(length) if refetched else 0)
    return PqResult(scores=tuple(int(s) for s in scores), probs=tuple(int(p) for p in probs),
                    p_max=int(p_max), msb_p_max=int(msb_p_max), refetched=bool(refetched),
                    bytes_fetched=fetched)
