"""How often the engine's fixed-point re-fetch decision differs from a float64 softmax decision.

The bound: for one score vector the fixed-point p_max provably lies in [lo, hi] (``p_max_bounds``,
derived from the approximation errors below), and the float64 p_max is exact. The two decisions
(``p < threshold`` and ``R < threshold_fixed``) can only differ when the hull of
{p_float, [lo, hi]} reaches the threshold band [threshold, threshold_fixed / 2**P] (either order):
such a case is "at risk". So mismatches <= at-risk cases, case by case; the at-risk rate is the
bound. Error terms, with t = s_max - s_j, c = log2(e) * logit_scale and c' = scale_const / 2**S:

- the exponent y / 2**K lies in [t c' - 2**-K, t c'] (floor to K fraction bits);
- LUT rounding and the floor of the right shift: e_fix lies in [2**-u - 2**-P, 2**-u + 2**-P / 2];
- the divider floors: R / 2**P lies in (1 / Z - 2**-P, 1 / Z].
The maximum element is exactly 1.0 in fixed point. c differs from c' by the constant's rounding,
which is why p_float (computed with c) is kept separate from [lo, hi] (computed with c').
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lego.spatten.pq_model import msb_scores, softmax_fixed
from lego.spatten.pq_params import PqParams

__all__ = ["DecisionStats", "float_p_max", "p_max_bounds", "compare", "score_families",
           "error_terms"]


@dataclass(frozen=True)
class DecisionStats:
    cases: int
    refetch_float: int
    refetch_fixed: int
    mismatches: int
    at_risk: int            # the bound: cases whose decision may differ given the error bounds
    outside_bounds: int     # fixed p_max outside [lo, hi]: must be 0 (checks the derivation)
    mismatches_not_at_risk: int  # must be 0
    max_abs_error: float    # max |p_fixed - p_float|
    max_band: float         # max (hi - lo)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def float_p_max(params: PqParams, scores: np.ndarray) -> float:
    logits = (scores - scores.max()).astype(np.float64) * params.logit
    return float(1.0 / np.exp(logits).sum())


def p_max_bounds(params: PqParams, scores: np.ndarray) -> tuple[float, float]:
    """Interval that contains the engine's p_max (as a real) for these integer scores."""
    p, k = params.prob_bits, params.exp_lut_bits
    t = (scores.max() - scores).astype(np.float64)
    c_fixed = params.scale_const / 2.0 ** params.scale_frac_bits
    slack = 2.0 ** -k if params.exp_shift > 0 else 0.0
    hi_pow = np.exp2(-(t * c_fixed - slack))
    lo_pow = np.exp2(-t * c_fixed)
    top = t == 0
    e_hi = np.where(top, 1.0, hi_pow + 2.0 ** -(p + 1))
    e_lo = np.where(top, 1.0, np.maximum(0.0, lo_pow - 2.0 ** -p))
    return 1.0 / e_hi.sum() - 2.0 ** -p, 1.0 / e_lo.sum()


def _at_risk(params: PqParams, p_float: float, lo: float, hi: float) -> bool:
    t_fixed = params.threshold_fixed / 2.0 ** params.prob_bits
    band = (min(params.threshold, t_fixed), max(params.threshold, t_fixed))
    hull = (min(p_float, lo), max(p_float, hi))
    return hull[0] <= band[1] and band[0] <= hull[1]


def compare(params: PqParams, score_sets) -> DecisionStats:
    counts = dict(cases=0, refetch_float=0, refetch_fixed=0, mismatches=0, at_risk=0,
                  outside_bounds=0, mismatches_not_at_risk=0)
    max_err = max_band = 0.0
    for scores in score_sets:
        p_float = float_p_max(params, scores)
        r = softmax_fixed(params, scores)[1]
        p_fixed = r / 2.0 ** params.prob_bits
        lo, hi = p_max_bounds(params, scores)
        fixed_refetch = r < params.threshold_fixed
        float_refetch = p_float < params.threshold
        risky = _at_risk(params, p_float, lo, hi)
        mismatch = fixed_refetch != float_refetch
        counts["cases"] += 1
        counts["refetch_float"] += float_refetch
        counts["refetch_fixed"] += fixed_refetch
        counts["mismatches"] += mismatch
        counts["at_risk"] += risky
        counts["outside_bounds"] += not lo <= p_fixed <= hi
        counts["mismatches_not_at_risk"] += mismatch and not risky
        max_err = max(max_err, abs(p_fixed - p_float))
        max_band = max(max_band, hi - lo)
    return DecisionStats(**{k: int(v) for k, v in counts.items()},
                         max_abs_error=float(max_err), max_band=float(max_band))


def _to_scores(params: PqParams, logits: np.ndarray) -> np.ndarray:
    """Integer MSB scores (multiples of 2**lsb_bits) whose logits approximate ``logits``."""
    unit = params.logit * 2 ** params.lsb_bits
    return np.round(logits / unit).astype(np.int64) << params.lsb_bits


def score_families(params: PqParams, seed: int, count: int, min_len: int = 16) -> dict:
    """Three families of MSB score vectors, lengths uniform in [min_len, max_len]:
    ``random_qk``: random MSB keys against a random query whose magnitude is 2**m, m uniform
    (logit spread from nearly flat to one-hot); ``gaussian``: logits N(0, sigma**2), sigma uniform
    in [0.25, 4]; ``peaked``: logits N(0, 1) plus 1-4 tokens raised by a gap uniform in [0, 12]."""
    rng = np.random.default_rng(seed)
    lo, hi = -(1 << (params.msb_bits - 1)), 1 << (params.msb_bits - 1)
    qmax = 1 << (params.query_bits - 1)
    families = {"random_qk": [], "gaussian": [], "peaked": []}
    for _ in range(count):
        length = int(rng.integers(min(min_len, params.max_len), params.max_len + 1))
        mag = min(qmax, 1 << int(rng.integers(1, params.query_bits)))
        query = rng.integers(-mag, mag, params.head_dim)
        keys = rng.integers(lo, hi, (length, params.head_dim))
        families["random_qk"].append(msb_scores(params, query, keys))
        sigma = rng.uniform(0.25, 4.0)
        families["gaussian"].append(_to_scores(params, rng.normal(0.0, sigma, length)))
        logits = rng.normal(0.0, 1.0, length)
        peaks = rng.choice(length, size=min(length, int(rng.integers(1, 5))), replace=False)
        logits[peaks] += rng.uniform(0.0, 12.0)
        families["peaked"].append(_to_scores(params, logits))
    return families


def error_terms(params: PqParams) -> dict:
    """The per-term error budget behind p_max_bounds, as numbers for the report."""
    c = math.log2(math.e) * params.logit
    c_fixed = params.scale_const / 2 ** params.scale_frac_bits
    return {"exp_relative_over": 2 ** (2 ** -params.exp_lut_bits) - 1,
            "exp_absolute": 2.0 ** -params.prob_bits,
            "divider_absolute": 2.0 ** -params.prob_bits,
            "scale_const_relative": abs(c_fixed / c - 1)}
