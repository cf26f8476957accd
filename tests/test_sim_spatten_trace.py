"""Reading SpAtten summary traces: the model shape they imply, and one located error per
malformed row (file, line, column)."""

import random
import re

import pytest

from lego.errors import LegoError
from sim.spatten.trace import COLUMNS, read_trace
from tests.spatten_workloads import PER8, workload

HEADER = ",".join(COLUMNS) + "\n"
ROW = "{it},{layer},{head},64.0,{L},{keys},6,16,0.05,{rq},4,{values},6,True,False,{tk},{k}\n"


def row(it=0, layer=0, head=0, L=10, keys=10, values=2, rq="False", tk="False", k=-1):
    return ROW.format(it=it, layer=layer, head=head, L=L, keys=keys, values=values, rq=rq, tk=tk,
                      k=k)


def write(tmp_path, *rows, config=True):
    path = tmp_path / "t.csv"
    path.write_text(HEADER + "".join(rows) + ("configs/x.yml" + "," * 16 + "\n" if config
                                              else ""))
    return str(path)


def test_shape_is_inferred_and_the_config_row_skipped(tmp_path):
    trace = read_trace(write(tmp_path, row(), row(head=3), row(layer=1), row(it=1, L=11)))
    assert (trace.layers, trace.heads, trace.head_dim, trace.iterations) == (2, 4, 64, 2)
    assert len(trace.requests) == 4
    first = trace.requests[0]
    assert (first.line, first.keys, first.key_bits, first.lsb_bits, first.values) == (2, 10, 6,
                                                                                     0, 2)


def test_shape_can_be_overridden(tmp_path):
    trace = read_trace(write(tmp_path, row()), layers=12, heads=12, head_dim=128)
    assert (trace.layers, trace.heads, trace.head_dim) == (12, 12, 128)


def test_shipped_trace_shape():
    trace = read_trace(workload(PER8))
    assert (trace.layers, trace.heads, trace.head_dim, trace.iterations) == (12, 12, 64, 32)
    assert len(trace.requests) == 4608


@pytest.mark.parametrize("rows, line, column, what", [
    ([row(keys=11)], 2, "key_fetch_num", "11 keys exceed the sentence length L=10"),
    ([row(values=11)], 2, "value_fetch_num", "11 values exceed the 10 keys"),
    ([row(), row(L=12, head=1)], 3, "sentence_length_L", "L changes within iteration 0 \\(10 "
                                                         "on line 2\\)"),
    ([row(layer=-1)], 2, "layer_id", "must be >= 0, got -1"),
    ([row(), row()], 3, "head_id", "iteration 0 layer 0 head 0 appears twice"),
    ([row(layer=1), row(layer=0)], 3, "layer_id", "rows must be in iteration, then layer order"),
    ([row(rq="maybe")], 2, "if_requant", "expected True or False, got 'maybe'"),
    ([row(tk="True", k=11)], 2, "topk", "must be \\[1, 10\\], got 11"),
    ([row().replace("64.0", "64.5")], 2, "embedding_length_D", "expected an integer, got '64.5'"),
    ([row(), row(head=1).replace("64.0", "32.0")], 3, "embedding_length_D",
     "D=32 differs from D=64 on line 2"),
    ([row().replace(",6,16,", ",0,16,")], 2, "quant_key_bit", "bit width must be -1"),
    ([row()[:-4] + "\n"], 2, "topk", "expected 17 cells, got 16"),
    (["configs/x.yml" + "," * 16 + "\n", row()], 2, "iteration_id", "expected an integer"),
])
def test_malformed_rows_are_located(tmp_path, rows, line, column, what):
    path = write(tmp_path, *rows)
    with pytest.raises(LegoError, match=rf"^{re.escape(path)}:{line}: {column}: {what}"):
        read_trace(path)


@pytest.mark.parametrize("keyword, column", [("layers", "layer_id"), ("heads", "head_id")])
def test_ids_out_of_range_of_an_override(tmp_path, keyword, column):
    path = write(tmp_path, row(), row(layer=1, head=2))
    with pytest.raises(LegoError, match=rf"^{re.escape(path)}:3: {column}: id \d out of range"):
        read_trace(path, **{keyword: 1})


def test_bad_files(tmp_path):
    with pytest.raises(LegoError, match=r"^.*nope.csv: trace file not found$"):
        read_trace(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(LegoError, match=r"^.*bad.csv:1: header must be the 17 SpAtten"):
        read_trace(bad)
    with pytest.raises(LegoError, match=r"^.*t.csv: no requests in the trace$"):
        read_trace(write(tmp_path))


def test_mutated_rows_give_a_located_error_or_a_trace(tmp_path):
    """Any cell replaced by junk: either still a valid trace or one located LegoError."""
    rng = random.Random(12)
    junk = ["", "x", "-5", "-1", "0", "1e3", "nan", "inf", "True", "False", "99999", "64.0", "2.5"]
    base = [row(), row(head=1, rq="True"), row(layer=1, keys=5, values=1, tk="True", k=3)]
    for _ in range(300):
        rows = [r.rstrip("\n").split(",") for r in base]
        line = rng.randrange(len(rows))
        rows[line][rng.randrange(len(COLUMNS))] = rng.choice(junk)
        path = write(tmp_path, *(",".join(r) + "\n" for r in rows))
        try:
            read_trace(path)
        except LegoError as error:
            assert re.match(rf"{re.escape(path)}:\d+: [a-z_DL]+: ", str(error)), str(error)
