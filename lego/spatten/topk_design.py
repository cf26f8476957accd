"""The top-k engine as a design folder: Verilog, report.json, manifest.json, FuseSoC core."""

from __future__ import annotations

from amaranth import Shape
from amaranth.back import verilog

from lego.outputs import fusesoc_core, manifest, stable_json
from lego.spatten.topk import TopK
from lego.spatten.topk_params import TopKParams

__all__ = ["design_name", "design_files", "report"]

PASSES = ["topk-radix-select", "amaranth-verilog"]


def design_name(params: TopKParams) -> str:
    return f"topk_p{params.parallelism}_n{params.max_n}"


def report(engine: TopK, verilog_text: str) -> dict:
    """Parameters, ports (Verilog names and widths), storage bits and Verilog size."""
    ports = {}
    for path, member, _ in engine.signature.flatten(engine):
        name = "__".join(str(part) for part in path)
        ports[name] = {"direction": "in" if member.flow.name == "In" else "out",
                       "width": Shape.cast(member.shape).width}
    return {
        "engine": "spatten-topk",
        "parameters": engine.params.to_dict(),
        "ports": ports,
        "storage_bits": engine.params.storage_bits,
        "verilog_lines": len(verilog_text.splitlines()),
        "scores": "signed two's complement",
        "ties": "earliest arrival wins",
        "output_order": "round by round (lego.spatten.topk_model), arrival order within a round",
    }


def design_files(engine: TopK) -> dict[str, str]:
    name = design_name(engine.params)
    # no src attributes: they hold this checkout's absolute paths (as in lego.backend.passes)
    text = verilog.convert(engine, name=name, emit_src=False)
    params = engine.params.to_dict()
    return {
        f"{name}.v": text,
        "report.json": stable_json(report(engine, text)),
        "manifest.json": stable_json(manifest(name=name, source_text=stable_json(params),
                                              passes=PASSES, parameters=params)),
        f"{name}.core": fusesoc_core(name=name, verilog_file=f"{name}.v",
                                     description="SpAtten top-k engine (radix select)",
                                     toplevel=name),
    }
