"""lego verify's stimuli (no simulator): per seed and dataflow the inputs and the golden output,
as values in each dtype's full range (the driver turns them into host words)."""

from pathlib import Path

import numpy as np
import pytest

from lego.cocotb.words import to_words
from lego.spec import parse_spec
from lego.verify import cases

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"


def _spec(a: str, b: str, c: str):
    return parse_spec({
        "name": "wide", "loops": {"i": 4, "j": 4, "k": 4},
        "statement": "C[i, j] += A[i, k] * B[k, j]",
        "dtypes": {"A": a, "B": b, "C": c},
        "dataflows": [{"name": "os", "spatial": {"p": 4, "q": 4}, "temporal": {"tk": 4},
                       "map": {"i": "p", "j": "q", "k": "tk"}}]})


def _facts(name: str, bits: int, signed: bool) -> dict:
    return {"name": name, "shape": [4, 4], "bits": bits, "signed": signed,
            "dtype": f"{'' if signed else 'u'}int{bits}"}


def test_one_case_per_seed_and_dataflow_with_the_golden_output():
    spec = _spec("int8", "int8", "int32")
    out = cases(spec, 2)
    assert [(c["seed"], c["dataflow"]) for c in out] == [(0, "os"), (1, "os")]
    assert out[0]["inputs"] != out[1]["inputs"]
    a, b = out[0]["inputs"]["A"], out[0]["inputs"]["B"]
    assert out[0]["expected"][1][2] == sum(a[1][k] * b[k][2] for k in range(4))


def test_64_bit_values_become_words_that_use_every_bit():
    spec = _spec("uint64", "int64", "int64")
    (case,) = cases(spec, 1)
    a = to_words(_facts("A", 64, False), np.array(case["inputs"]["A"], dtype=object))
    b = to_words(_facts("B", 64, True), np.array(case["inputs"]["B"], dtype=object))
    c = to_words(_facts("C", 64, True), np.array(case["expected"], dtype=object))
    assert all(0 <= w < 1 << 64 for w in a + b + c)
    assert any(w >= 1 << 63 for w in a)  # the top bit is used
    assert any(w >= 1 << 63 for w in c)  # negative int64 results, as 64-bit words


def test_narrow_signed_values_become_twos_complement_words():
    spec = _spec("int4", "int4", "int8")
    (case,) = cases(spec, 1)
    words = to_words(_facts("A", 4, True), np.array(case["inputs"]["A"]))
    assert all(0 <= w < 16 for w in words) and max(words) >= 8


def test_waves_without_the_lz4_headers_is_one_clear_error(monkeypatch, tmp_path):
    import lego.toolchain
    from lego.errors import LegoError
    from lego.verify import verify

    monkeypatch.setattr(lego.toolchain, "fst_supported", lambda: False)
    with pytest.raises(LegoError, match=r"^--waves: Verilator writes FST with LZ4, whose C "
                                        r"headers are missing \(Debian: apt-get install "
                                        r"liblz4-dev\)$"):
        verify(str(SPECS / "mttkrp_4x4.yaml"), waves=True, out=str(tmp_path / "d"))
    assert not (tmp_path / "d").exists()  # refused before anything is written
