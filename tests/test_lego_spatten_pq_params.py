"""PqParams: checks with pinned error texts, and the derived fixed-point constants."""

import math

import pytest

from lego.errors import LegoError
from lego.spatten.pq_params import PqParams, default_logit_scale


@pytest.mark.parametrize("kwargs, message", [
    ({"lanes": 5}, r"^pq: lanes \(5\) must divide head_dim \(64\)$"),
    ({"head_dim": 0}, r"^pq: head_dim must be an integer in \[1, 4096\], not 0$"),
    ({"msb_bits": 1}, r"^pq: msb_bits must be an integer in \[2, 16\], not 1$"),
    ({"lsb_bits": True}, r"^pq: lsb_bits must be an integer in \[1, 16\], not True$"),
    ({"max_len": 0}, r"^pq: max_len must be an integer in \[1, 65536\], not 0$"),
    ({"threshold": 1.5}, r"^pq: threshold must be in \(0, 1\), not 1.5$"),
    ({"threshold": 1e-9}, r"^pq: threshold 1e-09 rounds to 0 with prob_bits=16; raise prob_bits$"),
    ({"logit_scale": -1.0}, r"^pq: logit_scale must be a positive number, not -1.0$"),
    ({"query_bits": 24, "msb_bits": 16, "lsb_bits": 16, "scale_bits": 24},
     r"^pq: \(s_max - s_j\) \* scale_const needs \d+ bits, over 62"),
])
def test_bad_parameters_raise_one_line_lego_errors(kwargs, message):
    with pytest.raises(LegoError, match=message):
        PqParams(**kwargs)


def test_lut_starts_at_exactly_one_and_halves_over_its_range():
    p = PqParams(prob_bits=12, exp_lut_bits=4)
    assert p.lut[0] == 1 << 12
    assert len(p.lut) == 16
    assert p.lut[-1] == round(2 ** (12 - 15 / 16))
    assert all(a > b for a, b in zip(p.lut, p.lut[1:], strict=False))


def test_scale_const_has_the_requested_significant_bits_and_accuracy():
    p = PqParams()
    assert p.logit == default_logit_scale(64, 16, 10)
    assert p.scale_const.bit_length() == p.scale_bits
    exact = math.log2(math.e) * p.logit * 2 ** p.scale_frac_bits
    assert abs(p.scale_const - exact) <= 0.5


def test_score_width_holds_the_extreme_dot_product():
    p = PqParams(head_dim=16, lanes=4, msb_bits=4, lsb_bits=3, query_bits=8)
    extreme = 16 * (-(1 << 7)) * (-(1 << 6))  # most negative query times most negative key
    assert extreme < 1 << (p.score_width - 1)


def test_bytes_round_each_part_up_to_whole_bytes():
    p = PqParams(head_dim=4, lanes=2, msb_bits=3, lsb_bits=5, max_len=8)
    assert p.msb_bytes(3) == 5    # 36 bits
    assert p.lsb_bytes(3) == 8    # 60 bits
    assert p.threshold_fixed == round(0.05 * 2 ** 16)
