"""What ``lego synth`` synthesizes: a spec (generated, or reused when the design folder's
manifest says it is up to date), a design folder written by ``lego gen`` or ``lego spatten``
(its FuseSoC core names the Verilog and the top), or a Verilog file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from lego.errors import LegoError

__all__ = ["DesignSource", "resolve", "from_spec", "from_folder", "from_verilog",
           "expected_manifest"]


@dataclass(frozen=True)
class DesignSource:
    verilog: Path
    top: str
    folder: Path  # where synth.json goes
    label: str  # the source as the user named it, for messages
    generated: bool = False  # a spec was (re)generated for this run


def resolve(source: str, *, top: str | None = None, period_ns: float | None = None,
            out: str | None = None, force: bool = False) -> DesignSource:
    """The design ``source`` names (a spec, a design folder or a .v file); ``out`` overrides
    the folder synth.json goes to."""
    path = Path(source)
    if path.is_dir():
        found = from_folder(path)
    elif path.suffix == ".v":
        found = from_verilog(path, top)
    else:
        found = from_spec(path, period_ns, Path(out) if out else None, force)
    if top is not None and top != found.top:
        raise LegoError(f"{source}: --top {top} is not its top module {found.top}")
    return found if out is None else DesignSource(found.verilog, found.top, Path(out),
                                                  found.label, found.generated)


def from_spec(path: Path, period_ns: float | None, out: Path | None, force: bool = False
              ) -> DesignSource:
    """The design of spec ``path`` in ``out`` (default rtl_out/<name>/), generated anew
    unless its manifest.json equals the one this generation would write."""
    from lego.frontend.cli import design_folder_files
    from lego.frontend.passes import run_passes
    from lego.outputs import write_design
    from lego.spec import load_spec

    spec = load_spec(path)
    text = path.read_text()
    out = out or Path("rtl_out") / spec.name
    if _manifest(out) == expected_manifest(spec.name, text, period_ns):
        try:
            found = from_folder(out)
            return DesignSource(found.verilog, found.top, out, str(path))
        except LegoError:
            pass  # damaged: generate it again
    write_design(out, design_folder_files(run_passes(spec), text, period_ns), force)
    found = from_folder(out)
    return DesignSource(found.verilog, found.top, out, str(path), generated=True)


def expected_manifest(name: str, spec_text: str, period_ns: float | None) -> dict:
    """The manifest.json a generation of this spec text at this period writes now: it holds
    the spec's hash, the period, the back end's passes and the tool versions, so an equal
    one means the folder's design is what generating again would give."""
    from lego.backend.passes import PASS_NAMES, RELAXED_PERIOD_NS
    from lego.outputs import manifest

    return manifest(name=name, source_text=spec_text, passes=list(PASS_NAMES),
                    parameters={"period_ns": period_ns or RELAXED_PERIOD_NS})


def _manifest(folder: Path) -> dict | None:
    """The folder's manifest less the list of files written (which says what, not how)."""
    try:
        found = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if isinstance(found, dict):
        found.pop("files", None)
    return found


def from_folder(folder: Path) -> DesignSource:
    """The Verilog file and top module the folder's FuseSoC ``.core`` names."""
    cores = sorted(folder.glob("*.core"))
    if len(cores) != 1:
        raise LegoError(f"{folder}: expected one FuseSoC .core file naming the Verilog and its "
                        f"top (as lego gen and lego spatten write), found {len(cores)}")
    text = cores[0].read_text()
    files = re.findall(r"^\s*-\s*(\S+\.s?v)\s*$", text, re.MULTILINE)
    tops = set(re.findall(r"^\s*toplevel:\s*(\S+)\s*$", text, re.MULTILINE))
    if len(files) != 1 or len(tops) != 1:
        raise LegoError(f"{cores[0]}: expected one Verilog file and one toplevel, found "
                        f"{len(files)} and {len(tops)}")
    verilog = folder / files[0]
    if not verilog.is_file():
        raise LegoError(f"{cores[0]}: names {files[0]}, which is not in {folder}")
    return DesignSource(verilog, tops.pop(), folder, str(folder))


_MODULE = re.compile(r"^\s*module\s+\\?([^\s(;]+)", re.MULTILINE)
_MARKED_TOP = re.compile(r"\(\*\s*top\s*=\s*1\s*\*\)\s*(?:\(\*.*?\*\)\s*)*module\s+\\?([^\s(;]+)")


def from_verilog(path: Path, top: str | None) -> DesignSource:
    """``path`` with module ``top``, or else the module Amaranth marks ``(* top = 1 *)``, or
    else the file's only module."""
    try:
        text = path.read_text()
    except OSError as error:
        raise LegoError(f"{path}: cannot read: {error.strerror}") from None
    modules = _MODULE.findall(text)
    if top is None:
        marked = _MARKED_TOP.findall(text)
        candidates = marked if len(marked) == 1 else modules
        if len(candidates) != 1:
            raise LegoError(f"{path}: has {len(modules)} modules; name the top with --top")
        top = candidates[0]
    elif top not in modules:
        raise LegoError(f"{path}: no module {top!r} (has {', '.join(modules) or 'none'})")
    return DesignSource(path, top, path.parent, str(path))
