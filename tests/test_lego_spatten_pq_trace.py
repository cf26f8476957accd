"""Replaying a SpAtten summary trace: bytes by the engine's rounding rule, cycles from pq_timing."""

import pytest

from lego.errors import LegoError
from lego.spatten.pq_params import PqParams
from lego.spatten.pq_timing import pq_cycles
from lego.spatten.pq_trace import trace_costs

HEADER = ("iteration_id,layer_id,head_id,embedding_length_D,sentence_length_L,key_fetch_num,"
          "quant_key_bit,quant_query_bit,auto_requant_thres,if_requant,auto_requant_incre\n")


def test_costs_follow_the_recorded_decisions(tmp_path):
    trace = tmp_path / "t.csv"
    trace.write_text(HEADER + "0,0,0,64.0,10,10,6,16,0.05,True,4\n"
                     "0,0,1,64.0,10,7,6,16,0.05,False,4\n"
                     "0,0,2,64.0,10,7,-1,-1,-1,False,-1\n"
                     "configs/x.yml,,\n")
    costs = trace_costs(PqParams(), trace)
    assert (costs.requests, costs.refetches) == (2, 1)
    assert costs.bytes_msb_only == 10 * 64 * 6 // 8 + 7 * 64 * 6 // 8
    assert costs.bytes_progressive == costs.bytes_msb_only + 10 * 64 * 4 // 8
    assert costs.bytes_full == 17 * 64 * 10 // 8
    p = PqParams()
    assert costs.cycles == pq_cycles(p, 10, True) + pq_cycles(p, 7, False)
    assert costs.key_beats == (2 * 10 + 7) * 4


def test_missing_or_empty_trace_is_a_lego_error(tmp_path):
    with pytest.raises(LegoError, match=r"nope\.csv: cannot read trace: No such file"):
        trace_costs(PqParams(), tmp_path / "nope.csv")
    empty = tmp_path / "e.csv"
    empty.write_text(HEADER)
    with pytest.raises(LegoError, match=r"e\.csv: no quantized requests"):
        trace_costs(PqParams(), empty)
