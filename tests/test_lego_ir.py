"""The affine IR (lego/ir.py): exact matrices for the example specs, and integer dtypes."""

from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lego import load_spec
from lego.ir import DType, parse_dtype

SPECS = Path(__file__).parents[1] / "examples" / "specs"


def assert_affine(tensor, A, b, shape):  # noqa: N803 - the paper's names
    assert tensor.A.tolist() == A
    assert tensor.b.tolist() == b
    assert tensor.shape == tuple(shape)
    assert tensor.A.dtype == np.int64


def test_gemm_matrices():
    spec = load_spec(SPECS / "gemm_os_4x4.yaml")
    assert spec.loop_names == ("i", "j", "k") and spec.loop_bounds == (8, 8, 8)
    assert [t.name for t in spec.tensors] == ["A", "B", "C"]
    assert_affine(spec.tensor("A"), [[1, 0, 0], [0, 0, 1]], [0, 0], [8, 8])
    assert_affine(spec.tensor("B"), [[0, 0, 1], [0, 1, 0]], [0, 0], [8, 8])
    assert_affine(spec.tensor("C"), [[1, 0, 0], [0, 1, 0]], [0, 0], [8, 8])
    (flow,) = spec.dataflows
    assert flow.temporal_names + flow.spatial_names == ("ti", "tj", "tk", "p", "q")
    assert flow.M.tolist() == [[4, 0, 0, 1, 0], [0, 4, 0, 0, 1], [0, 0, 1, 0, 0]]
    assert flow.c.tolist() == [0, 0, 0]
    assert flow.Mt.tolist() == [[4, 0, 0], [0, 4, 0], [0, 0, 1]]
    assert flow.Ms.tolist() == [[1, 0], [0, 1], [0, 0]]
    assert (flow.num_fus, flow.num_steps, flow.array_shape) == (16, 32, (4, 4))


def test_gemm_weight_stationary_matrices():
    flow = load_spec(SPECS / "gemm_os_ws_fused_4x4.yaml").dataflow("ws")
    assert flow.temporal_names + flow.spatial_names == ("tk", "tj", "ti", "p", "q")
    assert flow.M.tolist() == [[0, 0, 1, 0, 0], [0, 4, 0, 0, 1], [4, 0, 0, 1, 0]]
    assert flow.expressions == ("ti", "4*tj + q", "4*tk + p")


def test_conv2d_stride2_matrices():
    spec = load_spec(SPECS / "conv2d_stride2_4x4.yaml")
    assert spec.loop_names == ("k", "c", "y", "x", "r", "s")
    #                                k  c  y  x  r  s
    assert_affine(spec.tensor("I"), [[0, 1, 0, 0, 0, 0],
                                     [0, 0, 2, 0, 1, 0],
                                     [0, 0, 0, 2, 0, 1]], [0, 0, 0], [2, 9, 9])
    assert_affine(spec.tensor("W"), [[1, 0, 0, 0, 0, 0],
                                     [0, 1, 0, 0, 0, 0],
                                     [0, 0, 0, 0, 1, 0],
                                     [0, 0, 0, 0, 0, 1]], [0, 0, 0, 0], [2, 2, 3, 3])
    assert_affine(spec.tensor("O"), [[1, 0, 0, 0, 0, 0],
                                     [0, 0, 1, 0, 0, 0],
                                     [0, 0, 0, 1, 0, 0]], [0, 0, 0], [2, 4, 4])


def test_conv2d_dataflow_matrix():
    (flow,) = load_spec(SPECS / "conv2d_os_4x4.yaml").dataflows
    #                    tk tc tr ts  p  q
    assert flow.M.tolist() == [[1, 0, 0, 0, 0, 0],   # k = tk
                               [0, 1, 0, 0, 0, 0],   # c = tc
                               [0, 0, 0, 0, 1, 0],   # y = p
                               [0, 0, 0, 0, 0, 1],   # x = q
                               [0, 0, 1, 0, 0, 0],   # r = tr
                               [0, 0, 0, 1, 0, 0]]   # s = ts
    assert flow.c.tolist() == [0] * 6


def test_mttkrp_matrices():
    spec = load_spec(SPECS / "mttkrp_4x4.yaml")
    assert [(t.name, t.role) for t in spec.tensors] == [
        ("A", "input"), ("B", "input"), ("C", "input"), ("D", "output")]
    assert_affine(spec.tensor("A"), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], [0, 0, 0],
                  [4, 4, 4])
    assert_affine(spec.tensor("B"), [[0, 0, 1, 0], [0, 1, 0, 0]], [0, 0], [4, 4])
    assert_affine(spec.tensor("C"), [[0, 0, 0, 1], [0, 1, 0, 0]], [0, 0], [4, 4])
    assert_affine(spec.tensor("D"), [[1, 0, 0, 0], [0, 1, 0, 0]], [0, 0], [4, 4])
    (flow,) = spec.dataflows
    assert flow.M.tolist() == [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]


def test_offsets_and_negative_coefficients():
    from lego import parse_spec
    spec = parse_spec({
        "name": "shifted", "loops": {"i": 4, "j": 3},
        "statement": "C[i + 2, 3 - j] += A[2*i - j + 2] * B[0]",
        "dtypes": {"A": "int8", "B": "int8", "C": "int16"},
        "dataflows": [{"name": "d", "spatial": {"p": 4}, "temporal": {"t": 3},
                       "map": {"i": "3 - p", "j": "t"}}]})
    assert_affine(spec.tensor("C"), [[1, 0], [0, -1]], [2, 3], [6, 4])
    assert_affine(spec.tensor("A"), [[2, -1]], [2], [9])
    assert_affine(spec.tensor("B"), [[0, 0]], [0], [1])
    assert spec.dataflows[0].M.tolist() == [[0, -1], [1, 0]]
    assert spec.dataflows[0].c.tolist() == [3, 0]


def test_ir_values_are_frozen_hashable_and_read_only():
    spec = load_spec(SPECS / "gemm_os_4x4.yaml")
    assert spec == load_spec(SPECS / "gemm_os_4x4.yaml")
    assert hash(spec) == hash(load_spec(SPECS / "gemm_os_4x4.yaml"))
    with pytest.raises(FrozenInstanceError):
        spec.name = "other"
    with pytest.raises(ValueError, match="read-only"):
        spec.tensor("A").A[0, 0] = 5
    with pytest.raises(ValueError, match="read-only"):
        spec.dataflows[0].M[0, 0] = 5
    with pytest.raises(KeyError):
        spec.tensor("Z")
    with pytest.raises(KeyError):
        spec.dataflow("nope")


@pytest.mark.parametrize("text, bits, signed", [
    ("int8", 8, True), ("int2", 2, True), ("int64", 64, True), ("uint1", 1, False),
    ("uint64", 64, False), ("int32", 32, True), ("uint12", 12, False)])
def test_parse_dtype(text, bits, signed):
    dtype = parse_dtype(text)
    assert dtype == DType(bits, signed)
    assert dtype.name == text


@pytest.mark.parametrize("text", ["int1", "int0", "uint0", "int65", "uint65", "int08", "Int8",
                                  "int", "float32", "int8 ", "i8", "bf16", ""])
def test_parse_dtype_rejects(text):
    assert parse_dtype(text) is None


def test_dtype_ranges():
    assert (DType(8, True).min, DType(8, True).max) == (-128, 127)
    assert (DType(8, False).min, DType(8, False).max) == (0, 255)
    assert (DType(1, False).min, DType(1, False).max) == (0, 1)
    assert (DType(64, True).min, DType(64, True).max) == (-(1 << 63), (1 << 63) - 1)
    assert DType(64, False).max == (1 << 64) - 1


def python_wrap(value: int, bits: int, signed: bool) -> int:
    value %= 1 << bits
    return value - (1 << bits) if signed and value >= 1 << (bits - 1) else value


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.integers(1, 64), st.booleans(),
       st.lists(st.integers(-(1 << 63), (1 << 63) - 1), min_size=1, max_size=8))
def test_dtype_wrap_matches_python_ints(bits, signed, values):
    if signed and bits == 1:
        bits = 2  # int1 does not exist
    dtype = DType(bits, signed)
    wrapped = dtype.wrap(np.array(values, dtype=np.int64))
    assert [int(v) for v in wrapped] == [python_wrap(v, bits, signed) for v in values]
    assert all(dtype.min <= int(v) <= dtype.max for v in wrapped)


@pytest.mark.parametrize("bits", [2, 31, 32, 33, 62, 63, 64])
def test_dtype_wrap_every_width_near_the_limits(bits):
    values = [0, 1, -1, (1 << 62) + 12345, -(1 << 63), (1 << 63) - 1, 1 << (bits - 1)
              if bits < 64 else 7]
    for signed in (True, False):
        wrapped = DType(bits, signed).wrap(np.array(values, dtype=np.int64))
        assert [int(v) for v in wrapped] == [python_wrap(v, bits, signed) for v in values]


def test_dtype_wrap_edges():
    assert DType(16, True).wrap(np.array([32767, 32768, -32769, 65536])).tolist() == [
        32767, -32768, 32767, 0]
    assert DType(8, False).wrap(np.array([-1, 256, 255])).tolist() == [255, 0, 255]
    assert DType(64, False).wrap(np.array([-1])).tolist() == [(1 << 64) - 1]
