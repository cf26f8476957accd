"""Reader of SpAtten summary traces (the CSV the public SpAtten repository ships under
spatten_hardware/hardware/workloads/): one row per single-query attention request.

Every malformed row is one error naming the file, the 1-based line and the column. The only row
that may be something else is the last one, which names the config file that produced the trace
(its first cell is not a number and every other cell is empty).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from lego.errors import SpecError

__all__ = ["COLUMNS", "Request", "Trace", "read_trace"]

COLUMNS = ("iteration_id", "layer_id", "head_id", "embedding_length_D", "sentence_length_L",
           "key_fetch_num", "quant_key_bit", "quant_query_bit", "auto_requant_thres",
           "if_requant", "auto_requant_incre", "value_fetch_num", "quant_value_bit",
           "if_accumulate_importance", "if_rescale_previous_importance", "if_topk", "topk")
_BOOLS = {"True": True, "False": False}
MAX_BITS = 32


@dataclass(frozen=True)
class Request:
    """One attention request; bit widths are None where the trace says -1 (unquantized)."""

    line: int
    iteration: int
    layer: int
    head: int
    length: int          # sentence_length_L
    keys: int            # after cascade token pruning
    key_bits: int | None
    refetch: bool
    lsb_bits: int
    values: int          # after local value pruning
    value_bits: int | None
    topk: int | None     # tokens kept by a cascade top-k after this request (if_topk)


@dataclass(frozen=True)
class Trace:
    path: str
    head_dim: int
    layers: int
    heads: int
    requests: tuple[Request, ...]

    @property
    def iterations(self) -> int:
        return len({r.iteration for r in self.requests})


class _Row:
    """One CSV row and its line, for located errors."""

    def __init__(self, path: str, line: int, cells: dict):
        self.path, self.line, self.cells = path, line, cells

    def error(self, column: str, message: str) -> SpecError:
        return SpecError(message, file=self.path, line=self.line, field=column)

    def int(self, column: str, low: int, high: int | None = None) -> int:
        text = self.cells[column].strip()
        try:
            value = int(float(text)) if column == "embedding_length_D" else int(text)
            exact = float(text) == value
        except (ValueError, OverflowError):  # "x", "nan", "inf"
            raise self.error(column, f"expected an integer, got {text!r}") from None
        if not exact:
            raise self.error(column, f"expected an integer, got {text!r}")
        if value < low or (high is not None and value > high):
            bound = f"[{low}, {high}]" if high is not None else f">= {low}"
            raise self.error(column, f"must be {bound}, got {value}")
        return value

    def bits(self, column: str) -> int | None:
        value = self.int(column, -1, MAX_BITS)
        if value == 0:
            raise self.error(column, "bit width must be -1 (unquantized) or >= 1, got 0")
        return None if value < 0 else value

    def bool(self, column: str) -> bool:
        text = self.cells[column].strip()
        if text not in _BOOLS:
            raise self.error(column, f"expected True or False, got {text!r}")
        return _BOOLS[text]


def _request(row: _Row) -> tuple[Request, int]:
    """The row's request and D, columns checked left to right (the first bad one is named)."""
    ids = [row.int(column, 0) for column in COLUMNS[:3]]
    dim = row.int("embedding_length_D", 1)
    length = row.int("sentence_length_L", 1)
    keys = row.int("key_fetch_num", 1)
    if keys > length:
        raise row.error("key_fetch_num", f"{keys} keys exceed the sentence length L={length}")
    key_bits = row.bits("quant_key_bit")
    refetch = row.bool("if_requant")
    lsb = row.int("auto_requant_incre", 1, MAX_BITS) if refetch else 0
    values = row.int("value_fetch_num", 1)
    if values > keys:
        raise row.error("value_fetch_num", f"{values} values exceed the {keys} keys")
    value_bits = row.bits("quant_value_bit")
    topk = row.int("topk", 1, length) if row.bool("if_topk") else None
    return Request(row.line, *ids, length, keys, key_bits, refetch, lsb, values, value_bits,
                   topk), dim


def _rows(path: str) -> list[_Row]:
    try:
        with open(path, newline="") as handle:
            lines = list(csv.reader(handle))
    except FileNotFoundError:
        raise SpecError("trace file not found", file=path) from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise SpecError(f"cannot read trace: {error}", file=path) from None
    if not lines or tuple(c.strip() for c in lines[0]) != COLUMNS:
        raise SpecError(f"header must be the {len(COLUMNS)} SpAtten summary columns "
                        f"({','.join(COLUMNS[:3])},...,topk)", file=path, line=1)
    numbered = [(n, cells) for n, cells in enumerate(lines[1:], start=2) if cells]  # no blanks
    if numbered and _is_config_row(numbered[-1][1]):
        numbered.pop()
    rows = []
    for number, cells in numbered:
        if len(cells) != len(COLUMNS):
            raise SpecError(f"expected {len(COLUMNS)} cells, got {len(cells)}", file=path,
                            line=number, field=COLUMNS[min(len(cells), len(COLUMNS) - 1)])
        rows.append(_Row(path, number, dict(zip(COLUMNS, cells, strict=True))))
    if not rows:
        raise SpecError("no requests in the trace", file=path)
    return rows


def _is_config_row(cells: list[str]) -> bool:
    return bool(cells) and not cells[0].strip().lstrip("-").isdigit() and \
        not any(c.strip() for c in cells[1:])


def _check_order(row: _Row, request: Request, previous: Request | None, lengths: dict,
                 seen: set) -> None:
    key = (request.iteration, request.layer, request.head)
    if key in seen:
        raise row.error("head_id", f"iteration {key[0]} layer {key[1]} head {key[2]} "
                                   "appears twice")
    seen.add(key)
    if previous and (request.iteration, request.layer) < (previous.iteration, previous.layer):
        raise row.error("layer_id", "rows must be in iteration, then layer order")
    first = lengths.setdefault(request.iteration, (request.length, row.line))
    if first[0] != request.length:
        raise row.error("sentence_length_L", f"L changes within iteration {request.iteration}"
                                             f" ({first[0]} on line {first[1]})")


def read_trace(path: str | Path, layers: int | None = None, heads: int | None = None,
               head_dim: int | None = None) -> Trace:
    """Read and check a trace; ``layers``, ``heads`` and ``head_dim`` override the model shape
    inferred from it (then every layer and head id must be below the given count)."""
    path = str(path)
    requests, dims, lengths, seen = [], {}, {}, set()
    for row in _rows(path):
        request, dim = _request(row)
        _check_order(row, request, requests[-1] if requests else None, lengths, seen)
        for column, value, limit in (("layer_id", request.layer, layers),
                                     ("head_id", request.head, heads)):
            if limit is not None and value >= limit:
                raise row.error(column, f"id {value} out of range for {limit} "
                                        f"{column.split('_')[0]}s")
        first_dim, first_line = dims.setdefault("D", (dim, row.line))
        if dim != first_dim:
            raise row.error("embedding_length_D", f"D={dim} differs from D={first_dim} on line "
                                                  f"{first_line}")
        requests.append(request)
    return Trace(path, head_dim or dims["D"][0],
                 layers or 1 + max(r.layer for r in requests),
                 heads or 1 + max(r.head for r in requests), tuple(requests))
