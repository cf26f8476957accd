"""The output's memory write, and an output accumulated in memory that starts at zero by itself.

An output accumulated in memory (read, added to and written back: WS's C over its tk passes) used
to need the host to write zeros to every word before each run, and its banks a host-write mux
(a LUT per data bit) for that. Instead, the read-modify-write adds the old word only where it is
not the word's first write of the run: ``sum + (first ? 0 : old)``, the gate being the RAM read
register's synchronous reset (``MemoryPort.zeroes``: the flip-flops' LSR pins, as a hand
designer gates it; off the adder's data path), so the output starts at zero in the hardware, as
the golden model's does, whatever the banks held (an earlier run, another dataflow's output).

``first`` is "every loop a revisit of the output moves along is at 0" (the ADG's revisit
vectors). That is the first write of each word whenever the word fixes the other loops and the
FU; :func:`first_writes_exact` checks it on every write of every dataflow, and where it does not
hold (no example; an affine output whose revisits mix loops could) ``lower`` builds the design
again without gates and the host clears the output as before."""

from __future__ import annotations

import numpy as np

from lego.backend.design import Design
from lego.backend.rmw import word_accesses
from lego.backend.semantics import MemoryPort, ReadTerm, Sum, WriteEnable
from lego.backend.step_values import StepValues
from lego.frontend.adg import mem_id

__all__ = ["first_write_gate", "first_writes_exact", "write"]


def write(lowering, fu: str, flow: str, output) -> None:
    """``fu``'s write of ``output`` in ``flow`` (when it has one), through a read-modify-write
    when the output is accumulated in memory."""
    edge = lowering.adg.edge(fu, mem_id(output.name), output.name)
    if edge is None or edge.use(flow) is None:
        return
    flags = lowering.flags(flow, output.name)
    data = lowering.chain(fu, flow, output)
    last = lowering.temporal_index(flow, flags.invariant_to)
    index = lowering.flow(flow).index
    enable = lowering.pred(flow, "write", last, WriteEnable(index, last))
    address = lowering.address(fu, output.name, flow)
    if flags.accumulate_in_memory:
        # the old value is needed exactly when the new one is written
        bounds = lowering.flow(flow).bounds
        written = ReadTerm(index, tuple((i, bounds[i] - 1) for i in last), ())
        first = None
        if lowering.zero_start:
            first = lowering.first_step(flow, first_pass_loops(
                lowering.flow(flow).names, flags.revisits, flags.invariant_to))
        old = lowering.mem_read(fu, output.name, [flow], f"rmw.{flow}", (written,), zero=first)
        data = lowering.node(f"rmw.{fu}.{flow}", "add", output.bits, Sum(),
                             [(data, 0), (old, 0)], unit=fu)
    lowering.node(f"wr.{fu}.{flow}", "mem_write", output.bits,
                  MemoryPort(output.name, lowering.banks(output.name, [flow], fu)),
                  [(enable, 0), (address, 0), (data, 0)])


def first_pass_loops(names: tuple[str, ...], revisits, held=()) -> tuple[str, ...]:
    """The temporal loops (outermost first) some revisit vector of the output moves along,
    but not the ``held`` ones (the inner loops an FU accumulates over: it writes only at
    their last step)."""
    return tuple(n for i, n in enumerate(names)
                 if n not in held and any(dt[i] for dt in revisits))


def first_write_gate(design: Design, write_port: str) -> tuple[str, str] | None:
    """(read, first) of a write whose read-modify-write reads the old word through a zeroing
    read port, else None."""
    graph = design.graph
    data = graph.primitive(graph.inputs(write_port)[2].src)
    if data.kind != "add" or len(graph.inputs(data.name)) != 2:
        return None
    old = graph.primitive(graph.inputs(data.name)[1].src)
    if old.kind != "mem_read" or not old.params.zeroes:
        return None
    return old.name, graph.inputs(old.name)[2].src


def first_writes_exact(design: Design) -> bool:
    """Whether every gated write's ``first`` is 1 exactly at the first write of its word in
    each dataflow's run (over the writes of every FU)."""
    writes = [p.name for p in design.graph.primitives() if p.kind == "mem_write"]
    gated = {w: g for w in writes if (g := first_write_gate(design, w)) is not None}
    if not gated:
        return True
    for flow in design.flows:
        values = StepValues(design, flow.index)
        steps, words, firsts, checked = [], [], [], []
        for name in writes:
            at, word = word_accesses(values, design.graph.primitive(name))
            steps.append(at)
            words.append(word)
            checked.append(np.full(len(at), name in gated))
            firsts.append(np.broadcast_to(values.net(gated[name][1]), values.steps)[at]
                          if name in gated else np.zeros(len(at), dtype=bool))
        step, word, first, check = (np.concatenate(x) for x in (steps, words, firsts, checked))
        if not len(step):  # this dataflow writes nothing
            continue
        order = np.lexsort((step, word))  # by word, then step
        is_first = np.empty(len(order), dtype=bool)
        is_first[order] = np.concatenate([[True], word[order][1:] != word[order][:-1]])
        if np.any(check & (first != is_first)):
            return False
    return True
