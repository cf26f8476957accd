"""TopKParams: each bad parameter is a one-line LegoError; the sizes the engine is built from."""

from __future__ import annotations

import pytest

from lego.errors import LegoError
from lego.spatten.topk_params import TopKParams


@pytest.mark.parametrize("params,message", [
    (dict(parallelism=6), r"^top-k parallelism must be a power of two, not 6$"),
    (dict(parallelism=1), r"^top-k parallelism must be an integer in \[2, 64\], not 1$"),
    (dict(score_width=1), r"^top-k score width must be an integer in \[2, 32\], not 1$"),
    (dict(index_width=0), r"^top-k index width must be an integer in \[1, 32\], not 0$"),
    (dict(max_n=0), r"^top-k max n must be an integer in \[1, 1048576\], not 0$"),
    (dict(max_n=True), r"^top-k max n must be an integer .* not True$"),
])
def test_bad_parameters_are_one_line_errors(params, message):
    full = dict(parallelism=4, score_width=8, index_width=5, max_n=32) | params
    with pytest.raises(LegoError, match=message):
        TopKParams(**full)


def test_sizes():
    p = TopKParams(parallelism=4, score_width=8, index_width=6, max_n=62)
    assert (p.rows, p.count_width, p.position_width, p.word_width) == (16, 6, 7, 14)
    # 16 rows x 4 banks of 14-bit words, 16 histogram counters of 6 bits
    assert p.storage_bits == 16 * 4 * 14 + 16 * 6
    assert p.to_dict() == {"parallelism": 4, "score_width": 8, "index_width": 6, "max_n": 62}
