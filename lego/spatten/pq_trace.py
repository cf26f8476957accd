"""Bytes and engine cycles of a SpAtten workload trace (the public GPT-2 summaries), replaying the
trace's recorded re-fetch decisions through the engine's byte rule and cycle model (pq_timing).

A trace row is one single-query attention request: ``key_fetch_num`` keys (L after token pruning),
``quant_key_bit`` MSB bits (-1: unquantized, skipped), ``if_requant`` and ``auto_requant_incre``
LSB bits. The last row names the config file and is not data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

from lego.errors import LegoError
from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import pq_cycles

__all__ = ["TraceCosts", "trace_costs"]


@dataclass(frozen=True)
class TraceCosts:
    requests: int
    refetches: int
    bytes_progressive: int   # MSB parts always, LSB parts on re-fetch
    bytes_msb_only: int
    bytes_full: int          # every key at msb + lsb bits
    cycles: int              # sum of pq_timing cycles (no bubbles, output always ready)
    key_beats: int           # the floor: one key beat per cycle, MSB and re-fetched LSB beats
    cycles_refetch_share: float

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _rows(path: Path) -> list[dict]:
    try:
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise LegoError(f"{path}: cannot read trace: {error.strerror}") from None
    return [r for r in rows if (r.get("iteration_id") or "").isdigit()]


def trace_costs(params: PqParams, path: Path) -> TraceCosts:
    """Costs of the quantized requests of one trace with the engine ``params`` (head_dim, msb and
    lsb bits are taken from each row; lanes, prob_bits and max_len from ``params``)."""
    totals = dict(requests=0, refetches=0, bytes_progressive=0, bytes_msb_only=0, bytes_full=0,
                  cycles=0, key_beats=0)
    refetch_cycles = 0
    for row in _rows(Path(path)):
        if int(row["quant_key_bit"]) < 0:
            continue
        p = replace(params, head_dim=int(float(row["embedding_length_D"])),
                    msb_bits=int(row["quant_key_bit"]),
                    lsb_bits=int(row["auto_requant_incre"]))
        length, refetch = int(row["key_fetch_num"]), row["if_requant"] == "True"
        cycles = pq_cycles(p, length, refetch)
        totals["requests"] += 1
        totals["refetches"] += refetch
        totals["bytes_msb_only"] += p.msb_bytes(length)
        totals["bytes_progressive"] += p.msb_bytes(length) + (p.lsb_bytes(length) if refetch else 0)
        totals["bytes_full"] += -(-length * p.head_dim * p.key_bits // 8)
        totals["cycles"] += cycles
        totals["key_beats"] += length * p.beats_per_key * (2 if refetch else 1)
        refetch_cycles += cycles - pq_cycles(p, length, False)
    if not totals["requests"]:
        raise LegoError(f"{path}: no quantized requests (quant_key_bit >= 0) in the trace")
    return TraceCosts(**totals, cycles_refetch_share=refetch_cycles / totals["cycles"])
