"""The ECP5 delay table (``delays_ecp5.json``, written by benchmarks/calibrate_delays.py from
nextpnr timing of probe circuits) and the additive path model it was fitted to.

A register-to-register path through the LP nodes ``n1 .. nk`` takes

    reg_overhead_ns + delay(n1) + ... + delay(nk)

the form lego.backend.pipeline times paths with. A node is a (term, argument) pair, and its delay
is a linear function of the table's values (``node_features``):

    mul (operand bits <= 18)  mul_ns                        one MULT18X18D
    mul_wide (product bits p) mul_wide_base_ns + p * mul_wide_ns_per_bit
    add (bits w)              add_base_ns + w * add_ns_per_bit      CCU2C carry chain
    mux (bits)                mux_ns
    cmp                       cmp_ns                        a control predicate on the counters
    addr / addr_dsp           addr_ns / addr_dsp_ns         address logic in LUTs / using a DSP
    port_mux (k sources)      port_mux_base_ns + log2(k) * port_mux_ns_per_level
    fanout (n loads)          (sqrt(n) - 1) * fanout_ns_per_sqrt_load   (the loads' spread)
    dsp_setup / dsp_clk_to_out  into / out of a multiply in a DSP with its own registers
    dsp_array_clk_to_out      out of it into an adder, in an array of DSPs (routes are longer)
    {dram,bram}_read_setup    read address (and enable) to the RAM, beyond a register's setup
    {dram,bram}_clk_to_out    read data from the RAM, beyond a register's clock-to-out
    {dram,bram}_write_setup   write data and address to the RAM, beyond a register's setup
    dram_array_read (s)       s * dram_array_read_ns_per_side: a distributed-RAM read in an
                              array of FUs s + 1 on a side, on top of its read setup (the read
                              register sits by the FU it feeds; fitted to whole arrays)
    dram_array_write (s)      s * dram_array_write_ns_per_side: the same for a read-modify-
                              write's write (the sum of the old word and an FU's comes across
                              the array; fitted to whole arrays' placements)
    dsp_array_product (n)     dsp_clk_to_out_ns + n * dsp_array_product_ns_per_fu: a DSP's
                              product into the fabric's logic in an array of n + 1 FUs (the
                              route into the adder; fitted to whole arrays' placements; the
                              LP uses it in place of dsp_array_clk_to_out, a probe's; held at
                              dsp_array_product_max_fus FUs, the largest array fitted)

``dram`` is distributed RAM (TRELLIS_DPR16X4: asynchronous read, its synchronous read port is a
register after it), ``bram`` block RAM (DP16KD). Routing into a node is part of its delay.

:class:`DelayModel` can hold only part of this; :func:`ecp5_delays` maps the table onto its
fields (see ``_model`` for how) and :func:`load_table` also returns every value.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from lego.backend.primitives import DelayModel

__all__ = ["TABLE_PATH", "DelayTable", "Residual", "load_table", "ecp5_delays", "node_features",
           "path_delay"]

TABLE_PATH = Path(__file__).with_name("delays_ecp5.json")
# the product width every example multiplies to (int8 x int8 -> int32): DelayModel charges a
# multiply by its output width, so its per-bit figure is one DSP's delay over this width
MUL_OUTPUT_BITS = 32
DSP_LATENCY = 2  # a MULT18X18D with its input and output registers (lego.backend.rtl.dsp_mul)
MEMORY_TERMS = tuple(f"{ram}_{side}" for ram in ("dram", "bram")
                     for side in ("read_setup", "clk_to_out", "write_setup"))


def node_features(term: str, arg: float) -> dict[str, float]:
    """The node's delay as coefficients of the table's values (``reg_overhead_ns`` is not a
    node's: every path has it once)."""
    if term == "mul":
        return {"mul_ns": 1.0}
    if term == "mul_wide":
        return {"mul_wide_base_ns": 1.0, "mul_wide_ns_per_bit": float(arg)}
    if term == "add":
        return {"add_base_ns": 1.0, "add_ns_per_bit": float(arg)}
    if term in ("mux", "cmp", "addr", "addr_dsp"):
        return {f"{term}_ns": 1.0}
    if term == "port_mux":
        return {"port_mux_base_ns": 1.0, "port_mux_ns_per_level": math.log2(arg)}
    if term == "fanout":
        return {"fanout_ns_per_sqrt_load": math.sqrt(arg) - 1.0}
    if term in ("dsp_setup", "dsp_clk_to_out", "dsp_array_clk_to_out"):
        return {f"{term}_ns": 1.0}
    if term in MEMORY_TERMS:
        return {f"{term}_ns": 1.0}
    if term == "dram_array_read":
        return {"dram_array_read_ns_per_side": float(arg)}
    if term == "dram_array_write":
        return {"dram_array_write_ns_per_side": float(arg)}
    if term == "dsp_array_product":
        return {"dsp_clk_to_out_ns": 1.0, "dsp_array_product_ns_per_fu": float(arg)}
    raise ValueError(f"Delay term must be one of mul, mul_wide, add, mux, cmp, addr, addr_dsp, "
                     f"port_mux, fanout, dram_array_read, dram_array_write, dsp_array_product "
                     f"or a memory term, not {term!r}")


def path_delay(values: dict[str, float], nodes) -> float:
    """The model's delay (ns) of a register-to-register path through ``nodes``."""
    total = values["reg_overhead_ns"]
    for term, arg in nodes:
        total += sum(c * values[name] for name, c in node_features(term, arg).items())
    return total


@dataclass(frozen=True)
class Residual:
    """One probe of the fit: its path, what nextpnr measured and what the table gives."""

    probe: str
    nodes: tuple[tuple[str, float], ...]
    measured_ns: float
    fitted_ns: float

    @property
    def residual_ns(self) -> float:
        return self.measured_ns - self.fitted_ns


@dataclass(frozen=True)
class DelayTable:
    """The table: every fitted value (ns, or ns per bit / level / doubling: see the names), the
    values the probes could not separate (``unmeasured``, with the reason), the fit's
    residuals, and where the numbers come from."""

    values: dict[str, float]
    unmeasured: dict[str, str]
    residuals: tuple[Residual, ...]
    rms_residual_ns: float
    tools: dict[str, str]
    measured_on: str

    @property
    def model(self) -> DelayModel:
        return _model(self.values)


def _model(v: dict[str, float]) -> DelayModel:
    """DelayModel's fields from the table. What they cannot say: a multiply's delay depends on
    its operand bits, not its output bits (one DSP up to 18), so ``mul_ns_per_bit`` is one DSP
    over MUL_OUTPUT_BITS; the AND-OR port mux has no field (the ports pass shares RAM ports
    after the LP has run; its mux is short: two or three ports per RAM port in the examples).
    A wire node costs its source net one more load: a fan-out of 2. A bank the table measured
    no write setup for (block RAM) gets the distributed RAM's."""
    return DelayModel(mul_ns_per_bit=round(v["mul_ns"] / MUL_OUTPUT_BITS, 6),
                      add_ns_per_bit=v["add_ns_per_bit"], add_base_ns=v["add_base_ns"],
                      mux_ns=v["mux_ns"], reg_overhead_ns=v["reg_overhead_ns"],
                      wire_ns=round(v["fanout_ns_per_sqrt_load"] * (math.sqrt(2) - 1), 6),
                      cmp_ns=v["cmp_ns"],
                      addr_ns=v["addr_ns"],
                      read_setup_ns=v["dram_read_setup_ns"],
                      read_clk_to_out_ns=v["dram_clk_to_out_ns"],
                      write_setup_ns=v["dram_write_setup_ns"],
                      block_read_setup_ns=v["bram_read_setup_ns"],
                      block_clk_to_out_ns=v["bram_clk_to_out_ns"],
                      block_write_setup_ns=v.get("bram_write_setup_ns",
                                                 v["dram_write_setup_ns"]),
                      fanout_ns_per_sqrt_load=v["fanout_ns_per_sqrt_load"],
                      # a table that measured the DSP's own registers builds multiplies with them
                      dsp_latency=DSP_LATENCY if "dsp_setup_ns" in v else 0,
                      dsp_setup_ns=v.get("dsp_setup_ns", 0.0),
                      dsp_clk_to_out_ns=v.get("dsp_clk_to_out_ns", 0.0),
                      dsp_array_clk_to_out_ns=v.get("dsp_array_clk_to_out_ns", 0.0),
                      array_read_ns_per_side=v.get("dram_array_read_ns_per_side", 0.0),
                      array_write_ns_per_side=v.get("dram_array_write_ns_per_side", 0.0),
                      array_product_ns_per_fu=v.get("dsp_array_product_ns_per_fu", 0.0),
                      array_product_max_fus=int(v.get("dsp_array_product_max_fus", 0)))


def load_table(path: Path | str = TABLE_PATH) -> DelayTable:
    data = json.loads(Path(path).read_text())
    if data.get("units") != "ns":
        raise ValueError(f"Delay table {path} must be in ns, not {data.get('units')!r}")
    values = {name: float(entry["value"]) for name, entry in data["values"].items()}
    residuals = tuple(Residual(r["probe"], tuple((t, a) for t, a in r["nodes"]),
                               r["measured_ns"], r["fitted_ns"])
                      for r in data["fit"]["probes"])
    return DelayTable(values, dict(data.get("unmeasured", {})), residuals,
                      data["fit"]["rms_residual_ns"], dict(data["tools"]), data["measured_on"])


def ecp5_delays(path: Path | str = TABLE_PATH) -> DelayModel:
    """The DelayModel fitted to ECP5 (nextpnr-ecp5 timing): ``--period`` in ECP5 ns."""
    return load_table(path).model
