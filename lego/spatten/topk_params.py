"""Parameters of the top-k engine, checked once, and the sizes derived from them.

Checked here rather than in the component's ``__init__`` so that a rejected configuration never
becomes an Amaranth elaboratable (which would warn that it was created but never used).
"""

from __future__ import annotations

from dataclasses import dataclass

from lego.errors import LegoError
from lego.spatten.topk_model import BUCKETS

__all__ = ["TopKParams"]


def _check(name: str, value, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise LegoError(f"top-k {name} must be an integer in [{low}, {high}], not {value!r}")


@dataclass(frozen=True)
class TopKParams:
    parallelism: int  # elements per beat and per buffer row (P), a power of two
    score_width: int  # signed score bits
    index_width: int  # index bits carried along with each score
    max_n: int        # largest number of elements in one request

    def __post_init__(self):
        _check("parallelism", self.parallelism, 2, 64)
        if self.parallelism & (self.parallelism - 1):
            raise LegoError(f"top-k parallelism must be a power of two, not {self.parallelism}")
        _check("score width", self.score_width, 2, 32)
        _check("index width", self.index_width, 1, 32)
        _check("max n", self.max_n, 1, 1 << 20)

    @property
    def rows(self) -> int:
        """Rows of the candidate buffer (each P elements wide)."""
        return -(-self.max_n // self.parallelism)

    @property
    def count_width(self) -> int:
        """Bits of an element count in [0, max_n] (n, k, histogram counters)."""
        return self.max_n.bit_length()

    @property
    def position_width(self) -> int:
        """Bits of a position into the input or the buffer, one row past the end included."""
        return (self.max_n + self.parallelism).bit_length()

    @property
    def word_width(self) -> int:
        """Bits of one stored element: score and index."""
        return self.score_width + self.index_width

    @property
    def storage_bits(self) -> int:
        """Candidate buffer plus histogram counters."""
        return self.rows * self.parallelism * self.word_width + BUCKETS * self.count_width

    def to_dict(self) -> dict:
        return {"parallelism": self.parallelism, "score_width": self.score_width,
                "index_width": self.index_width, "max_n": self.max_n}
