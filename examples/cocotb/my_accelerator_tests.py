"""My cocotb tests of lego-generated accelerators: my own tensors, loaded, run and read back
through lego's driver, checked against numpy. test_my_accelerator.py builds the design and
points LEGO_DESIGN at its folder (rtl_out/NAME)."""

import os

import cocotb
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lego.cocotb import Accelerator


@cocotb.test()
async def fused_gemm_both_dataflows(dut):
    """C = A @ B on the 8x8x8 GEMM array that switches between output- and weight-stationary."""
    acc = Accelerator(dut, os.environ["LEGO_DESIGN"])
    # int8 corner cases: both extremes, a sign change in every row, a zero column in B
    A = np.arange(64, dtype=np.int64).reshape(8, 8) - 32
    A[0, 0], A[7, 7] = -128, 127
    B = np.triu(np.full((8, 8), 127, dtype=np.int64)) - np.eye(8, dtype=np.int64) * 255
    B[:, 3] = 0
    await acc.load("A", A)
    await acc.load("B", B)
    for dataflow in ("os", "ws"):
        cycles = await acc.run(dataflow)
        C = await acc.read("C")
        np.testing.assert_array_equal(C, A @ B)
        assert cycles == acc.expected_cycles(dataflow)  # as interface.md states
        dut._log.info("%s: C = A @ B in %d cycles", dataflow, cycles)


@cocotb.test()
async def conv2d_edge_filters(dut):
    """O[k, y, x] = sum I[c, y + r, x + s] * W[k, c, r, s]: four 3x3 edge filters on a 2-channel
    6x6 image with a bright square in channel 0 and a ramp in channel 1."""
    acc = Accelerator(dut, os.environ["LEGO_DESIGN"])
    image = np.zeros((2, 6, 6), dtype=np.int64)
    image[0, 1:4, 2:5] = 100
    image[1] = np.arange(6) * 20 - 50
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    kernels = np.stack([sobel_x, sobel_x.T, -sobel_x, np.ones((3, 3), dtype=np.int64)])
    weights = np.stack([kernels, kernels[::-1]], axis=1)  # W[k, c, r, s]
    await acc.load("I", image)
    await acc.load("W", weights)
    cycles = await acc.run("os")
    output = await acc.read("O")
    windows = sliding_window_view(image, (3, 3), axis=(1, 2))  # [c, y, x, r, s]
    np.testing.assert_array_equal(output, np.einsum("cyxrs,kcrs->kyx", windows, weights))
    assert output.any()
    dut._log.info("conv2d: %d cycles", cycles)
