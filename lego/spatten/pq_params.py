"""Parameters of the progressive-quantization engine and every fixed-point constant derived.

Fixed-point formats (one source of truth for the RTL, the Python model and the report):

- Query ``q``: ``query_bits`` signed integers. Key ``j``: MSB part ``msb`` (``msb_bits``, signed)
  and LSB part ``lsb`` (``lsb_bits``, unsigned); the full key is ``msb * 2**lsb_bits + lsb``.
- Score ``s_j``: the integer ``q . key_j`` (``score_width`` bits, signed). With MSB parts only it
  is ``q . (msb_j << lsb_bits)``, so both passes use the same unit and the LSB pass only adds
  ``q . lsb_j``.
- Logit: ``s_j * logit_scale`` (real). The softmax is done in base 2:
  ``exp(s_j - s_max) = 2**(-(s_max - s_j) * c)`` with ``c = log2(e) * logit_scale``, held as the
  integer ``scale_const = round(c * 2**scale_frac_bits)`` (``scale_bits`` significant bits).
- Exponent ``y = ((s_max - s_j) * scale_const) >> (scale_frac_bits - exp_lut_bits)``: a
  non-negative number with ``exp_lut_bits`` (K) fraction bits; ``n = y >> K``, ``f = y mod 2**K``.
- ``e_j = LUT[f] >> n`` (0 once ``n > prob_bits``), ``LUT[i] = round(2**(prob_bits - i / 2**K))``:
  unsigned, ``prob_bits`` fraction bits, so the maximum element is exactly ``2**prob_bits`` (1.0).
- ``Z = sum_j e_j`` (same format), ``R = floor(2**(2 * prob_bits) / Z)`` (restoring divider):
  ``p_max = R / 2**prob_bits`` because ``e_max`` is exactly 1.0.
- Probability ``p_j = (e_j * R) >> prob_bits`` (``prob_bits`` fraction bits).
- Re-fetch iff ``R < threshold_fixed = round(threshold * 2**prob_bits)``.
- Bytes: ``ceil(L * D * msb_bits / 8)``, plus ``ceil(L * D * lsb_bits / 8)`` on a re-fetch (each
  part rounded up to whole bytes on its own, as two separate DRAM reads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lego.errors import LegoError
from lego.widths import index_bits

__all__ = ["PqParams", "default_logit_scale"]


def default_logit_scale(head_dim: int, query_bits: int, key_bits: int) -> float:
    """Queries and keys read as fixed point with range [-4, 4), attention scaled by 1/sqrt(D)."""
    return 2.0 ** -(query_bits - 3) * 2.0 ** -(key_bits - 3) / math.sqrt(head_dim)


def _check_int(name: str, value, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise LegoError(f"pq: {name} must be an integer in [{low}, {high}], not {value!r}")


@dataclass(frozen=True)
class PqParams:
    head_dim: int = 64
    lanes: int = 16
    msb_bits: int = 6
    lsb_bits: int = 4
    query_bits: int = 16
    max_len: int = 1024
    threshold: float = 0.05
    logit_scale: float | None = None  # None: default_logit_scale(...)
    prob_bits: int = 16
    exp_lut_bits: int = 8
    scale_bits: int = 16
    exp_units: int = 1  # scores read and exponentiated per cycle in the EXP phase

    def __post_init__(self):
        _check_int("head_dim", self.head_dim, 1, 4096)
        _check_int("lanes", self.lanes, 1, 4096)
        if self.head_dim % self.lanes:
            raise LegoError(f"pq: lanes ({self.lanes}) must divide head_dim ({self.head_dim})")
        _check_int("msb_bits", self.msb_bits, 2, 16)
        _check_int("lsb_bits", self.lsb_bits, 1, 16)
        _check_int("query_bits", self.query_bits, 2, 24)
        _check_int("max_len", self.max_len, 1, 65536)
        _check_int("prob_bits", self.prob_bits, 4, 24)
        _check_int("exp_lut_bits", self.exp_lut_bits, 1, 12)
        _check_int("scale_bits", self.scale_bits, 2, 24)
        _check_int("exp_units", self.exp_units, 1, 64)
        if not isinstance(self.threshold, (int, float)) or not 0 < self.threshold < 1:
            raise LegoError(f"pq: threshold must be in (0, 1), not {self.threshold!r}")
        if self.threshold_fixed == 0:
            raise LegoError(f"pq: threshold {self.threshold!r} rounds to 0 with "
                            f"prob_bits={self.prob_bits}; raise prob_bits")
        scale = self.logit
        if not isinstance(scale, (int, float)) or not 0 < scale < math.inf:
            raise LegoError(f"pq: logit_scale must be a positive number, not {scale!r}")
        if self.exp_product_width > 62:
            raise LegoError(f"pq: (s_max - s_j) * scale_const needs {self.exp_product_width} "
                            "bits, over 62; reduce query_bits, key bits or scale_bits")

    # ----- derived widths and constants -----
    @property
    def logit(self) -> float:
        if self.logit_scale is None:
            return default_logit_scale(self.head_dim, self.query_bits, self.key_bits)
        return self.logit_scale

    @property
    def key_bits(self) -> int:
        return self.msb_bits + self.lsb_bits

    @property
    def beats_per_key(self) -> int:
        return self.head_dim // self.lanes

    @property
    def score_width(self) -> int:
        """Signed width of q . key over head_dim products (the MSB score has the same width)."""
        return self.query_bits + self.key_bits + index_bits(self.head_dim)

    @property
    def diff_width(self) -> int:
        """Unsigned width of s_max - s_j."""
        return self.score_width + 1

    @property
    def scale_frac_bits(self) -> int:
        c = math.log2(math.e) * self.logit
        return self.scale_bits - 1 - math.floor(math.log2(c))

    @property
    def scale_const(self) -> int:
        c = math.log2(math.e) * self.logit
        return max(1, round(c * 2 ** self.scale_frac_bits))

    @property
    def exp_product_width(self) -> int:
        return self.diff_width + self.scale_const.bit_length()

    @property
    def exp_shift(self) -> int:
        """Right shift from the product to ``exp_lut_bits`` fraction bits (negative: left)."""
        return self.scale_frac_bits - self.exp_lut_bits

    @property
    def lut(self) -> tuple[int, ...]:
        k, p = self.exp_lut_bits, self.prob_bits
        return tuple(round(2.0 ** (p - i / 2 ** k)) for i in range(2 ** k))

    @property
    def exp_width(self) -> int:
        return self.prob_bits + 1

    @property
    def sum_width(self) -> int:
        return self.exp_width + self.max_len.bit_length()

    @property
    def threshold_fixed(self) -> int:
        return round(self.threshold * 2 ** self.prob_bits)

    @property
    def len_width(self) -> int:
        return self.max_len.bit_length()

    @property
    def bytes_width(self) -> int:
        return (self.max_len * self.head_dim * self.key_bits).bit_length()

    def msb_bytes(self, length: int) -> int:
        return -(-length * self.head_dim * self.msb_bits // 8)

    def lsb_bytes(self, length: int) -> int:
        return -(-length * self.head_dim * self.lsb_bits // 8)

    def to_dict(self) -> dict:
        return {"head_dim": self.head_dim, "lanes": self.lanes, "msb_bits": self.msb_bits,
                "lsb_bits": self.lsb_bits, "query_bits": self.query_bits,
                "max_len": self.max_len, "threshold": self.threshold,
                "logit_scale": self.logit, "prob_bits": self.prob_bits,
                "exp_lut_bits": self.exp_lut_bits, "scale_bits": self.scale_bits,
                "exp_units": self.exp_units}

    def formats(self) -> dict:
        """The fixed-point formats, for report.json."""
        return {
            "score": f"signed {self.score_width}-bit integer q . key (MSB pass: q . (msb << "
                     f"{self.lsb_bits}))",
            "scale_const": {"value": self.scale_const, "frac_bits": self.scale_frac_bits,
                            "meaning": "log2(e) * logit_scale"},
            "exponent": f"unsigned, {self.exp_lut_bits} fraction bits "
                        f"((s_max - s_j) * scale_const >> {self.exp_shift})",
            "exp_lut": f"{2 ** self.exp_lut_bits} entries of round(2**({self.prob_bits} - i/"
                       f"{2 ** self.exp_lut_bits})), then >> integer part",
            "exp": f"unsigned {self.exp_width}-bit, {self.prob_bits} fraction bits",
            "sum": f"unsigned {self.sum_width}-bit, {self.prob_bits} fraction bits",
            "p_max": f"floor(2**{2 * self.prob_bits} / sum), {self.prob_bits} fraction bits",
            "prob": f"(exp * p_max) >> {self.prob_bits}, {self.prob_bits} fraction bits",
            "threshold_fixed": self.threshold_fixed,
            "bytes": "ceil(L*D*msb_bits/8) + re-fetch * ceil(L*D*lsb_bits/8)",
        }
