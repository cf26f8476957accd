"""cocotb bench of ``lego verify``, the same for every generated accelerator: per case, load the
inputs, run one dataflow and read the output back through the user-facing driver
(:class:`lego.cocotb.Accelerator`), counting cycles from start to done and every datapath SRAM
access (each memory port enable, sampled in every cycle of the run).

Cases (:func:`lego.verify.cases`), the design folder and the enable signals to watch
(:func:`lego.backend.rtl.netlist.access_probes`) come from the JSON file in LEGO_STIMULI,
written by :func:`lego.verify.verify`; results go to LEGO_RESULTS for the Python side to check.
This module runs inside the simulator (imported by cocotb), never in the ``lego`` process."""

import json
import os
from collections import Counter

import cocotb
import numpy as np

from lego.cocotb import Accelerator
from lego.verify_trace import WriteTrace


def _sample(probes, tally: Counter) -> None:
    """Add this cycle's enabled memory ports (each is one access at the next clock edge)."""
    for key, handle in probes:
        if handle.value == 1:
            tally[key] += 1


def _first_mismatch(case, got: np.ndarray) -> dict | None:
    expected = case["expected"]
    for coord in np.ndindex(*got.shape):
        want = expected
        for i in coord:
            want = want[i]
        if want is not None and int(got[coord]) != want:  # None: not computed by this run
            return {"tensor": case["tensor"], "coord": list(coord), "got": int(got[coord]),
                    "expected": want}
    return None


async def _run(acc: Accelerator, case, probes, trace: WriteTrace):
    for name, values in case["inputs"].items():
        await acc.load(name, np.array(values, dtype=object))
    tally: Counter = Counter()
    trace.clear()

    def each_cycle(cycle):
        # sampled from the cycle start is high in, when the datapath must not touch memory yet
        _sample(probes, tally)
        trace.sample(cycle)  # the independent record of the output writes

    cycles = await acc.run(case["dataflow"], each_cycle)
    got = await acc.read(case["tensor"])
    return {"seed": case["seed"], "dataflow": case["dataflow"], "cycles": cycles,
            "accesses": [[kind, tensor, bank, count]
                         for (kind, tensor, bank), count in sorted(tally.items())],
            "mismatch": _first_mismatch(case, got), **trace.result()}


@cocotb.test()
async def every_case(dut):
    with open(os.environ["LEGO_STIMULI"]) as handle:
        stimuli = json.load(handle)
    acc = Accelerator(dut, stimuli["design"])
    probes = [((kind, tensor, bank), getattr(dut, name))
              for kind, tensor, bank, name in stimuli["probes"]]
    trace = WriteTrace(dut, stimuli["write_ports"])
    await acc.reset()
    results = [await _run(acc, case, probes, trace) for case in stimuli["cases"]]
    with open(os.environ["LEGO_RESULTS"], "w") as handle:
        json.dump(results, handle)
    bad = [r for r in results if r["mismatch"]]
    assert not bad, f"{len(bad)} runs differ, first {bad[0]}"
