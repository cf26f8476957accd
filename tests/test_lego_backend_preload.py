"""A stationary operand preloaded down a chain of FUs (lego.backend.preload): the front end's
chain and its one port per chain, the bubbles and their cycles, the predicates and the
address the first FU reads in the bubbles, and the fused array's B muxes that go away. (The
example gemm_os_ws_preload_4x4 verifies on Verilator in tests/rtl/test_verify_examples.py;
tests/rtl/test_preload.py verifies preloads at a tight clock.)"""

from pathlib import Path

import numpy as np

from lego.backend.passes import run_backend
from lego.backend.semantics import BubbleRead, PreloadAddress, PreloadLoad, ReadEnable
from lego.backend.step_values import StepValues
from lego.frontend.passes import run_passes
from lego.spec import load_spec
from sim.design import simulate_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
PRELOAD = SPECS / "gemm_os_ws_preload_4x4.yaml"
FUSED = SPECS / "gemm_os_ws_fused_4x4.yaml"


def _adg(path):
    return run_passes(load_spec(path)).adg


def test_the_chain_runs_down_p_and_only_row_0_reads_b():
    adg = _adg(PRELOAD)
    chain = sorted((e.src, e.dst) for e in adg.edges if e.tensor == "B"
                   and e.use("ws") is not None and e.use("ws").kind == "preload")
    assert chain == sorted((f"fu_{p}_{q}", f"fu_{p + 1}_{q}") for p in range(3)
                           for q in range(4))
    memory = adg.memory("ws", "B")
    assert sorted(p.fu for p in memory.ports) == [0, 1, 2, 3]  # row 0
    # B[k][j] in a column's bank, k outermost: the next FU's element is 2 words on
    assert (memory.bank_dims, memory.bank_shape, memory.preload_stride) == ((1, 4), (8, 2), 2)
    assert adg.flow("ws").bubbles == (3, 2)  # 3 before each sweep of ti, tile (tk, tj)
    assert adg.flow("os").bubbles == (0, 0)


def test_fused_b_needs_no_dataflow_mux_once_ws_shares_os_chain():
    def b_muxes(path):
        return sum(m.tensor == "B" for m in _adg(path).muxes)
    assert (b_muxes(FUSED), b_muxes(PRELOAD)) == (12, 0)


def test_the_rows_load_while_enough_bubbles_are_left_and_row_0_reads_them():
    design = run_backend(_adg(PRELOAD), None, stop_after="lower").design
    loads = {p.params.row for p in design.graph.primitives()
             if isinstance(p.params, PreloadLoad)}
    assert loads == {1, 2, 3}  # row 0 holds in its RAM's read register
    reads = [p for p in design.graph.primitives()
             if p.kind == "mem_read" and p.params.tensor == "B"]
    assert len(reads) == 4
    graph = design.graph
    for read in reads:
        address, enable = (c.src for c in graph.inputs(read.name)[:2])
        # OS's and WS's addresses through the port's dataflow mux: WS's takes the bubbles
        ws = [graph.primitive(c.src).params for c in graph.inputs(address)
              if graph.primitive(c.src).params.flow == 1]
        assert len(ws) == 1 and isinstance(ws[0], PreloadAddress) and ws[0].pre_stride == 2
        enable = graph.primitive(enable).params
        assert isinstance(enable, ReadEnable)
        assert any(isinstance(t, BubbleRead) for t in enable.terms)
    # at each tile: left = 3, 2, 1 then the first step; row 0 reads elements 3, 2, 1, 0
    values = StepValues(design, 1)
    assert values.left[:5].tolist() == [3, 2, 1, 0, 0]
    read = reads[0]
    enabled = np.broadcast_to(values.net(design.graph.inputs(read.name)[1].src), values.steps)
    assert enabled[:12].tolist() == [True] * 4 + [False] * 7 + [True]  # next tile


def test_a_ws_run_takes_its_bubbles_and_the_same_reads():
    plain = {r.dataflow: r for r in simulate_spec(str(FUSED))}
    preload = {r.dataflow: r for r in simulate_spec(str(PRELOAD))}
    assert preload["os"].cycles == plain["os"].cycles
    ws, ws_preload = plain["ws"], preload["ws"]
    assert ws_preload.steps == ws.steps == 32
    assert ws_preload.cycles == 1 + 32 + 3 * 4 + ws_preload.drain
    reads = {a.tensor: sum(a.reads) for a in ws_preload.sram}
    assert reads["B"] == {a.tensor: sum(a.reads) for a in ws.sram}["B"] == 64
    assert len({a.tensor: a.reads for a in ws_preload.sram}["B"]) == 4  # banks


def test_the_spec_and_its_layer_tiles_keep_the_preload():
    from sim.spec_layers.template import analyse

    spec = load_spec(PRELOAD)
    assert spec.to_dict()["dataflows"][1]["preload"] == {"B": "p"}
    assert "preload" not in spec.to_dict()["dataflows"][0]
    tile = analyse(spec).tile_spec({"i": 8, "j": 8, "k": 8})
    assert tile["dataflows"][1]["preload"] == {"B": "p"}


def test_interface_states_the_bubbles_and_counts_them_in_the_run(tmp_path):
    from lego.cli import main

    assert main(["gen", str(PRELOAD), "-o", str(tmp_path / "d")]) == 0
    doc = (tmp_path / "d" / "interface.md").read_text()
    assert ("Before each of its 4 tiles it issues 3 bubbles, steps that compute nothing while "
            "B is preloaded down the FU chain along `p`: 44 issued steps, each a cycle.") in doc
    assert "issue43" in doc and "step31" in doc  # WS's diagram counts issues, OS's steps


def test_a_fuzz_recipe_preloads_the_first_input_the_spec_accepts():
    from dataclasses import replace

    from lego.fuzz.recipe import spec_dict
    from lego.fuzz.run import draw
    from lego.spec import parse_spec

    recipes = [replace(r, preload=True) for r in draw(12, 1000)]
    specs = [spec_dict(r) for r in recipes]
    preloaded = [s for s in specs if any("preload" in f for f in s["dataflows"])]
    assert preloaded
    for spec in preloaded:
        parse_spec(spec)  # accepted as written


FIFO_SPEC = """name: fifo_preload
loops: {k: 3, c: 1, y: 2, x: 2, r: 2, s: 1}
statement: O[k, y, x] += I[c, 2*y + 2*r, 2*x + 2*s] * W[k, c, r, s]
dtypes: {I: int8, W: int8, O: int32}
dataflows:
- name: d0
  spatial: {p: 3, q: 2}
  temporal: {tr: 2, ts: 1, tc: 1, tx: 2}
  map: {k: p, c: tc, y: q, x: tx, r: tr, s: ts}
  preload: {W: p}
"""


def test_a_preload_in_a_dataflow_with_a_fifo_is_one_line_and_writes_nothing(tmp_path, capsys):
    # benchmarks/fuzz.py --seed 2000 --preload, spec 15: it crashed in the back end
    from lego.cli import main

    spec = tmp_path / "fifo.yaml"
    spec.write_text(FIFO_SPEC)
    assert main(["gen", str(spec), "-o", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"lego: error: {spec}: dataflows[0].preload.W: dataflow 'd0' passes I through a FIFO, "
        "which the bubbles a preload takes would deliver early; preload in a dataflow "
        "without delay edges\n")
    assert not (tmp_path / "out").exists()
