"""Synthesize a Verilog design with Yosys and, optionally, place and route it with nextpnr-ecp5
(both the PyPI WebAssembly builds). :func:`synthesize_design` is the one entry point; the
``lego synth`` command and the benchmarks call it."""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lego.errors import LegoError
from lego.outputs import write_design
from lego.synth.area import area_by_part
from lego.synth.names import verilog_aliases
from lego.synth.report import (
    PathEnd,
    SynthReport,
    Timing,
    cells_from_stat,
    longest_path_from_ltp,
    port_bits_from_stat,
    timing_from_nextpnr,
)
from lego.synth.targets import Target, fit_error
from lego.synth.targets import target as find_target
from lego.synth.tools import NEXTPNR, YOSYS, ToolError, ToolTime, run_tool

__all__ = ["synthesize_design", "check_options", "FitError"]


# what ``log_dir`` keeps of the work folder (the netlist is large and can be remade)
_LOGS = ("synth.ys", "yosys.log", "stat.json", "ltp.txt", "nextpnr-ecp5.log",
         "nextpnr-report.json")


class FitError(LegoError):
    """The synthesized design needs more of a resource than the target device has."""


@dataclass(frozen=True)
class _Synthesized:
    cells: tuple[tuple[str, int], ...]
    port_bits: int
    depth: int | None  # generic target only
    path: tuple[PathEnd, PathEnd] | None  # generic target only
    seconds: ToolTime
    parts: tuple = ()  # ECP5 only: lego.synth.area.area_by_part


ROUTERS = ("router1", "router2")  # nextpnr's; router1 is its default


@dataclass(frozen=True)
class _Options:
    """What nextpnr is asked for besides the device."""

    seed: int
    freq_mhz: float | None
    router: str


@dataclass(frozen=True)
class _Placed:
    placement: str
    timing: Timing | None
    seconds: ToolTime


def synthesize_design(verilog: Path, top: str, target: str = "ecp5-85k", *,
                      pnr: bool = False, seed: int = 1, freq_mhz: float | None = None,
                      fit_check: bool = True, router: str = "router1",
                      work_dir: Path | None = None, log_dir: Path | None = None,
                      label: str | None = None) -> SynthReport:
    """Synthesize module ``top`` of ``verilog`` for ``target`` (``ecp5-25k``, ``-45k``,
    ``-85k`` or ``generic``) and, with ``pnr``, place and route it (nextpnr seed ``seed``,
    target frequency ``freq_mhz`` or nextpnr's default, ``router``: nextpnr's default router1
    or router2, which negotiates congestion (a design that fills a DSP column) far faster). A
    top with more port bits than the package has pins is placed out of context.

    The tools work in a fresh folder under ``work_dir`` (default: the system's temporary
    folder), removed afterwards; when a tool fails it is kept and the error names its log.
    ``log_dir``, if given, receives the script and logs (replaced all at once). A design that
    does not fit raises FitError, "``label``: needs N LUT4, ecp5-85k has 83,640", before
    place and route; without ``fit_check`` it is reported instead (``does_not_fit`` holds that
    text) and not placed: synthesis only, for its area."""
    device = check_options(target, pnr=pnr, seed=seed, freq_mhz=freq_mhz, router=router)
    verilog = Path(verilog)
    if not verilog.is_file():
        raise LegoError(f"{verilog}: no such Verilog file")
    work = Path(tempfile.mkdtemp(prefix="lego-synth-", dir=work_dir))
    try:
        # the copy keeps the file's name, so that tool messages name the user's file
        name = verilog.name if re.fullmatch(r"[\w.+-]+\.s?v", verilog.name) else "design.v"
        shutil.copy(verilog, work / name)
        aliases = verilog_aliases(verilog.read_text())
        synth = _synthesize(work, name, top, device, aliases)
        problem = fit_error(dict(synth.cells), device)
        if problem and fit_check:
            raise FitError(f"{label or verilog}: {problem}")
        placed = (_place_and_route(work, device, synth.port_bits,
                                   _Options(seed, freq_mhz, router), aliases)
                  if pnr and not problem else None)
        if log_dir is not None:
            write_design(Path(log_dir), {name: (work / name).read_text() for name in _LOGS
                                         if (work / name).is_file()})
    except ToolError:
        raise  # its work folder stays: the error names the log in it
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    shutil.rmtree(work)
    tools = [YOSYS] + ([NEXTPNR] if placed else [])
    times = (("yosys", synth.seconds),) + ((("nextpnr-ecp5", placed.seconds),) if placed else ())
    return SynthReport(
        design=top, target=device.name, device=device.device, package=device.package,
        cells=synth.cells, port_bits=synth.port_bits, does_not_fit=problem,
        area_by_part=synth.parts,
        logic_depth=synth.depth,
        logic_path=synth.path,
        placement=placed.placement if placed else None, seed=seed if placed else None,
        router=router if placed else None,
        timing=placed.timing if placed else None,
        tools=tuple((t.distribution, t.version()) for t in tools),
        seconds=tuple((tool, t.wall) for tool, t in times),
        cpu_seconds=tuple((tool, t.cpu) for tool, t in times))


def check_options(target: str, *, pnr: bool, seed: int, freq_mhz: float | None,
                  router: str = "router1") -> Target:
    """The target device, once the options are known to be valid (else a LegoError)."""
    device = find_target(target)
    if router not in ROUTERS:
        raise LegoError(f"--router must be one of {', '.join(ROUTERS)}, not {router!r}")
    if pnr and not device.is_ecp5:
        raise LegoError(f"--pnr needs an ECP5 target, not {device.name}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2 ** 31:
        raise LegoError(f"--seed must be an integer from 0 to {2 ** 31 - 1}, not {seed!r}")
    if freq_mhz is not None and not (math.isfinite(freq_mhz) and freq_mhz > 0):
        raise LegoError(f"the target frequency must be a positive number of MHz, "
                        f"not {freq_mhz!r}")
    return device


def _synthesize(work: Path, source: str, top: str, device: Target, aliases: dict[str, str]
                ) -> _Synthesized:
    """Run Yosys in ``work`` on file ``source``: cells by type, port bits, logic depth and
    its path (generic target only) and seconds."""
    if device.is_ecp5:
        flow = [f"synth_ecp5 -top {top} -json netlist.json"]
    else:
        flow = [f"synth -top {top} -flatten", "tee -q -o ltp.txt ltp -noff"]
    # LEGO_ECP5_DSP: multiplies keep their registers inside the MULT18X18D
    # (lego/backend/rtl/dsp_mul.py); other targets read the portable Verilog
    define = "-DLEGO_ECP5_DSP " if device.is_ecp5 else ""
    script = [f"read_verilog {define}{source}", *flow, "tee -q -o stat.json stat -json"]
    (work / "synth.ys").write_text("\n".join(script) + "\n")
    seconds = run_tool(YOSYS, ["-s", "synth.ys"], work)
    stat = json.loads((work / "stat.json").read_text())
    depth, path = (None, None) if device.is_ecp5 else longest_path_from_ltp(
        (work / "ltp.txt").read_text(), aliases)
    parts = (area_by_part(json.loads((work / "netlist.json").read_text()), top, aliases)
             if device.is_ecp5 else ())
    return _Synthesized(cells_from_stat(stat), port_bits_from_stat(stat), depth, path, seconds,
                        parts)


def _place_and_route(work: Path, device: Target, port_bits: int, options: _Options,
                     aliases: dict[str, str]) -> _Placed:
    """Run nextpnr-ecp5 in ``work`` on netlist.json: placement, timing and seconds. Timing
    failures are measurements here, not errors (--timing-allow-fail)."""
    out_of_context = port_bits > device.pins
    args = [device.nextpnr_flag, "--package", device.package, "--seed", str(options.seed),
            "--router", options.router, "--json", "netlist.json",
            "--report", "nextpnr-report.json", "--timing-allow-fail"]
    if options.freq_mhz is not None:
        args += ["--freq", f"{options.freq_mhz:g}"]
    args += ["--out-of-context"] if out_of_context else ["--lpf-allow-unconstrained"]
    seconds = run_tool(NEXTPNR, args, work)
    report = json.loads((work / "nextpnr-report.json").read_text())
    return _Placed("out of context" if out_of_context else "in context",
                   timing_from_nextpnr(report, aliases, options.freq_mhz), seconds)
