"""The DRAM ladder of the per8 GPT-2 trace, step by step, pinned (issue 12)."""

import pytest

from sim.spatten.ladder import STEPS, ladder
from sim.spatten.trace import read_trace
from tests.spatten_workloads import PER8, workload
from tests.test_sim_spatten_trace import row, write


def test_per8_ladder_against_a_12_bit_dense_baseline():
    steps = ladder(read_trace(workload(PER8)), 12)
    assert [s["step"] for s in steps] == list(STEPS)
    assert [s["bytes"] for s in steps] == [892_256_256, 246_369_024, 246_369_024, 147_681_792,
                                           73_840_896, 82_428_256]
    assert [round(s["reduction"], 2) for s in steps] == [1.0, 3.62, 1.0, 1.67, 2.0, 0.9]
    assert round(steps[-1]["total_reduction"], 2) == 10.82


@pytest.mark.parametrize("bits, reduction", [(8, 7.22), (32, 28.87)])
def test_per8_reduction_against_other_dense_widths(bits, reduction):
    steps = ladder(read_trace(workload(PER8)), bits)
    assert steps[-1]["bytes"] == 82_428_256
    assert round(steps[-1]["total_reduction"], 2) == reduction


def test_head_pruning_and_unquantized_elements(tmp_path):
    # 2 heads in the model; layer 1 keeps one head of 4 keys; -1 bits fetch at the dense width
    trace = read_trace(write(tmp_path, row(keys=6, values=3), row(head=1, keys=6, values=3),
                             row(layer=1, keys=4, values=4).replace(",6,16,", ",-1,16,")))
    d = 64
    bits = [2 * 2 * 10 * d * 8 + 2 * 2 * 10 * d * 8, 2 * 2 * 6 * d * 8 + 2 * 2 * 4 * d * 8,
            2 * 2 * 6 * d * 8 + 2 * 4 * d * 8, 2 * 9 * d * 8 + 8 * d * 8,
            2 * (6 + 3) * d * 6 + 4 * d * 8 + 4 * d * 6, None]
    bits[-1] = bits[-2]
    assert [s["bytes"] for s in ladder(trace, 8)] == [b // 8 for b in bits]
