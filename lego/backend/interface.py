"""The generated top's interface as facts: its ports, the host protocol's latencies, the
dataflow selects and run lengths, and where every tensor element lives in each dataflow.

One dict, derived from the design objects, feeds report.json ("interface"), interface.md
(:mod:`lego.backend.interface_doc`) and the cocotb driver (:mod:`lego.cocotb`), so the document
states exactly what the driver does and the RTL implements."""

from __future__ import annotations

from amaranth.hdl import Shape
from amaranth.lib.wiring import Flow as PortFlow

from lego.backend.design import Design
from lego.backend.rtl.host_read import host_read_latency
from lego.backend.rtl.library import host_writes
from lego.backend.rtl.top import top_signature
from lego.backend.schedule import Schedule, drain_cycles
from lego.frontend.adg import ADG

__all__ = ["interface", "run_cycles", "dtype_name"]

# the controller's fixed cycle around a run: the one start is high in (the first step follows
# it); done rises on the edge of the dataflow's last memory write
_RUN_OVERHEAD = 1


def _meanings(design: Design, schedule: Schedule) -> dict[str, str]:
    flows = ", ".join(f"{f.index} = {f.name}" for f in design.flows)
    tensors = ", ".join(f"{t.index} = {t.name}" for t in design.tensors)
    return {
        "clk": "clock: every register and memory acts on its rising edge",
        "rst": "synchronous reset, active high: clears the controller (busy and done low); "
               "memory contents are kept",
        "start": "high for one cycle while busy is low: runs the dataflow on `dataflow`; "
                 "ignored while busy",
        "dataflow": f"the dataflow `start` runs, sampled with it: {flows}",
        "busy": "high from the edge after start until the last result is in memory; drive "
                "no host_we while it is high",
        "done": "high from the end of a run until the next start",
        "host_tensor": f"host port: tensor select ({tensors})",
        "host_bank": "host port: bank of that tensor (see Layout)",
        "host_addr": "host port: word address inside the bank (see Layout)",
        "host_wdata": "host port: the word to write, the element's low bits (two's complement "
                      "for a signed tensor); a narrower tensor ignores the upper bits",
        "host_we": "host port: write strobe, one word per cycle with host_wdata",
        "host_rdata": f"host port: the word addressed {host_read_latency(design, schedule)} "
                      "clock edges earlier, "
                      "zero-extended (sign-extend a signed tensor's low bits yourself)",
    }


def dtype_name(bits: int, signed: bool) -> str:
    return f"{'' if signed else 'u'}int{bits}"


def run_cycles(design: Design, schedule: Schedule, flow: int, steps: int) -> int:
    """Cycles from the one start is high in to the first one done is high in, ``steps``
    issued (the computing ones and any bubbles: lego.backend.design.Flow)."""
    return steps + drain_cycles(design, schedule)[flow] + _RUN_OVERHEAD


def _ports(design: Design, schedule: Schedule) -> list[dict]:
    meanings = _meanings(design, schedule)
    members = [("clk", "input", 1), ("rst", "input", 1)] + [
        (name, "input" if member.flow == PortFlow.In else "output",
         Shape.cast(member.shape).width)
        for name, member in top_signature(design).items()]
    return [{"name": name, "direction": direction, "width": width, "meaning": meanings[name]}
            for name, direction, width in members]


def interface(adg: ADG, design: Design, schedule: Schedule) -> dict:
    return {
        "top": design.name,
        "ports": _ports(design, schedule),
        "host_read_latency": host_read_latency(design, schedule),
        "dataflows": [{"name": f.name, "select": f.index, "steps": f.num_steps,
                       "cycles": run_cycles(design, schedule, f.index, f.issued_steps),
                       # what a run computes: the statement over these loop bounds
                       "loops": dict(adg.flow(f.name).loops)} | _bubbles(adg, f)
                      for f in design.flows],
        "tensors": [{
            "name": t.name, "index": t.index, "role": t.role,
            "dtype": dtype_name(t.bits, t.signed), "bits": t.bits, "signed": t.signed,
            "shape": list(t.shape), "banks": t.banks, "depth": t.depth,
            "host_writes": host_writes(design, t.name),
            "layouts": {f.name: _layout(adg, f.name, t.name) for f in design.flows}}
            for t in design.tensors],
    }


def _bubbles(adg: ADG, flow) -> dict:
    """A preloading dataflow's bubbles (lego.backend.preload); nothing for the others."""
    if not flow.bubbles:
        return {}
    preload = adg.flow(flow.name).preload
    tensor, along = preload[0] if preload else ("-", None)
    names = [loop.name for loop in adg.flow(flow.name).spatial]
    return {"issued": flow.issued_steps,
            "bubbles": {"per_tile": flow.bubbles, "tiles": flow.tiles, "tensor": tensor,
                        "along": names[along] if along is not None else "-"}}


def _layout(adg: ADG, dataflow: str, tensor: str) -> dict:
    mem = adg.memory(dataflow, tensor)
    return {"bank_dims": list(mem.bank_dims), "bank_gcd": list(mem.bank_gcd),
            "bank_shape": list(mem.bank_shape)}
