"""The flip-flops a register on a net takes: its value's bits, not its declared width."""

from lego.backend.net_bits import register_bits_per_net
from lego.backend.pipeline import pipeline
from lego.backend.primitives import Primitive, PrimitiveGraph
from lego.backend.semantics import FlowMux, GateMux, MemoryPort, Product, Sum, Wire


def _mac(product_signed=(True, True), sum_bits=20) -> PrimitiveGraph:
    """Two 8-bit reads, their product and its running sum, all declared 32 bits wide; the
    running sum's feedback is cleared by a predicate (``clear ? 0 : acc``)."""
    g = PrimitiveGraph("mac")
    for name in ("a", "b"):
        g.add(Primitive(name, "mem_read", 8, 0.0, 1, MemoryPort(name.upper(), (0,))))
    g.add(Primitive("clear", "cmp", 1, 0.1))
    g.add(Primitive("m", "mul", 32, 0.9, params=Product(product_signed)))
    g.add(Primitive("g", "mux", 32, 0.1, params=GateMux()))
    g.add(Primitive("acc", "add", 32, 0.5, params=Sum(sum_bits)))
    g.add(Primitive("w", "wire", 32, 0.1, params=Wire()))
    g.connect("a", "m", operand=0)
    g.connect("b", "m", operand=1)
    g.connect("clear", "g", operand=0)
    g.connect("acc", "g", 1, operand=1)  # last step's sum
    g.connect("m", "acc", operand=0)
    g.connect("g", "acc", operand=1)
    g.connect("acc", "w")
    return g


def test_products_and_partial_sums_take_their_value_bits():
    bits = register_bits_per_net(_mac())
    assert bits["m"] == 16  # int8 x int8: -16,256 .. 16,384
    # the partial sum wraps at 20 bits and is sign-extended; the gate and the wire carry it
    assert bits["acc"] == bits["g"] == bits["w"] == 20
    assert bits["a"] == bits["b"] == 8 and bits["clear"] == 1  # not datapath: declared width


def test_unsigned_products_and_a_full_sum():
    unsigned = register_bits_per_net(_mac(product_signed=(False, False)))
    assert unsigned["m"] == 16  # uint8 x uint8: 0 .. 65,025, no sign bit
    mixed = register_bits_per_net(_mac(product_signed=(False, True), sum_bits=0))
    assert mixed["m"] == 16  # uint8 x int8: -32,640 .. 32,385
    assert mixed["acc"] == 32  # a sum without partial-sum bits may take every bit


def test_a_dataflow_mux_takes_its_widest_input_and_zero():
    g = _mac()
    g.add(Primitive("t", "mux", 32, 0.1, params=FlowMux((None, 0))))
    g.connect("m", "t")
    g.add(Primitive("u", "mux", 32, 0.1, params=FlowMux((0, 1))))
    g.connect("m", "u", operand=0)
    g.connect("acc", "u", operand=1)
    bits = register_bits_per_net(g)
    assert bits["t"] == 16 and bits["u"] == 20


def test_the_lp_counts_the_flip_flops():
    """At a relaxed clock only the running sum's feedback is registered: 20 flip-flops."""
    assert pipeline(_mac(), 10.0).register_bits == 20
