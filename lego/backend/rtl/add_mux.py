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
"""

from __future__ import annotations

from dataclasses import dataclass

from amaranth import Instance

__all__ = ["AddMux", "INIT"]

INIT = "16'h596A"  # LUT4 (D C B A) -> a ^ (s ? x1 : x0), A = a, B = s, C = x1, D = x0


@dataclass(frozen=True)
class AddMux:
    width: int

    @property
    def name(self) -> str:
        return f"lego_add_mux_w{self.width}"

    def instance(self, a, x1, x0, s, total) -> Instance:
        return Instance(self.name, i_a=a, i_x1=x1, i_x0=x0, i_s=s, o_sum=total)

    def verilog(self) -> str:
        w = self.width
        cells = (w + 1) // 2
        return "\n".join([
            f"// sum = a + (s ? x1 : x0) modulo 2**{w};",
            "// LEGO_ECP5_DSP: the mux inside the carry chain's LUT4s "
            "(see lego/backend/rtl/add_mux.py)",
            f"module {self.name}(a, x1, x0, s, sum);",
            f"  input wire [{w - 1}:0] a;",
            f"  input wire [{w - 1}:0] x1;",
            f"  input wire [{w - 1}:0] x0;",
            "  input wire s;",
            f"  output wire [{w - 1}:0] sum;",
            "`ifdef LEGO_ECP5_DSP",
            *self._cells(cells),
            "`else",
            "  assign sum = a + (s ? x1 : x0);",
            "`endif",
            "endmodule",
            "",
        ])

    def _cells(self, cells: int) -> list[str]:
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
                f"    .A0(pa[{lo}]), .B0(s), .C0(p1[{lo}]), .D0(p0[{lo}]), .S0(ps[{lo}]),",
                f"    .A1(pa[{hi}]), .B1(s), .C1(p1[{hi}]), .D1(p0[{hi}]), .S1(ps[{hi}])",
                "  );"]
        lines.append(f"  assign sum = ps[{self.width - 1}:0];")
        return lines

    @staticmethod
    def _padded(name: str, pad: int) -> str:
        return f"{{{pad}'d0, {name}}}" if pad else name
