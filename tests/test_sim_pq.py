"""sim.pq: the cycle model equals the engine's cycle count in Amaranth's simulator (the cocotb
test checks the same against Verilator), with and without a re-fetch."""

import pytest

from lego.errors import LegoError
from lego.spatten.pq_model import run_pq
from sim.pq import pass_cycles, pq_cycles
from tests.test_lego_spatten_pq import TINY, random_requests, simulate


def test_cycle_model_equals_the_rtl_in_amaranth_sim():
    requests = random_requests(TINY, 11, 10)
    measured = [got[5] for got in simulate(TINY, requests)]
    modelled = [pq_cycles(TINY, len(msb), run_pq(TINY, q, msb, lsb).refetched)
                for q, msb, lsb in requests]
    assert measured == modelled
    assert len({run_pq(TINY, *r).refetched for r in requests}) == 2


def test_cycle_model_terms():
    # L * D/lanes key beats + L exp + P + 1 divider steps; OUT L; DONE 1.
    assert pass_cycles(TINY, 5) == 5 * 2 + 5 + TINY.prob_bits + 1
    assert pq_cycles(TINY, 5, False) == pass_cycles(TINY, 5) + 5 + 1
    assert pq_cycles(TINY, 5, True) == 2 * pass_cycles(TINY, 5) + 5 + 1


@pytest.mark.parametrize("length", [0, TINY.max_len + 1])
def test_bad_length_is_a_lego_error(length):
    with pytest.raises(LegoError, match=rf"^pq: length must be in \[1, 16\], not {length}$"):
        pq_cycles(TINY, length, False)
