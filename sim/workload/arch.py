"""The accelerator a workload runs on: array, dataflow, buffers, DRAM bandwidth, double buffering.

Operands follow the GEMM view: A is the input feature map (ifmap), B the filters, C the output
feature map (ofmap). Each has its own on-chip buffer of ``sram_bytes[operand]`` bytes. With
double buffering a buffer holds two tiles (the one computed on and the next one being loaded),
so a tile may use only half of it. ``dram_bw`` is in bytes per cycle; ``None`` means unlimited
(no transfer ever stalls the array). Elements are ``word_bytes`` wide, partial sums included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from lego.errors import LegoError
from sim.scalesim.mapping import DATAFLOWS

__all__ = ["Accelerator", "OPERANDS", "TENSORS", "parse_array", "parse_sram", "parse_bandwidth"]

OPERANDS = ("A", "B", "C")
TENSORS = {"A": "ifmap", "B": "filter", "C": "ofmap"}
DEFAULT_SRAM_BYTES = 64 * 1024


def _positive_int(field: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise LegoError(f"{field} must be a positive integer, got {value!r}")


@dataclass(frozen=True)
class Accelerator:
    rows: int
    cols: int
    dataflow: str
    sram_bytes: tuple[int, int, int] = (DEFAULT_SRAM_BYTES,) * 3  # A, B, C
    dram_bw: Fraction | None = Fraction(16)
    double_buffer: bool = True
    word_bytes: int = 1

    def __post_init__(self):
        _positive_int("array rows", self.rows)
        _positive_int("array cols", self.cols)
        if self.dataflow not in DATAFLOWS:
            raise LegoError(f"dataflow must be one of {', '.join(DATAFLOWS)}, "
                            f"got {self.dataflow!r}")
        if len(self.sram_bytes) != len(OPERANDS):
            raise LegoError(f"sram needs one size per operand A, B, C, got {self.sram_bytes!r}")
        for operand, size in zip(OPERANDS, self.sram_bytes, strict=True):
            _positive_int(f"sram {operand} ({TENSORS[operand]}) bytes", size)
        if self.dram_bw is not None and not (isinstance(self.dram_bw, Fraction)
                                             and self.dram_bw > 0):
            raise LegoError(f"dram-bw must be a positive number of bytes per cycle, "
                            f"got {self.dram_bw!r}")
        _positive_int("word bytes", self.word_bytes)

    def tile_capacity(self, operand: str) -> int:
        """Bytes one tile of ``operand`` may use."""
        size = self.sram_bytes[OPERANDS.index(operand)]
        return size // 2 if self.double_buffer else size

    def as_dict(self) -> dict:
        return {"array": f"{self.rows}x{self.cols}", "dataflow": self.dataflow,
                "sram_bytes": dict(zip(OPERANDS, self.sram_bytes, strict=True)),
                "dram_bw": "inf" if self.dram_bw is None else _number(self.dram_bw),
                "double_buffer": self.double_buffer, "word_bytes": self.word_bytes}


def _number(value: Fraction):
    return int(value) if value.denominator == 1 else float(value)


def parse_array(text: str) -> tuple[int, int]:
    """``16x16`` -> (16, 16)."""
    rows, sep, cols = text.lower().partition("x")
    if not sep or not rows.strip().isdigit() or not cols.strip().isdigit() \
            or int(rows) <= 0 or int(cols) <= 0:
        raise LegoError(f"--array must be ROWSxCOLS with positive integers, got {text!r}")
    return int(rows), int(cols)


def parse_sram(text: str) -> tuple[int, int, int]:
    """``A=65536,B=65536,C=65536`` (any subset; the others keep the default 64 KiB)."""
    sizes = dict.fromkeys(OPERANDS, DEFAULT_SRAM_BYTES)
    for item in text.split(","):
        key, sep, value = item.partition("=")
        key, value = key.strip().upper(), value.strip()
        if not sep or key not in sizes:
            raise LegoError(f"--sram expects A=BYTES,B=BYTES,C=BYTES, got {item.strip()!r}")
        if not value.isdigit() or int(value) <= 0:
            raise LegoError(f"--sram {key} must be a positive number of bytes, got {value!r}")
        sizes[key] = int(value)
    return tuple(sizes[operand] for operand in OPERANDS)


def parse_bandwidth(text: str) -> Fraction | None:
    """Bytes per cycle as an exact fraction (``12.5`` -> 25/2); ``inf`` -> None (unlimited)."""
    if text.strip().lower() in ("inf", "infinite", "unlimited"):
        return None
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        value = None
    if value is None or value <= 0 or not math.isfinite(float(value)):
        raise LegoError(f"--dram-bw must be a positive number of bytes per cycle or 'inf', "
                        f"got {text!r}")
    return value
