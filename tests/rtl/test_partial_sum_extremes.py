"""Partial sums computed narrower than the output word (lego.backend.partial_sums) hold the
largest and the most negative sums: inputs at their dtype's extremes, on Verilator."""

from pathlib import Path

import numpy as np
import pytest

import lego.verify
from lego.backend.partial_sums import partial_sum_bits
from lego.frontend.passes import run_passes
from lego.spec import load_spec

pytestmark = pytest.mark.rtl

SPEC = Path(__file__).resolve().parent.parent.parent / "examples" / "specs" / \
    "gemm_os_ws_fused_4x4.yaml"


def _extremes(spec, seed):
    """Seed 0: every input at its least value (int8: -128 x -128 = 16384 per product, the
    largest sum); seed 1: the first at its least, the others at their greatest (the most
    negative)."""
    out = {}
    for i, tensor in enumerate(spec.inputs):
        value = tensor.dtype.min if seed == 0 or i == 0 else tensor.dtype.max
        out[tensor.name] = np.full(tensor.shape, value, dtype=np.int64)
    return out


def test_the_extreme_sums_fit_the_narrow_partial_sums(tmp_path, monkeypatch):
    # OS accumulates 8 products: 8 x 16384 = 2**17 needs all of the 19 bits
    assert partial_sum_bits(run_passes(load_spec(SPEC)).adg) == 19
    monkeypatch.setattr(lego.verify, "random_inputs", _extremes)
    summary = lego.verify.verify(str(SPEC), seeds=2, out=str(tmp_path / "design"),
                                 build_dir=tmp_path / "build")
    assert summary["first_mismatch"] is None and summary["passed"]
