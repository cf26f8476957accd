"""Energy of a layer run: access counts times a per-access energy table (estimates).

The default table, with its sources and how the values were derived, is
``energy_defaults.yaml`` next to this file; ``load_table(path)`` overrides any subset of it.

Counts per layer:
- ``mac``: useful multiply-accumulates, M * N * K (idle PEs cost nothing here);
- ``register``: 3 per MAC: the PE reads its two operand registers and updates its accumulator
  (operands forwarded to a neighbour are the neighbour's reads);
- ``sram_read`` / ``sram_write``: bank-word accesses, element accesses * word bits rounded up
  to whole bank words, per tensor (see report.sram_accesses for what counts as an access);
- ``dram_byte``: DRAM bytes read and written, all tensors.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml

from lego.errors import SpecError

__all__ = ["DEFAULTS_PATH", "REGISTER_ACCESSES_PER_MAC", "default_table", "load_table",
           "bank_accesses", "energy_pj"]

DEFAULTS_PATH = Path(__file__).with_name("energy_defaults.yaml")
REGISTER_ACCESSES_PER_MAC = 3
_INTEGER_KEYS = ("sram_bank_width_bits",)
# count name -> table key
PRICES = {"mac": "mac_pj", "register": "register_pj", "sram_read": "sram_read_pj",
          "sram_write": "sram_write_pj", "dram_byte": "dram_pj_per_byte"}


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise SpecError("energy table file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read energy table: {error}", file=str(path)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SpecError(f"not valid YAML: {getattr(error, 'problem', None) or 'syntax error'}",
                        file=str(path), line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise SpecError(f"expected a mapping of energy keys to numbers, got "
                        f"{type(data).__name__}", file=str(path))
    return data


def _check(path: Path, key, value, known) -> float | int:
    if key not in known:
        raise SpecError(f"unknown energy key (known: {', '.join(sorted(known))})",
                        file=str(path), field=str(key))
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SpecError(f"expected a number, got {value!r}", file=str(path), field=key)
    if key in _INTEGER_KEYS and (not isinstance(value, int) or value <= 0):
        raise SpecError(f"expected a positive integer, got {value!r}", file=str(path), field=key)
    if value < 0:
        raise SpecError(f"must not be negative, got {value!r}", file=str(path), field=key)
    return value


def _validated(path: Path, data: dict, known) -> dict:
    return {key: _check(path, key, value, known) for key, value in data.items()}


def default_table() -> dict:
    data = _read_yaml(DEFAULTS_PATH)
    return _validated(DEFAULTS_PATH, data, data.keys())


def load_table(path: str | Path | None = None) -> dict:
    """The default table with the entries of ``path`` (if given) replacing the defaults."""
    table = default_table()
    if path is not None:
        path = Path(path)
        table.update(_validated(path, _read_yaml(path), table.keys()))
    return table


def bank_accesses(elements: int, word_bytes: int, table: dict) -> int:
    """Bank-word accesses for ``elements`` element accesses, packed into full bank words."""
    return -(-elements * word_bytes * 8 // table["sram_bank_width_bits"])


def energy_pj(counts: dict[str, int], table: dict) -> dict[str, float]:
    """Energy per count kind (pJ) and their sum under ``total``."""
    parts = {kind: counts[kind] * table[PRICES[kind]] for kind in PRICES}
    parts["total"] = sum(parts.values())
    return parts
