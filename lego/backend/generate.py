"""ADG -> back-end passes (primitive graph, LP schedule, Verilog) -> the design folder
(report.json, interface.md, timings.json, manifest.json, FuseSoC core)."""

from __future__ import annotations

from dataclasses import dataclass

from lego.backend.design import Design
from lego.backend.interface import interface
from lego.backend.interface_doc import interface_markdown
from lego.backend.partial_sums import partial_sum_bits
from lego.backend.passes import PASS_NAMES, run_backend
from lego.backend.primitives import DelayModel
from lego.backend.schedule import Schedule
from lego.frontend.adg import ADG
from lego.outputs import fusesoc_core, manifest, stable_json

__all__ = ["Generated", "generate", "design_files", "hand_style_register_bits"]


@dataclass(frozen=True)
class Generated:
    design: Design
    schedule: Schedule
    verilog: str
    lp_seconds: float
    generate_seconds: float
    pass_seconds: tuple[tuple[str, float], ...] = ()  # per back-end pass, in order (wall)


def generate(adg: ADG, period_ns: float | None = None, delays: DelayModel | None = None
             ) -> Generated:
    seconds: dict[str, float] = {}
    state = run_backend(adg, period_ns, delays, timer=seconds.__setitem__)
    return Generated(state.design, state.schedule, state.verilog, seconds["pipeline"],
                     sum(seconds.values()), tuple(seconds.items()))


def hand_style_register_bits(adg: ADG) -> int:
    """The registers a designer pipelines an array with: one on every FU-to-FU edge (a FIFO of
    its depth on a delay edge) and one on every FU's output (its accumulator or partial sum):
    the baseline the LP's register bits are compared with. Counted, like the LP's, in the
    flip-flops they take: a partial sum in its bits (lego.backend.partial_sums), not the
    output word's."""
    output = next(t for t in adg.tensors if t.role == "output")
    bits = {t.name: t.bits for t in adg.tensors}
    bits[output.name] = partial_sum_bits(adg) or output.bits
    edges = sum(bits[e.tensor] * max(1, e.depth) for e in adg.edges if e.kind != "memory")
    return edges + bits[output.name] * len(adg.fus)


def report(adg: ADG, gen: Generated) -> dict:
    """report.json. The three register counts are in flip-flops, each register at the bits its
    value takes (lego.backend.net_bits; an int8 product 16, a partial sum its partial-sum
    bits), not its net's declared width: ``lp_register_bits`` the LP's pipeline (what it
    minimised), ``hand_register_bits`` a designer's (:func:`hand_style_register_bits`),
    ``per_primitive_register_bits`` one after every primitive (an upper bound)."""
    tensors = {}
    for t in gen.design.tensors:
        edges = [e for e in adg.edges if e.tensor == t.name and e.kind != "memory"]
        tensors[t.name] = {
            "edges": len(edges), "fifo_depth": sum(e.depth for e in edges),
            "ports": {f.name: adg.memory(f.name, t.name).num_ports for f in adg.flows},
            "banks": t.banks, "bank_depth": t.depth}
    kinds: dict[str, int] = {}
    for prim in gen.design.graph.primitives():
        kinds[prim.kind] = kinds.get(prim.kind, 0) + 1
    return {
        "name": gen.design.name, "fus": gen.design.num_fus,
        "dataflows": [f.name for f in gen.design.flows],
        "period_ns": gen.schedule.period_ns, "tensors": tensors, "primitives": kinds,
        "lp_register_bits": gen.schedule.register_bits,
        "hand_register_bits": hand_style_register_bits(adg),
        "per_primitive_register_bits": gen.schedule.per_primitive_bits,
        "timing_constraints": gen.schedule.timing_constraints,
        "pipeline_depth": max(s for _, s in gen.schedule.stages),
        "verilog_lines": len(gen.verilog.splitlines()),
        "interface": interface(adg, gen.design, gen.schedule),
    }


def design_files(adg: ADG, gen: Generated, source_text: str) -> dict[str, str]:
    name = gen.design.name
    facts = report(adg, gen)
    return {
        f"{name}.v": gen.verilog,
        "report.json": stable_json(facts),
        "interface.md": interface_markdown(facts["interface"]),
        "timings.json": stable_json({"lp_seconds": round(gen.lp_seconds, 3),
                                     "generate_seconds": round(gen.generate_seconds, 3),
                                     "pass_seconds": {n: round(s, 3)
                                                      for n, s in gen.pass_seconds}}),
        "manifest.json": stable_json(manifest(
            name=name, source_text=source_text, passes=list(PASS_NAMES),
            parameters={"period_ns": gen.schedule.period_ns})),
        f"{name}.core": fusesoc_core(name=name, verilog_file=f"{name}.v",
                                     description=f"LEGO accelerator {name}", toplevel=name),
        "adg.json": adg.to_json(),
    }
