"""Copies of a control register for each group of the banks and FUs it reaches, in arrays
larger than the delay model was fitted on.

A control net (a step-counter tap that an address generator reads, a write enable, an
accumulator's clear) reaches every bank and FU of a large array from one flip-flop. The delay
model charges that fan-out as ``fanout_ns_per_sqrt_load * (sqrt(n) - 1)`` (lego.backend
.primitives), fitted on arrays of up to 64 FUs. Beyond that the net spans the die: on the 12x12
OS GEMM at 10 ns one counters register fed C's write address into all 144 banks (1,152 RAM
cells) and that route alone was the critical path (14.58 ns, 68.59 MHz, nextpnr seed 1). A
designer gives each row of banks its own copy of the register, and so does lego: each group of
about a row (``group_size``) takes a copy loaded from the net one register earlier, so the
copies equal the register in every cycle and the schedule is unchanged. Yosys merges
flip-flops written as logic whose inputs are the same (the copies would become one again), so a
copy is a module instantiating the cells.

- ``ifdef LEGO_ECP5_DSP`` (``lego synth`` defines it for ECP5 targets): a TRELLIS_FF per bit
  with the domain's synchronous reset on LSR, as Yosys maps a register with a synchronous reset
  (a bit nothing reads is removed, as for any cell);
- otherwise (simulation, lint, other FPGAs): the same register in plain Verilog.
"""

from __future__ import annotations

import math

from amaranth import ClockSignal, Instance, ResetSignal

from lego.backend.design import Design
from lego.backend.semantics import MemoryPort

__all__ = ["COPY_BEYOND", "NAME", "group_size", "CopyGroups", "instance", "verilog"]

NAME = "lego_copy_ff"
# the most banks of a tensor (FUs of the array) one control register drives: the largest array
# the fan-out term was fitted on (benchmarks/calibrate_delays.py: the 8x8 GEMMs)
COPY_BEYOND = 64


def group_size(count: int) -> int:
    """Consecutive banks (FUs) per copy: about a row of a square array (banks and FUs are
    numbered row by row)."""
    return math.isqrt(count - 1) + 1


class CopyGroups:
    """Which copy each memory port, address and FU takes: None where its net stays one."""

    def __init__(self, design: Design, fus):
        self.design = design
        large = design.num_fus > COPY_BEYOND
        self.fu_group = ({fu.fu: i // group_size(len(fus)) for i, fu in enumerate(fus)}
                         if large else {})

    def port(self, prim) -> int | None:
        """A memory port fixed to one bank of a tensor with more than COPY_BEYOND banks: the
        group of its bank."""
        params = prim.params
        if not isinstance(params, MemoryPort) or len(params.banks) != 1:
            return None
        banks = self.design.tensor(params.tensor).banks
        return params.banks[0] // group_size(banks) if banks > COPY_BEYOND else None

    def address(self, name: str) -> int | None:
        """An address primitive whose ports are all in one group: that group."""
        graph = self.design.graph
        groups = {self.port(graph.primitive(conn.dst)) for conn in graph.fanouts().get(name, ())}
        return groups.pop() if len(groups) == 1 else None

    def fu(self, fu: str) -> int | None:
        return self.fu_group.get(fu)


def instance(d, q) -> Instance:
    """A copy registering ``d`` into ``q`` (0 after an edge with the domain's reset high)."""
    return Instance(NAME, p_W=len(q), i_clk=ClockSignal(), i_rst=ResetSignal(), i_d=d, o_q=q)


def verilog() -> str:
    return f"""// q = d one edge later, 0 after an edge with rst high: a control register's copy
// LEGO_ECP5_DSP: the flip-flops instantiated, so that Yosys keeps every copy
// (see lego/backend/rtl/copies.py)
module {NAME}(clk, rst, d, q);
  parameter W = 1;
  input wire clk;
  input wire rst;
  input wire [W-1:0] d;
  output wire [W-1:0] q;
`ifdef LEGO_ECP5_DSP
  genvar i;
  generate
    for (i = 0; i < W; i = i + 1) begin : bits
      TRELLIS_FF #(.GSR("DISABLED"), .CEMUX("1"), .CLKMUX("CLK"), .LSRMUX("LSR"),
                   .REGSET("RESET"), .SRMODE("LSR_OVER_CE")) ff (
        .CLK(clk), .LSR(rst), .DI(d[i]), .Q(q[i])
      );
    end
  endgenerate
`else
  reg [W-1:0] r = {{W{{1'b0}}}};
  always @(posedge clk)
    if (rst)
      r <= {{W{{1'b0}}}};
    else
      r <= d;
  assign q = r;
`endif
endmodule
"""
