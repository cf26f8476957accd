"""A multiply with its registers inside the DSP: operands registered, product registered.

On an ECP5 the multiply of an int8 array runs through a MULT18X18D. Used combinationally, with
the operand and product registers in the fabric, every multiply pays the routing into the DSP
column and back out of it in the same cycle as the DSP itself (nextpnr: about 10.6 ns on the
8x8 array, against 6.8 ns for a lone probe). The MULT18X18D has registers of its own on both
sides (REG_INPUTA/B and REG_OUTPUT); with them the multiply is a two-cycle primitive and the
routing lands in the cycles before and after it, next to other registers. Yosys maps a
multiply to the DSP only combinationally and never moves registers into it, so the module is
written here as Verilog with the cell instantiated:

- ``ifdef LEGO_ECP5_DSP`` (``lego synth`` defines it for ECP5 targets): the MULT18X18D;
- otherwise (simulation, lint, other FPGAs): the same function in plain Verilog, a register on
  each operand and one on the product.

Either way ``p`` is, two clock edges after ``a`` and ``b``, their product (each operand sign-
or zero-extended as the spec's dtype says) modulo 2**width. Operands fit the DSP when a signed
one has at most 18 bits and an unsigned one at most 17 (zero-extended into the signed 18-bit
input); the product of two such operands is exact in ``exact_bits`` (at most 36), so
sign-extending those to ``width`` bits is the product modulo 2**width."""

from __future__ import annotations

from dataclasses import dataclass

from amaranth import ClockSignal, Instance

from lego.backend.primitives import DSP_BITS as _DSP_BITS
from lego.backend.primitives import fits_dsp

__all__ = ["DspMultiply", "dsp_multiply", "dsp_multiplies"]

_PRODUCT_BITS = 2 * _DSP_BITS


@dataclass(frozen=True)
class DspMultiply:
    """``a`` and ``b``: (bits, signed); ``width``: the product's bits."""

    a: tuple[int, bool]
    b: tuple[int, bool]
    width: int

    def __post_init__(self):
        if not fits_dsp((self.a, self.b)):
            raise ValueError(f"Operands {self.a} and {self.b} do not fit one MULT18X18D")

    @property
    def name(self) -> str:
        def operand(bits, signed):
            return f"{'s' if signed else 'u'}{bits}"
        return f"lego_dsp_mul_{operand(*self.a)}x{operand(*self.b)}_p{self.width}"

    def instance(self, a, b, p) -> Instance:
        return Instance(self.name, i_clk=ClockSignal(), i_a=a, i_b=b, o_p=p)

    def verilog(self) -> str:
        (abits, _), (bbits, _), w = self.a, self.b, self.width
        return "\n".join([
            f"// p = a * b (operands {self._describe(self.a)} x {self._describe(self.b)}) "
            f"modulo 2**{w}, two clock edges later;",
            "// LEGO_ECP5_DSP: in one MULT18X18D with its input and output registers "
            "(see lego/backend/rtl/dsp_mul.py)",
            f"module {self.name}(clk, a, b, p);",
            "  input wire clk;",
            f"  input wire [{abits - 1}:0] a;",
            f"  input wire [{bbits - 1}:0] b;",
            f"  output wire [{w - 1}:0] p;",
            f"  wire [{_DSP_BITS - 1}:0] a18 = {self._extend('a', self.a)};",
            f"  wire [{_DSP_BITS - 1}:0] b18 = {self._extend('b', self.b)};",
            f"  wire [{_PRODUCT_BITS - 1}:0] product;",
            "`ifdef LEGO_ECP5_DSP",
            *self._cell(),
            "`else",
            f"  reg signed [{_DSP_BITS - 1}:0] a_q;",
            f"  reg signed [{_DSP_BITS - 1}:0] b_q;",
            f"  reg signed [{_PRODUCT_BITS - 1}:0] product_q;",
            "  always @(posedge clk) begin",
            "    a_q <= a18;",
            "    b_q <= b18;",
            "    product_q <= a_q * b_q;",
            "  end",
            "  assign product = product_q;",
            "`endif",
            f"  assign p = {self._result()};",
            "endmodule",
            "",
        ])

    @staticmethod
    def _describe(operand) -> str:
        bits, signed = operand
        return f"{'int' if signed else 'uint'}{bits}"

    @staticmethod
    def _extend(name: str, operand) -> str:
        bits, signed = operand
        pad = _DSP_BITS - bits
        if not pad:
            return name
        fill = f"{{{pad}{{{name}[{bits - 1}]}}}}" if signed else f"{pad}'d0"
        return f"{{{fill}, {name}}}"

    @property
    def exact_bits(self) -> int:
        """The bits that hold every product exactly, as a signed number: m + n for operands of
        m and n bits, one more when both are unsigned (the product is then never negative)."""
        (abits, asigned), (bbits, bsigned) = self.a, self.b
        return abits + bbits + (0 if asigned or bsigned else 1)

    def _result(self) -> str:
        # only the exact bits leave the DSP: the rest are copies of their sign, which Yosys
        # cannot see through the MULT18X18D, so taking them from P would route (and register
        # in the fabric) up to twice the bits
        exact = min(self.exact_bits, self.width)
        if self.width == exact:
            return f"product[{exact - 1}:0]"
        return f"{{{{{self.width - exact}{{product[{exact - 1}]}}}}, product[{exact - 1}:0]}}"

    def _cell(self) -> list[str]:
        pins = [f".A{i}(a18[{i}])" for i in range(_DSP_BITS)]
        pins += [f".B{i}(b18[{i}])" for i in range(_DSP_BITS)]
        pins += [f".P{i}(product[{i}])" for i in range(_PRODUCT_BITS)]
        lines = ['  MULT18X18D #(.REG_INPUTA_CLK("CLK0"), .REG_INPUTB_CLK("CLK0"), '
                 '.REG_PIPELINE_CLK("NONE"),',
                 '               .REG_OUTPUT_CLK("CLK0"), .GSR("DISABLED")) dsp (',
                 "    .CLK0(clk), .CE0(1'b1), .RST0(1'b0), .SIGNEDA(1'b1), .SIGNEDB(1'b1),",
                 "    .SOURCEA(1'b0), .SOURCEB(1'b0),"]
        for start in range(0, len(pins), 9):
            last = start + 9 >= len(pins)
            lines.append("    " + ", ".join(pins[start:start + 9]) + ("" if last else ","))
        lines.append("  );")
        return lines


def dsp_multiply(design, prim) -> DspMultiply:
    """The DSP multiply of ``prim`` (a ``mul`` with latency) from its operands' nets."""
    (a, b) = design.graph.inputs(prim.name)
    signs = prim.params.signed
    return DspMultiply((design.graph.primitive(a.src).width, signs[0]),
                       (design.graph.primitive(b.src).width, signs[1]), prim.width)


def dsp_multiplies(design) -> tuple[DspMultiply, ...]:
    """The distinct DSP multiplies of a design, by name."""
    found = {d.name: d for d in (dsp_multiply(design, p) for p in design.graph.primitives()
                                 if p.kind == "mul" and p.latency)}
    return tuple(found[n] for n in sorted(found))
