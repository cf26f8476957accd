"""The cocotb driver of a generated accelerator: the host protocol of its interface.md.

Every fact comes from the design folder's report.json (``interface``): port meanings, the read
latency, dataflow selects, and where each element of each tensor lives per dataflow. The layout
depends on the dataflow, so the driver keeps what was loaded and rewrites it in the layout of the
dataflow ``run`` starts when that differs from the one it was written in."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge, Timer

from lego.backend.layout import place
from lego.cocotb.words import from_words, to_words

__all__ = ["Accelerator"]

_INPUTS = ("start", "host_we", "dataflow", "host_tensor", "host_bank", "host_addr", "host_wdata")
_LIMIT = 1_000_000  # cycles after start before a run counts as hung


def _facts(folder: Path) -> dict:
    report = folder / "report.json"
    if not report.is_file():
        raise FileNotFoundError(f"{report} does not exist: generate the design with "
                                f"`lego gen SPEC -o {folder}`")
    facts = json.loads(report.read_text()).get("interface")
    if facts is None:
        raise ValueError(f"{report} has no interface facts: regenerate it with this lego")
    return facts


class Accelerator:
    """``Accelerator(dut, "rtl_out/NAME")``: drives the top ``dut`` of the design generated into
    that folder. The first call of ``load``, ``run`` or ``read`` starts a 10 ns clock on
    ``clk`` and resets the design (unless ``reset`` was awaited already)."""

    def __init__(self, dut, design_folder: str | Path, *, clock_ns: int = 10):
        self.dut, self.folder = dut, Path(design_folder)
        self.facts = _facts(self.folder)
        top = getattr(dut, "_name", self.facts["top"])
        if top != self.facts["top"]:
            raise ValueError(f"{self.folder} holds design {self.facts['top']}, but the simulated "
                             f"top is {top}")
        self._tensors = {t["name"]: t for t in self.facts["tensors"]}
        self._flows = {f["name"]: f for f in self.facts["dataflows"]}
        self._clock_ns, self._clock = clock_ns, None
        self._loaded: dict[str, list[int]] = {}  # name -> words, row-major
        self._written: dict[str, str] = {}  # name -> the dataflow whose layout holds it
        self._layout_flow = self.facts["dataflows"][0]["name"]  # of the memories' contents
        self._ran: str | None = None
        self._places: dict[tuple[str, str], list[tuple[int, int]]] = {}

    @property
    def tensors(self) -> tuple[str, ...]:
        return tuple(self._tensors)

    @property
    def dataflows(self) -> tuple[str, ...]:
        return tuple(self._flows)

    def expected_cycles(self, dataflow: str) -> int:
        """Cycles from start to done that the design's interface states for ``dataflow``."""
        return self._flow(dataflow)["cycles"]

    def placement(self, tensor: str, dataflow: str) -> list[tuple[int, int]]:
        """(bank, address) of every element of ``tensor`` in row-major order, as ``dataflow``
        lays it out: where ``load`` writes and ``read`` reads."""
        facts = self._tensor(tensor)
        key = (tensor, self._flow(dataflow)["name"])
        if key not in self._places:
            layout = facts["layouts"][dataflow]
            self._places[key] = [place(coord, layout) for coord in np.ndindex(*facts["shape"])]
        return list(self._places[key])

    async def reset(self) -> None:
        """Start the clock (once) and hold ``rst`` for two cycles with every input low."""
        dut = self.dut
        if self._clock is None:
            self._clock = Clock(dut.clk, self._clock_ns, unit="ns").start()
        dut.rst.value = 1
        for name in _INPUTS:
            getattr(dut, name).value = 0
        await ClockCycles(dut.clk, 2)
        dut.rst.value = 0
        await RisingEdge(dut.clk)
        self._written.clear()
        self._ran = None

    async def load(self, tensor: str, values) -> None:
        """Write the input ``tensor``'s ``values`` (its shape, in its dtype's range)."""
        facts = self._tensor(tensor)
        if facts["role"] != "input":
            raise ValueError(f"Tensor {tensor} is the output of {self.facts['top']}: the array "
                             f"computes it; read it after a run")
        self._loaded[tensor] = to_words(facts, values)
        await self._ready()
        await self._write(tensor, self._layout_flow)

    async def run(self, dataflow: str, each_cycle: Callable[[int], None] | None = None) -> int:
        """Run ``dataflow`` on the loaded inputs; returns the cycles from the one ``start`` is
        high in to the first one ``done`` is high in. ``each_cycle(n)`` is called in each of
        those cycles, n = 0 .. cycles, after the signals settled (to sample the design)."""
        flow = self._flow(dataflow)
        missing = [t["name"] for t in self.facts["tensors"]
                   if t["role"] == "input" and t["name"] not in self._loaded]
        if missing:
            raise ValueError(f"Load {', '.join(missing)} before running {dataflow}")
        await self._ready()
        self._layout_flow = dataflow
        for name in self._loaded:
            if self._written.get(name) != dataflow and not self._same_layout(name, dataflow):
                await self._write(name, dataflow)
        for t in self.facts["tensors"]:
            if t["role"] == "output" and t["host_writes"]:  # it accumulates in memory: clear it
                await self._write_words(t["name"], dataflow, [0] * int(np.prod(t["shape"])))
        cycles = await self._start(flow["select"], each_cycle or (lambda cycle: None))
        self._ran = dataflow
        return cycles

    async def read(self, tensor: str) -> np.ndarray:
        """The values of ``tensor`` in the spec's index order: int64 (uint64 for a uint64
        tensor). The output is read in the layout of the dataflow that ran last."""
        facts = self._tensor(tensor)
        flow = self._ran if facts["role"] == "output" else self._written.get(tensor)
        if flow is None:
            raise ValueError(f"{'Run a dataflow' if facts['role'] == 'output' else 'Load it'} "
                             f"before reading {tensor}")
        words = await self._read_words(facts["index"], self.placement(tensor, flow))
        return from_words(facts, words)

    def _tensor(self, name: str) -> dict:
        if name not in self._tensors:
            raise ValueError(f"{self.facts['top']} has no tensor {name!r}; its tensors are "
                             f"{', '.join(self._tensors)}")
        return self._tensors[name]

    def _flow(self, name: str) -> dict:
        if name not in self._flows:
            raise ValueError(f"{self.facts['top']} has no dataflow {name!r}; its dataflows are "
                             f"{', '.join(self._flows)}")
        return self._flows[name]

    def _same_layout(self, tensor: str, dataflow: str) -> bool:
        layouts = self._tensors[tensor]["layouts"]
        return self._written.get(tensor) is not None and \
            layouts[self._written[tensor]] == layouts[dataflow]

    async def _ready(self) -> None:
        if self._clock is None:
            await self.reset()

    async def _write(self, tensor: str, dataflow: str) -> None:
        await self._write_words(tensor, dataflow, self._loaded[tensor])
        self._written[tensor] = dataflow

    async def _write_words(self, tensor: str, dataflow: str, words: list[int]) -> None:
        """One word per cycle through the host port (interface.md, "Write elements")."""
        dut = self.dut
        dut.host_tensor.value = self._tensors[tensor]["index"]
        dut.host_we.value = 1
        for (bank, address), word in zip(self.placement(tensor, dataflow), words, strict=True):
            dut.host_bank.value = bank
            dut.host_addr.value = address
            dut.host_wdata.value = word
            await RisingEdge(dut.clk)
        dut.host_we.value = 0

    async def _read_words(self, index: int, places: list[tuple[int, int]]) -> list[int]:
        """One address per cycle; each word arrives the read latency later (interface.md,
        "Read elements")."""
        dut, latency = self.dut, self.facts["host_read_latency"]
        dut.host_tensor.value = index
        words = []
        for cycle in range(len(places) + latency):
            if cycle < len(places):
                dut.host_bank.value, dut.host_addr.value = places[cycle]
            await RisingEdge(dut.clk)
            await Timer(1, unit="ns")
            if cycle + 1 >= latency and len(words) < len(places):
                words.append(int(dut.host_rdata.value))  # a 1-bit port reads as a Logic
        return words

    async def _start(self, select: int, each_cycle: Callable[[int], None]) -> int:
        """interface.md, "Select a dataflow, start, wait for done"."""
        dut = self.dut
        dut.dataflow.value = select
        dut.start.value = 1
        await Timer(1, unit="ns")
        each_cycle(0)
        await RisingEdge(dut.clk)
        dut.start.value = 0
        cycles = 1
        await Timer(1, unit="ns")
        each_cycle(cycles)
        while not dut.done.value:
            await RisingEdge(dut.clk)
            await Timer(1, unit="ns")
            cycles += 1
            each_cycle(cycles)
            if cycles > _LIMIT:
                raise RuntimeError(f"done did not rise within {_LIMIT} cycles of start")
        return cycles
