"""The pipelining LP: timing met, causality kept, optimum integral and truly minimal."""

import itertools
import random

import pytest

from lego.backend.pipeline import pipeline
from lego.backend.primitives import DelayModel, Primitive, PrimitiveGraph
from lego.errors import LegoError

OVERHEAD = 0.12
DELAYS = DelayModel(reg_overhead_ns=OVERHEAD)


def _chain_with_accumulators(n: int) -> PrimitiveGraph:
    """A memory read broadcast along n FUs (wire hops), each FU multiplies and accumulates."""
    g = PrimitiveGraph("chain")
    g.add(Primitive("a", "mem_read", 8, 0.0, 1))
    prev = "a"
    for i in range(n):
        g.add(Primitive(f"w{i}", "wire", 8, 0.3))
        g.connect(prev, f"w{i}")
        prev = f"w{i}"
        g.add(Primitive(f"m{i}", "mul", 16, 0.9))
        g.connect(f"w{i}", f"m{i}")
        g.add(Primitive(f"acc{i}", "add", 32, 0.5))
        g.connect(f"m{i}", f"acc{i}")
        g.connect(f"acc{i}", f"acc{i}", 1)  # loop-carried: last step's sum
    return g


def _register_free_paths_fit(g: PrimitiveGraph, stages: dict, budget: float) -> bool:
    """Brute force: every path along edges with zero registers is within budget."""
    def regs(u, v, d):
        return stages[v] - stages[u] - g.primitive(u).latency + d

    def longest_from(u, seen):
        best = g.primitive(u).delay_ns
        for _, v, data in g.graph.out_edges(u, data=True):
            if v in seen or regs(u, v, data["conn"].distance) != 0:
                continue
            if g.primitive(u).latency:
                continue
            best = max(best, g.primitive(u).delay_ns + longest_from(v, seen | {v}))
        return best

    return all(longest_from(u, {u}) <= budget + 1e-9 for u in g.graph.nodes)


def _cost(g: PrimitiveGraph, stages: dict) -> int | None:
    bits = 0
    for prim in g.primitives():
        taps = [stages[v] - stages[prim.name] - prim.latency + d["conn"].distance
                for _, v, d in g.graph.out_edges(prim.name, data=True)]
        dists = [d["conn"].distance for _, _, d in g.graph.out_edges(prim.name, data=True)]
        if any(t < min(d, 1) for t, d in zip(taps, dists, strict=True)):
            return None
        bits += prim.width * max(taps, default=0)
    return bits


@pytest.mark.parametrize("period", [2.0, 1.5, 1.2, 1.05])
def test_chain_meets_timing_and_keeps_causality(period):
    g = _chain_with_accumulators(4)
    schedule = pipeline(g, period, DELAYS)
    stages = dict(schedule.stages)
    assert all(regs >= 0 for *_, regs in schedule.edge_registers)
    assert _register_free_paths_fit(g, stages, period - OVERHEAD)
    assert schedule.register_bits == _cost(g, stages)
    # the accumulator loop keeps exactly its one register whatever the period
    assert all(r == 1 for s, d, _, r in schedule.edge_registers if s == d)


def test_tighter_clock_never_needs_fewer_registers():
    g = _chain_with_accumulators(6)
    bits = [pipeline(g, p).register_bits for p in (4.0, 2.0, 1.5, 1.2)]
    assert bits == sorted(bits)
    assert bits[0] == 6 * 32  # only the accumulators at a relaxed clock
    assert bits[-1] > bits[0]  # a tight clock forces registers into the datapath


def _random_dag(rng: random.Random, n: int) -> PrimitiveGraph:
    g = PrimitiveGraph(f"rand{n}")
    for i in range(n):
        g.add(Primitive(f"n{i}", "op", rng.choice([4, 8, 16]), rng.choice([0.2, 0.5, 0.8]),
                        rng.choice([0, 0, 0, 1])))
    for v in range(1, n):
        for u in rng.sample(range(v), k=min(v, rng.choice([1, 2]))):
            g.connect(f"n{u}", f"n{v}", rng.choice([0, 0, 0, 1, 2]))
    return g


@pytest.mark.parametrize("seed", range(12))
def test_lp_optimum_equals_exhaustive_search(seed):
    rng = random.Random(seed)
    g = _random_dag(rng, 5)
    period = 1.2
    schedule = pipeline(g, period, DELAYS)
    names = sorted(g.graph.nodes)
    best, optima = None, []
    for combo in itertools.product(range(4), repeat=len(names)):
        stages = dict(zip(names, combo, strict=True))
        cost = _cost(g, stages)
        if cost is None or not _register_free_paths_fit(g, stages, period - OVERHEAD):
            continue
        if best is None or cost < best:
            best, optima = cost, []
        if cost == best:
            optima.append(combo)
    assert schedule.register_bits == best
    assert _register_free_paths_fit(g, dict(schedule.stages), period - OVERHEAD)
    # of the tied optima, the earliest in every stage (lego.backend.lp_solve: it exists)
    earliest = tuple(min(stages) for stages in zip(*optima, strict=True))
    assert earliest in optima
    assert tuple(stage for _, stage in schedule.stages) == earliest


def test_period_shorter_than_one_operator_is_a_clear_error():
    g = _chain_with_accumulators(2)
    with pytest.raises(LegoError, match=r"^design chain: clock period 0\.5 ns is too short: "
                                        r"mul m0 alone takes 0\.9 ns"):
        pipeline(g, 0.5)


def test_non_positive_period_is_a_clear_error():
    with pytest.raises(LegoError, match=r"^design chain: clock period must be a positive number "
                                        r"of ns, not -1\.0$"):
        pipeline(_chain_with_accumulators(1), -1.0)


def test_combinational_loop_is_a_clear_error():
    g = PrimitiveGraph("loop")
    g.add(Primitive("x", "add", 8, 0.2))
    g.add(Primitive("y", "add", 8, 0.2))
    g.connect("x", "y")
    g.connect("y", "x")
    with pytest.raises(LegoError, match="^design loop: combinational loop through"):
        pipeline(g, 1.0)


def test_per_primitive_count_puts_a_register_after_every_primitive():
    """4 x (8-bit wire + 16-bit product + 32-bit sum, plus the 32-bit sum's own feedback
    register) and the memory read's 8-bit latency register."""
    schedule = pipeline(_chain_with_accumulators(4), 4.0)
    assert schedule.per_primitive_bits == 8 + 4 * (8 + 16 + 32 * 2)


def test_the_register_overhead_comes_from_the_delay_model():
    """A period that fits one 0.9 ns multiply with the default 0.12 ns overhead does not fit
    it with a 0.2 ns overhead."""
    g = _chain_with_accumulators(1)
    pipeline(g, 1.05)
    with pytest.raises(LegoError, match="0.2 ns register overhead"):
        pipeline(g, 1.05, DelayModel(reg_overhead_ns=0.2))


def test_a_connection_that_asks_for_a_register_gets_one_even_on_a_relaxed_clock():
    g = PrimitiveGraph("clear")
    g.add(Primitive("p", "cmp", 1, 0.1))
    g.add(Primitive("x", "add", 8, 0.2))
    g.add(Primitive("y", "mux", 8, 0.1))
    g.connect("p", "y", 0, 0, min_registers=1)
    g.connect("x", "y", 0, 1)
    registers = {(s, d): r for s, d, _, r in pipeline(g, 100.0).edge_registers}
    assert registers[("p", "y")] == 1 and registers[("x", "y")] >= 0


def test_a_fixed_bank_address_drives_every_ram_cell_and_equal_addresses_share_one_net():
    """Each bit of a port's address drives the address pin of every RAM cell (4 bits) of its
    bank; FUs whose write addresses differ only in the (constant) bank are one net in Yosys,
    so each of them carries the loads of all."""
    from lego.backend.pipeline import net_loads
    from lego.backend.semantics import FixedAddress, MemoryPort

    g = PrimitiveGraph("banks")
    g.add(Primitive("ctrl", "counter", 6))
    g.add(Primitive("we", "cmp", 1))
    g.connect("ctrl", "we")
    for bank in range(3):
        g.add(Primitive(f"a{bank}", "addr", 2, params=FixedAddress(0, "C", bank, 0, (1, 2))))
        g.add(Primitive(f"d{bank}", "add", 32))
        g.add(Primitive(f"wr{bank}", "mem_write", 32, params=MemoryPort("C", (bank,))))
        g.connect("ctrl", f"a{bank}")
        for operand, src in enumerate(("we", f"a{bank}", f"d{bank}")):
            g.connect(src, f"wr{bank}", 0, operand)
    g.add(Primitive("a3", "addr", 2, params=FixedAddress(0, "C", 3, 1, (1, 2))))  # own base
    g.add(Primitive("wr3", "mem_write", 32, params=MemoryPort("C", (3,))))
    g.connect("ctrl", "a3")
    g.connect("a3", "wr3", 0, 1)
    loads = net_loads(g)
    assert [loads[f"a{b}"] for b in range(4)] == [3 * 8, 3 * 8, 3 * 8, 8]
    assert loads["we"] == 3 * 8 and loads["d0"] == 1 and loads["ctrl"] == 5


@pytest.mark.parametrize("product_register", [0, 1])
def test_a_registered_product_launches_from_its_flip_flop_not_the_dsp(product_register):
    """A DSP product (clock-to-out 0.6 ns) into an adder (0.5) into a RAM write (0.3): at a
    1.2 ns budget the add and the write fit one cycle only when the product must keep a fabric
    register, whose clock-to-out is in the register overhead."""
    g = PrimitiveGraph("product")
    g.add(Primitive("m", "mul", 16, 0.2, 1, launch_ns=0.6))
    g.add(Primitive("acc", "add", 32, 0.5))
    g.add(Primitive("wr", "mem_write", 32, 0.3))
    g.connect("m", "acc", 0, 0, min_registers=product_register)
    g.connect("acc", "wr")
    registers = {(s, d): r for s, d, _, r in pipeline(g, 1.2 + OVERHEAD, DELAYS).edge_registers}
    assert registers[("m", "acc")] == product_register  # past the DSP's own register
    assert registers[("acc", "wr")] == 1 - product_register


def test_a_clock_to_out_into_a_register_it_must_keep_still_has_to_fit_the_period():
    """The path a registered input no longer charges its consumer is still timed: from the
    producer's clock-to-out to that register."""
    g = PrimitiveGraph("slow_ram")
    g.add(Primitive("r", "mem_read", 8, 0.1, 1, launch_ns=2.0))
    g.add(Primitive("x", "add", 8, 0.2))
    g.connect("r", "x", 0, 0, min_registers=1)
    with pytest.raises(LegoError, match=r"mem_read r alone takes 2\.0 ns"):
        pipeline(g, 1.2 + OVERHEAD, DELAYS)
    pipeline(g, 2.0 + OVERHEAD, DELAYS)
