"""The progressive-quantization engine as a design folder: Verilog, report, manifest, .core."""

from __future__ import annotations

from amaranth.back import verilog

from lego.outputs import fusesoc_core, manifest, stable_json
from lego.spatten.pq import PqEngine
from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import pq_cycles

__all__ = ["TOPLEVEL", "design_name", "verilog_text", "design_files"]

TOPLEVEL = "spatten_pq"


def design_name(params: PqParams) -> str:
    return f"pq_d{params.head_dim}_l{params.lanes}"


def verilog_text(params: PqParams) -> str:
    # no src attributes: they hold this checkout's absolute paths (as in lego.backend.passes)
    return verilog.convert(PqEngine(params), name=TOPLEVEL, emit_src=False)


def storage_bits(params: PqParams) -> dict:
    return {
        "score_buffer": params.max_len * params.score_width,
        "query_register": params.head_dim * params.query_bits,
        "exp_lut_rom": len(params.lut) * params.exp_width * params.exp_units,
    }


def report(params: PqParams, text: str) -> dict:
    n = params.max_len
    return {
        "engine": "spatten progressive quantization",
        "toplevel": TOPLEVEL,
        "parameters": params.to_dict(),
        "fixed_point": params.formats(),
        "storage_bits": storage_bits(params),
        "verilog_lines": text.count("\n"),
        "cycle_model": "passes * (L * D/lanes + ceil(L / exp_units) + prob_bits + 1) + L + 1, "
                       "passes = 2 with an LSB re-fetch; first key beat accepted to done, "
                       "inclusive, no input bubbles, output always ready "
                       "(lego/spatten/pq_timing.py)",
        "cycles_at_max_len": {"msb_only": pq_cycles(params, n, False),
                              "with_refetch": pq_cycles(params, n, True)},
    }


def design_files(params: PqParams) -> dict[str, str]:
    text = verilog_text(params)
    name = design_name(params)
    source = stable_json(params.to_dict())
    passes = ["pq_params", "pq_engine", "amaranth_verilog"]
    return {
        f"{TOPLEVEL}.v": text,
        "report.json": stable_json(report(params, text)),
        "manifest.json": stable_json(manifest(name=name, source_text=source, passes=passes,
                                              parameters=params.to_dict())),
        f"{name}.core": fusesoc_core(name=name, verilog_file=f"{TOPLEVEL}.v",
                                     description="SpAtten progressive-quantization engine",
                                     toplevel=TOPLEVEL),
    }
