"""The cocotb driver's checks, before it touches a simulator: wrong tensor or dataflow names,
shapes, dtypes and value ranges are refused with a message that names the rule and the value."""

import asyncio
from pathlib import Path

import numpy as np
import pytest

from lego.cocotb import Accelerator
from lego.cocotb.words import from_words, to_words
from lego.frontend.cli import design_folder_files
from lego.frontend.passes import run_passes
from lego.outputs import write_design
from lego.spec import load_spec

SPEC = Path(__file__).resolve().parent.parent / "examples" / "specs" / "gemm_os_ws_fused_4x4.yaml"


@pytest.fixture(scope="module")
def acc(tmp_path_factory):
    files = design_folder_files(run_passes(load_spec(str(SPEC))), SPEC.read_text(), None)
    folder = write_design(tmp_path_factory.mktemp("d") / "fused", files)
    return Accelerator(None, folder)  # no simulator: every check runs before the first edge


def test_names_are_checked(acc):
    with pytest.raises(ValueError, match=r"has no dataflow 'is'; its dataflows are os, ws"):
        asyncio.run(acc.run("is"))
    with pytest.raises(ValueError, match=r"has no tensor 'D'; its tensors are A, B, C"):
        asyncio.run(acc.load("D", np.zeros((8, 8), np.int8)))
    with pytest.raises(ValueError, match=r"Tensor C is the output of gemm_os_ws_fused_4x4"):
        asyncio.run(acc.load("C", np.zeros((8, 8), np.int32)))


def test_arrays_are_checked(acc):
    with pytest.raises(ValueError, match=r"Tensor A has shape \[8, 8\], not \[8, 7\]"):
        asyncio.run(acc.load("A", np.zeros((8, 7), np.int8)))
    with pytest.raises(ValueError, match=r"Tensor B is int8 \(-128 \.\. 127\); it cannot hold 200"):
        asyncio.run(acc.load("B", np.full((8, 8), 200)))
    with pytest.raises(TypeError, match=r"Tensor A takes integers \(int8\), not an array of "
                                        r"float64"):
        asyncio.run(acc.load("A", np.zeros((8, 8))))
    with pytest.raises(ValueError, match=r"Load A, B before running os"):
        asyncio.run(acc.run("os"))
    with pytest.raises(ValueError, match=r"Run a dataflow before reading C"):
        asyncio.run(acc.read("C"))


def test_a_design_folder_without_a_report_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"report.json does not exist: generate the "
                                                r"design with `lego gen SPEC -o "):
        Accelerator(None, tmp_path)


def test_words_round_trip_every_dtype_edge():
    for bits, signed in ((4, True), (8, False), (32, True), (64, True), (64, False)):
        facts = {"name": "T", "shape": [4], "bits": bits, "signed": signed, "dtype": "t"}
        low, high = (-(1 << bits - 1), (1 << bits - 1) - 1) if signed else (0, (1 << bits) - 1)
        values = np.array([low, high, 0, 1], dtype=object)
        words = to_words(facts, values)
        assert all(0 <= w < 1 << bits for w in words)
        assert from_words(facts, words).tolist() == values.tolist()
