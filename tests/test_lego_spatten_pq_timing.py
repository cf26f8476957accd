"""lego.spatten.pq_timing: the cycle model equals the engine's cycle count in Amaranth's simulator
(the cocotb test checks the same against Verilator), with and without a re-fetch."""

from dataclasses import replace

import pytest

from lego.errors import LegoError
from lego.spatten.pq_model import run_pq
from lego.spatten.pq_timing import pass_cycles, pq_cycles, softmax_cycles
from tests.test_lego_spatten_pq import TINY, random_requests, simulate


@pytest.mark.parametrize("params", [TINY, replace(TINY, exp_units=3)])
def test_cycle_model_equals_the_rtl_in_amaranth_sim(params):
    requests = random_requests(params, 11, 10)
    measured = [got[5] for got in simulate(params, requests)]
    modelled = [pq_cycles(params, len(msb), run_pq(params, q, msb, lsb).refetched)
                for q, msb, lsb in requests]
    assert measured == modelled
    assert len({run_pq(params, *r).refetched for r in requests}) == 2


def test_cycle_model_terms():
    # L * D/lanes key beats + L exp + P + 1 divider steps; OUT L; DONE 1.
    assert pass_cycles(TINY, 5) == 5 * 2 + 5 + TINY.prob_bits + 1
    assert pq_cycles(TINY, 5, False) == pass_cycles(TINY, 5) + 5 + 1
    assert pq_cycles(TINY, 5, True) == 2 * pass_cycles(TINY, 5) + 5 + 1
    assert pass_cycles(replace(TINY, exp_units=3), 5) == 5 * 2 + 2 + TINY.prob_bits + 1


@pytest.mark.parametrize("length", [0, TINY.max_len + 1])
def test_bad_length_is_a_lego_error(length):
    with pytest.raises(LegoError, match=rf"^pq: length must be in \[1, 16\], not {length}$"):
        pq_cycles(TINY, length, False)


@pytest.mark.parametrize("refetched", [False, True])
def test_softmax_cycles_are_the_engine_cycles_without_its_key_beats(refetched):
    for params in (TINY, replace(TINY, exp_units=3)):
        for length in (1, 5, params.max_len):
            beats = (2 if refetched else 1) * length * params.beats_per_key
            assert softmax_cycles(params, length, refetched) + beats == \
                pq_cycles(params, length, refetched)
