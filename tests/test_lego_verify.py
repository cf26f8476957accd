"""lego verify's stimuli (no simulator): host words are the tensors' low bits, non-negative."""

from lego.frontend.passes import run_passes
from lego.spec import parse_spec
from lego.verify import cases


def _spec(a: str, b: str, c: str):
    return parse_spec({
        "name": "wide", "loops": {"i": 4, "j": 4, "k": 4},
        "statement": "C[i, j] += A[i, k] * B[k, j]",
        "dtypes": {"A": a, "B": b, "C": c},
        "dataflows": [{"name": "os", "spatial": {"p": 4, "q": 4}, "temporal": {"tk": 4},
                       "map": {"i": "p", "j": "q", "k": "tk"}}]})


def test_words_are_the_low_bits_of_every_value():
    spec = _spec("uint64", "int64", "int64")
    (case,) = cases(spec, run_passes(spec).adg, 1)
    words = [w for *_, w in case["writes"]] + [r[3] for r in case["reads"]]
    assert all(0 <= w < 1 << 64 for w in words)
    assert any(w >= 1 << 63 for w in words)  # the top bit is used
    expected = [r[3] for r in case["reads"]]
    assert any(w >= 1 << 63 for w in expected)  # negative int64 results, as 64-bit words


def test_narrow_signed_values_become_twos_complement_words():
    spec = _spec("int4", "int4", "int8")
    (case,) = cases(spec, run_passes(spec).adg, 1)
    a_words = [w for t, *_, w in case["writes"] if t == 0]
    assert all(0 <= w < 16 for w in a_words) and max(a_words) >= 8
