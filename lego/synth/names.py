"""Net and cell names after synthesis, read back in the design's own terms.

Yosys and nextpnr keep the generated Verilog's signal names as prefixes of the cells and nets
they derive (``m_fu_2_3_MULT18X18D_P9``, ``mem_C_11[3]_TRELLIS_FF_Q_22``). The back end names
its primitives ``<kind>_<tensor>_<fu>`` (lego.backend.lower, with dots as underscores), memory
banks ``mem_<tensor>_<bank>`` and the host port ``host_*``; this module maps those prefixes to
words. Amaranth's anonymous signals (``_14_``) are followed to a named one through the
Verilog (``assign r_B_fu_0_3_p = _14_;``, ``_14_ <= mem_B_3[...]``) when it is given."""

from __future__ import annotations

import re

__all__ = ["design_term", "base_name", "verilog_signal", "verilog_aliases", "describe"]

_FU = r"fu((?:_\d+)+)"
_T = r"([A-Za-z][A-Za-z0-9]*)"


def _fu(coords: str) -> str:
    return "FU (" + ",".join(coords.strip("_").split("_")) + ")"


# (pattern matched at the start of the name, how to say it); the first match wins
_RULES: tuple[tuple[re.Pattern, object], ...] = tuple((re.compile(p), say) for p, say in (
    (r"\\?host_|\\?\w*host", lambda m: "host port"),
    (rf"{_FU}\.", lambda m: _fu(m[1])),  # inside an FU's own module
    (rf"mem_{_T}_(\d+)(?!\d)", lambda m: f"{m[1]} memory bank {m[2]}"),
    (rf"addr_{_T}_\d+(?!\d)", lambda m: f"{m[1]} address generator"),
    (rf"acc_{_FU}", lambda m: f"{_fu(m[1])} accumulator"),
    (rf"m_{_FU}", lambda m: f"{_fu(m[1])} multiplier"),
    (rf"s_{_FU}", lambda m: f"{_fu(m[1])} adder"),
    (rf"g_{_FU}", lambda m: f"{_fu(m[1])} accumulator gate"),
    (rf"rmw_{_FU}", lambda m: f"{_fu(m[1])} read-modify-write adder"),
    (rf"wr_{_FU}", lambda m: f"{_fu(m[1])} memory write"),
    (rf"r_{_T}_{_FU}", lambda m: f"{_fu(m[2])} {m[1]} memory read"),
    (rf"a_(?:[A-Za-z0-9]+_)?{_T}_{_FU}", lambda m: f"{_fu(m[2])} {m[1]} address"),
    (rf"am_{_T}_{_FU}", lambda m: f"{_fu(m[2])} {m[1]} address mux"),
    (rf"o_{_T}_{_FU}", lambda m: f"{_fu(m[2])} {m[1]} operand mux"),
    (rf"h_{_T}_{_FU}", lambda m: f"{_fu(m[2])} {m[1]} hold register"),
    (rf"w_{_T}_{_FU}_{_FU}", lambda m: f"{m[1]} link {_fu(m[2])} -> {_fu(m[3])}"),
    (rf"d_{_T}_{_FU}_{_FU}", lambda m: f"{m[1]} delay {_fu(m[2])} -> {_fu(m[3])}"),
    (rf"f_{_T}_{_FU}_{_FU}", lambda m: f"{m[1]} FIFO {_fu(m[2])} -> {_fu(m[3])}"),
    (r"copy_", lambda m: "controller (a copy for some banks or FUs)"),
    (r"ctrl|p_|re_|running|remaining|start|busy|done|flow|dataflow|\w+_valid\b",
     lambda m: "controller"),
))

_ANONYMOUS = re.compile(r"\\?(?:_\d+_|\$\d+)")


def base_name(name: str) -> str:
    """The Verilog signal a cell or net name starts from: no escape, no bit index
    (``\\ctrl_d1 [5]`` -> ``ctrl_d1``, ``_14__TRELLIS_FF_Q_7`` -> ``_14_``)."""
    name = name.lstrip("\\")
    anonymous = _ANONYMOUS.match(name)
    if anonymous:
        return anonymous.group(0).lstrip("\\")
    return re.split(r"[\s\[$]", name, maxsplit=1)[0]


# where Yosys's and nextpnr's additions to a signal's name begin: the cell type and port they
# append (``_TRELLIS_FF_Q``, ``_LUT4_Z``, ``_CCU2C_S0``, ``$CCU2_COMB0``), a bit index
_DERIVED = re.compile(r"_(?:TRELLIS_|LUT4_|CCU2C_|PFUMX_|L6MUX21_|MULT18X18D|ALU54B|DP16KD|"
                      r"AD[AB]\d|DO[AB]\d|DI[AB]\d)|\$|\s*\[")


def verilog_signal(name: str, aliases: dict[str, str]) -> str:
    """The generated Verilog's signal a cell or net derives from, anonymous ones replaced by
    their alias: ``suffix15_TRELLIS_FF_Q`` -> ``suffix15``, ``buffer.bank9.0.0_ADA8_..`` ->
    ``buffer.bank9.0.0``, ``_14__TRELLIS_FF_Q_7`` -> ``mem_B_3`` (through the Verilog)."""
    base = base_name(name)
    if _ANONYMOUS.fullmatch(base):
        return aliases.get(base, base)
    return _DERIVED.split(name.lstrip("\\"), maxsplit=1)[0] or name


def design_term(name: str) -> str | None:
    """``name`` (a Verilog signal, or a cell or net derived from one) in the design's terms:
    "FU (1,2) accumulator", "C memory bank 11", "host port", "controller"; None if unknown."""
    name = name.lstrip("\\")
    for pattern, say in _RULES:
        match = pattern.match(name)
        if match:
            return say(match)
    return None


def verilog_aliases(verilog: str) -> dict[str, str]:
    """Anonymous signal -> the named signal it feeds (``assign x = _14_;``) or, for a memory
    read register, is read from (``_14_ <= mem_B_3[...]``), which says more."""
    aliases = {}
    for named, anon in re.findall(r"assign\s+\\?([A-Za-z][\w$]*)\s*=\s*(_\d+_|\\\$\d+)\s*;",
                                  verilog):
        aliases.setdefault(anon.lstrip("\\"), named)
    for anon, memory in re.findall(r"(_\d+_)\s*<=\s*\\?(mem_\w+)\s*\[", verilog):
        aliases[anon] = memory
    return aliases


def describe(names: list[str], aliases: dict[str, str]) -> str | None:
    """The first of ``names`` (the cell and net at one end of a path) that says something in
    the design's terms, directly or through an alias."""
    for name in names:
        term = design_term(name) or design_term(aliases.get(base_name(name), ""))
        if term:
            return term
    return None
