"""Read a SCALE-Sim ``.cfg`` file into a small frozen value.

SCALE-Sim reads its config with ``configparser`` (``key: value`` or ``key = value``, keys
case-insensitive). We read the same syntax ourselves so that every error can name the file, the
line and the field. Only what the compute model needs is interpreted; the memory-system keys
(offsets, banks, layouts, request buffers) are accepted and ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lego.errors import SpecError
from sim.scalesim.mapping import DATAFLOWS

__all__ = ["ScaleSimConfig", "read_config"]

_SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
_ENTRY = re.compile(r"^([^:=\s][^:=]*?)\s*[:=]\s*(.*?)\s*$")


@dataclass(frozen=True)
class ScaleSimConfig:
    """The architecture a SCALE-Sim run describes (SRAM sizes in KiB, as in the file)."""

    run_name: str
    rows: int
    cols: int
    dataflow: str
    ifmap_sram_kb: int
    filter_sram_kb: int
    ofmap_sram_kb: int


@dataclass(frozen=True)
class _Entry:
    value: str
    line: int


def _parse_ini(path: Path, text: str) -> tuple[dict[str, dict[str, _Entry]], dict[str, int]]:
    """Sections -> lower-cased keys -> (value, line), and the line of each section header."""
    sections: dict[str, dict[str, _Entry]] = {}
    header_lines: dict[str, int] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if match := _SECTION.match(line):
            current = match.group(1).strip()
            if current in sections:
                raise SpecError(f"duplicate section [{current}]", file=str(path), line=number)
            sections[current], header_lines[current] = {}, number
            continue
        match = _ENTRY.match(line)
        if match is None or current is None:
            where = "a 'key: value' line" if current else "a '[section]' header first"
            raise SpecError(f"expected {where}, got {line!r}", file=str(path), line=number)
        key = match.group(1).lower()
        if key in sections[current]:
            raise SpecError("duplicate key", file=str(path), line=number,
                            field=f"{current}.{match.group(1)}")
        sections[current][key] = _Entry(match.group(2), number)
    return sections, header_lines


class _Reader:
    """Looks up required keys and reports missing or malformed ones with their location."""

    def __init__(self, path: Path):
        self.path = path
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise SpecError("SCALE-Sim config file not found", file=str(path)) from None
        except (OSError, UnicodeDecodeError) as error:
            raise SpecError(f"cannot read SCALE-Sim config: {error}", file=str(path)) from None
        self.sections, self.header_lines = _parse_ini(path, text)

    def entry(self, section: str, key: str) -> _Entry:
        if section not in self.sections:
            raise SpecError(f"missing section [{section}]", file=str(self.path), field=section)
        entry = self.sections[section].get(key.lower())
        if entry is None:
            raise SpecError(f"missing key in [{section}]", file=str(self.path),
                            line=self.header_lines[section], field=f"{section}.{key}")
        return entry

    def text(self, section: str, key: str) -> str:
        return self.entry(section, key).value

    def positive_int(self, section: str, key: str) -> int:
        entry = self.entry(section, key)
        if not re.fullmatch(r"[+-]?\d+", entry.value) or int(entry.value) <= 0:
            raise SpecError(f"expected a positive integer, got {entry.value!r}",
                            file=str(self.path), line=entry.line, field=f"{section}.{key}")
        return int(entry.value)

    def choice(self, section: str, key: str, allowed: tuple[str, ...]) -> str:
        entry = self.entry(section, key)
        if entry.value not in allowed:
            raise SpecError(f"expected one of {', '.join(allowed)}, got {entry.value!r}",
                            file=str(self.path), line=entry.line, field=f"{section}.{key}")
        return entry.value

    def optional(self, section: str, key: str) -> _Entry | None:
        return self.sections.get(section, {}).get(key.lower())


def _reject_unsupported(reader: _Reader) -> None:
    """Modes whose numbers depend on SCALE-Sim's memory or sparsity models, which we do not
    reproduce: refuse them rather than print numbers that would differ from SCALE-Sim's."""
    mode = reader.choice("run_presets", "InterfaceBandwidth", ("CALC", "USER"))
    if mode == "USER":
        entry = reader.entry("run_presets", "InterfaceBandwidth")
        raise SpecError("USER bandwidth adds SCALE-Sim's DRAM stall model, which the "
                        "compatibility mode does not reproduce; use CALC",
                        file=str(reader.path), line=entry.line,
                        field="run_presets.InterfaceBandwidth")
    sparsity = reader.optional("sparsity", "SparsitySupport")
    if sparsity is not None and sparsity.value.lower() == "true":
        raise SpecError("sparse mappings are not reproduced by the compatibility mode; "
                        "set it to false", file=str(reader.path), line=sparsity.line,
                        field="sparsity.SparsitySupport")


def read_config(path: str | Path) -> ScaleSimConfig:
    """Parse a SCALE-Sim config; raise :class:`SpecError` (file:line: field: message)."""
    reader = _Reader(Path(path))
    arch = "architecture_presets"
    config = ScaleSimConfig(
        run_name=reader.text("general", "run_name"),
        rows=reader.positive_int(arch, "ArrayHeight"),
        cols=reader.positive_int(arch, "ArrayWidth"),
        dataflow=reader.choice(arch, "Dataflow", DATAFLOWS),
        ifmap_sram_kb=reader.positive_int(arch, "IfmapSramSzkB"),
        filter_sram_kb=reader.positive_int(arch, "FilterSramSzkB"),
        ofmap_sram_kb=reader.positive_int(arch, "OfmapSramSzkB"),
    )
    _reject_unsupported(reader)
    return config
