"""Read SCALE-Sim topology files (conv and GEMM forms) into layers viewed as GEMMs.

The format, as SCALE-Sim reads it: the first line is a header; blank lines are skipped; each
row is split at commas and the text after the LAST comma is dropped (rows end with a trailing
comma, so a row without one loses its last field). Conv rows are ``name, IFMAP height, IFMAP
width, filter height, filter width, channels, filters, stride[, N:M sparsity]``; GEMM rows are
``name, M, N, K[, N:M]``. A conv row whose name contains ``DP`` is a depthwise layer and becomes
one single-channel layer per channel, named ``<name>Channel_<i>``.
"""

from __future__ import annotations

import re
from pathlib import Path

from lego.errors import SpecError
from sim.conv_gemm import Layer

__all__ = ["read_topology"]

CONV_FIELDS = ("IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width", "Channels",
               "Num Filter", "Strides")
GEMM_FIELDS = ("M", "N", "K")


def _positive(path: Path, line: int, field: str, text: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"[+-]?\d+", text) or int(text) <= 0:
        raise SpecError(f"expected a positive integer, got {text!r}", file=str(path), line=line,
                        field=field)
    return int(text)


def _check_sparsity(path: Path, line: int, fields: list[str], position: int) -> None:
    """The optional N:M column; it only matters with sparsity support, which is refused."""
    if len(fields) > position and not re.fullmatch(r"\s*\d+\s*:\s*\d+\s*", fields[position]):
        raise SpecError(f"expected a sparsity ratio N:M, got {fields[position].strip()!r}",
                        file=str(path), line=line, field="Sparsity")


def _too_short(path: Path, line: int, kind: str, names: tuple[str, ...], got: int) -> SpecError:
    hint = " (a GEMM topology needs --scalesim-input-type gemm)" if kind == "conv" else ""
    return SpecError(f"a {kind} row needs {len(names) + 1} comma-terminated fields (Layer name, "
                     f"{', '.join(names)}), got {got}{hint}", file=str(path), line=line)


def _conv_layers(path: Path, line: int, fields: list[str]) -> list[Layer]:
    if len(fields) < 1 + len(CONV_FIELDS):
        raise _too_short(path, line, "conv", CONV_FIELDS, len(fields))
    name = fields[0].strip()
    values = [_positive(path, line, field, text)
              for field, text in zip(CONV_FIELDS, fields[1:], strict=False)]
    _check_sparsity(path, line, fields, 1 + len(CONV_FIELDS))
    ifmap_h, ifmap_w, filter_h, filter_w, channels, filters, stride = values
    for axis, size, window in (("Height", ifmap_h, filter_h), ("Width", ifmap_w, filter_w)):
        if window > size:
            raise SpecError(f"{window} is larger than IFMAP {axis} {size}", file=str(path),
                            line=line, field=f"Filter {axis}")
    shape = {"ifmap_h": ifmap_h, "ifmap_w": ifmap_w, "filter_h": filter_h,
             "filter_w": filter_w, "filters": filters, "stride": stride}
    if "DP" not in name:
        return [Layer(name=name, channels=channels, **shape)]
    return [Layer(name=f"{name}Channel_{i}", channels=1, **shape) for i in range(channels)]


def _gemm_layer(path: Path, line: int, fields: list[str]) -> Layer:
    if len(fields) < 1 + len(GEMM_FIELDS):
        raise _too_short(path, line, "GEMM", GEMM_FIELDS, len(fields))
    m, n, k = (_positive(path, line, field, text)
               for field, text in zip(GEMM_FIELDS, fields[1:], strict=False))
    _check_sparsity(path, line, fields, 1 + len(GEMM_FIELDS))
    # SCALE-Sim's GEMM view: an M x K ifmap, one 1 x K filter per output column.
    return Layer(name=fields[0].strip(), ifmap_h=m, ifmap_w=k, filter_h=1, filter_w=k,
                 channels=1, filters=n, stride=1)


def read_topology(path: str | Path, *, gemm: bool = False) -> tuple[Layer, ...]:
    """Layers of a topology file; raise :class:`SpecError` naming file, line and field."""
    path = Path(path)
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise SpecError("SCALE-Sim topology file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read SCALE-Sim topology: {error}", file=str(path)) from None
    layers: list[Layer] = []
    for number, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        fields = raw.strip().split(",")[:-1]
        if gemm:
            layers.append(_gemm_layer(path, number, fields))
        else:
            layers.extend(_conv_layers(path, number, fields))
    if not layers:
        raise SpecError("no layers (the first line is the header)", file=str(path))
    return tuple(layers)
