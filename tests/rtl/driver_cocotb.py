"""cocotb side of test_lego_cocotb_kinds.py: the driver, unchanged for every kind of design,
loads inputs, runs every dataflow, reads back outputs and inputs, against the golden model."""

import os

import cocotb
import numpy as np

from lego.cocotb import Accelerator
from lego.golden import evaluate, random_inputs
from lego.spec import load_spec


@cocotb.test()
async def every_dataflow_matches_golden(dut):
    spec = load_spec(os.environ["LEGO_SPEC"])
    acc = Accelerator(dut, os.environ["LEGO_DESIGN"])
    inputs = random_inputs(spec, 7)  # full dtype range: both signs, the extremes likely
    for name, values in inputs.items():
        await acc.load(name, values)
    expected = evaluate(spec, inputs)
    assert expected.any()
    for flow in spec.dataflows:
        cycles = await acc.run(flow.name)
        np.testing.assert_array_equal(await acc.read(spec.output.name), expected)
        assert cycles == acc.expected_cycles(flow.name)
        for name, values in inputs.items():  # in the layout of the dataflow that ran
            np.testing.assert_array_equal(await acc.read(name), values)
