"""An adder whose second operand is a 2:1 mux: ``sum = a + (s ? x1 : x0)`` modulo 2**width.

A multi-dataflow PE shares one adder between its dataflows and picks the term it adds (its own
accumulator or the partial sum from upstream) with the running dataflow. Written as a mux and
an add, Yosys maps the mux to a LUT4 per bit in front of the carry chain. On an ECP5 each bit
of a carry chain is a LUT4 feeding the carry logic (CCU2C), and an add uses two of its four
inputs: the mux fits into the other two, so the shared adder costs no LUT beyond its carry
cells, as a hand designer instantiates it. Yosys does not do this itself, so the module is
written here as Verilog with the cells instantiated:

- ``ifdef LEGO_ECP5_DSP`` (``lego synth`` defines it for ECP5 targets): a CCU2C per two bits,
  each LUT4 with A = a, B = s, C = x1, D = x0 and INIT 16'h596A, the propagate
  ``a ^ (s ? x1 : x0)``. The CCU2C's generate is a function of A and B alone (INIT[3:0],
  the row where C = D = 0), which is right exactly because the mux is 0 there: the carry is
  then ``a`` whenever the propagate is 0. tests/test_lego_backend_rtl_add_mux.py proves the
  cell version equal to the plain one with Yosys's own CCU2C model;
- otherwise (simulation, lint, other FPGAs): the same function in plain Verilog.

With a ``gate`` the select is the running dataflow ``s`` joined with a clear ``g``
(``s | g``, "or", or ``s & ~g``, "andn": lego.backend.rtl.fu_module folds a clear into the
pick), computed inside the module by an instantiated LUT4 on ECP5: written as logic, Yosys
shares one LUT between every FU whose dataflow and clear are the same, and that LUT's net to
ten carry cells per FU across a row of the array was the fused OS+WS 8x8's critical path at
7 ns (flow -> row 0's shared select -> two FUs' adders, 10.02 ns).
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth import Instance

__all__ = ["AddMux", "INIT"]

INIT = "16'h596A"  # LUT4 (D C B A) -> a ^ (s ? x1 : x0), A = a, B = s, C = x1, D = x0
# the select's LUT4 (A = s, B = g; C and D unused, tied low): s | g, s & ~g
GATE_INIT = {"or": "16'hEEEE", "andn": "16'h2222"}
GATE_EXPR = {"or": "s | g", "andn": "s & ~g"}


@dataclass(frozen=True)
class AddMux:
    width: int
    gate: str | None = None  # None, "or" (select s | g) or "andn" (select s & ~g)

    @property
    def name(self) -> str:
        return f"lego_add_mux_w{self.width}" + (f"_{self.gate}" if self.gate else "")

    def instance(self, a, x1, x0, s, total, g=None) -> Instance:
        gate = {} if self.gate is None else {"i_g": g}
        return Instance(self.name, i_a=a, i_x1=x1, i_x0=x0, i_s=s, o_sum=total, **gate)

    def verilog(self) -> str:
        w = self.width
        cells = (w + 1) // 2
        pick = "s" if self.gate is None else "sel"
        header = [f"// sum = a + ({pick} ? x1 : x0) modulo 2**{w}"
                  + (f", sel = {GATE_EXPR[self.gate]}" if self.gate else "") + ";",
                  "// LEGO_ECP5_DSP: the mux inside the carry chain's LUT4s "
                  "(see lego/backend/rtl/add_mux.py)",
                  f"module {self.name}(a, x1, x0, s, " + ("g, " if self.gate else "") + "sum);",
                  f"  input wire [{w - 1}:0] a;",
                  f"  input wire [{w - 1}:0] x1;",
                  f"  input wire [{w - 1}:0] x0;",
                  "  input wire s;"]
        if self.gate:
            header += ["  input wire g;", "  wire sel;"]
        return "\n".join([
            *header,
            f"  output wire [{w - 1}:0] sum;",
            "`ifdef LEGO_ECP5_DSP",
            *([f"  LUT4 #(.INIT({GATE_INIT[self.gate]})) select (.A(s), .B(g), .C(1'b0), "
               ".D(1'b0), .Z(sel));"] if self.gate else []),
            *self._cells(cells, pick),
            "`else",
            *([f"  assign sel = {GATE_EXPR[self.gate]};"] if self.gate else []),
            f"  assign sum = a + ({pick} ? x1 : x0);",
            "`endif",
            "endmodule",
            "",
        ])

    def _cells(self, cells: int, pick: str) -> list[str]:
        w = 2 * cells
        pad = w - self.width
        lines = [f"  wire [{w - 1}:0] pa = {self._padded('a', pad)};",
                 f"  wire [{w - 1}:0] p1 = {self._padded('x1', pad)};",
                 f"  wire [{w - 1}:0] p0 = {self._padded('x0', pad)};",
                 f"  wire [{w - 1}:0] ps;",
                 f"  wire [{cells}:0] carry;",
                 "  assign carry[0] = 1'b0;"]
        for i in range(cells):
            lo, hi = 2 * i, 2 * i + 1
            lines += [
                f"  CCU2C #(.INIT0({INIT}), .INIT1({INIT}), "
                f'.INJECT1_0("NO"), .INJECT1_1("NO")) add{i} (',
                f"    .CIN(carry[{i}]), .COUT(carry[{i + 1}]),",
                f"    .A0(pa[{lo}]), .B0({pick}), .C0(p1[{lo}]), .D0(p0[{lo}]), .S0(ps[{lo}]),",
                f"    .A1(pa[{hi}]), .B1({pick}), .C1(p1[{hi}]), .D1(p0[{hi}]), .S1(ps[{hi}])",
                "  );"]
        lines.append(f"  assign sum = ps[{self.width - 1}:0];")
        return lines

    @staticmethod
    def _padded(name: str, pad: int) -> str:
        return f"{{{pad}'d0, {name}}}" if pad else name
