"""interface.md and report.json's ``interface``: derived from the design, byte-identical across
runs, and saying what the RTL and the cocotb driver do (ports as in the Verilog, layout tables as
the ADG banks and the driver writes, run cycles as sim/ counts)."""

import json
import re
from pathlib import Path

import numpy as np
import pytest

from lego.backend.generate import design_files, generate
from lego.backend.layout import placement
from lego.cocotb import Accelerator
from lego.frontend.passes import run_passes
from lego.outputs import write_design
from lego.spec import load_spec
from sim.design import simulate_spec

SPECS = Path(__file__).resolve().parent.parent / "examples" / "specs"
KINDS = ["gemm_os_ws_fused_4x4", "conv2d_os_4x4", "mttkrp_4x4"]


def _files(name: str) -> tuple[object, dict[str, str]]:
    path = SPECS / f"{name}.yaml"
    adg = run_passes(load_spec(str(path))).adg
    return adg, design_files(adg, generate(adg), path.read_text())


@pytest.fixture(scope="module", params=KINDS)
def design(request, tmp_path_factory):
    adg, files = _files(request.param)
    folder = write_design(tmp_path_factory.mktemp("d") / request.param, files)
    return request.param, adg, files, folder


def _layout_tables(text: str) -> dict[tuple[str, str], list[tuple[tuple[int, ...], int, int]]]:
    """(tensor, dataflow) -> [(coord, bank, address)] parsed from interface.md's Layout."""
    tables, tensor, flows = {}, None, []
    for line in text[text.index("## Layout"):].splitlines():
        if line.startswith("### "):
            tensor = line[4:].split(":")[0]
        elif line.startswith("Dataflow "):
            flows = line[len("Dataflow "):].rstrip(":").split(", ")
        elif match := re.fullmatch(r"\| (\w+)\[([\d, ]+)\] \| (\d+) \| (\d+) \|", line):
            coord = tuple(int(x) for x in match[2].split(","))
            for flow in flows:
                tables.setdefault((tensor, flow), []).append(
                    (coord, int(match[3]), int(match[4])))
    return tables


def test_interface_md_is_byte_identical_across_runs():
    first = _files("gemm_os_ws_fused_4x4")[1]
    second = _files("gemm_os_ws_fused_4x4")[1]
    assert first["interface.md"] == second["interface.md"]
    assert json.loads(first["report.json"])["interface"] == \
        json.loads(second["report.json"])["interface"]


def test_ports_are_the_verilog_tops_ports(design):
    name, _, files, _ = design
    verilog = files[f"{name}.v"]
    body = verilog[verilog.index(f"module {name}("):verilog.index("endmodule")]
    declared = {m[2]: (m[0] + "put", int(m[1]) + 1 if m[1] else 1) for m in re.findall(
        r"^\s*(in|out)put (?:reg )?(?:\[(\d+):0\] )?(\w+);", body, re.M)}
    rows = re.findall(r"^\| `(\w+)` \| (input|output) \| (\d+) \|", files["interface.md"], re.M)
    assert {port: (direction, int(width)) for port, direction, width in rows} == declared


def test_layout_tables_match_the_adg_and_the_driver(design):
    _, adg, files, folder = design
    tables = _layout_tables((folder / "interface.md").read_text())
    driver = Accelerator(None, folder)
    assert {t for t, _ in tables} == set(driver.tensors)
    assert {f for _, f in tables} == set(driver.dataflows)
    for (tensor, flow), rows in tables.items():
        banks, addresses = placement(adg, flow, tensor)
        assert len(rows) == min(8, banks.size)
        places = driver.placement(tensor, flow)
        for n, (coord, bank, address) in enumerate(rows):
            assert coord == np.unravel_index(n, banks.shape)  # the first elements, row-major
            assert (bank, address) == (banks[coord], addresses[coord]) == places[n]


def test_stated_run_cycles_are_the_simulators(design):
    name, _, files, _ = design
    facts = json.loads(files["report.json"])["interface"]
    assert {f["name"]: f["cycles"] for f in facts["dataflows"]} == {
        r.dataflow: r.cycles for r in simulate_spec(str(SPECS / f"{name}.yaml"))}
    for flow in facts["dataflows"]:
        spec_loops = load_spec(SPECS / f"{name}.yaml").loops  # in spec order, as the doc
        assert flow["loops"] == dict(spec_loops)
        loops = ", ".join(f"{n} < {b}" for n, b in spec_loops)
        assert re.search(rf"^\| {flow['name']} \| {flow['select']} \| {loops} \| "
                         rf"{flow['steps']} \| {flow['cycles']} \|$", files["interface.md"], re.M)


def _formulas(text: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(tensor, dataflow) -> (bank, address) expressions from interface.md's Layout."""
    out, tensor = {}, None
    pattern = r"Dataflow ([\w, ]+):\n\n```\nbank    = (.+)\naddress = (.+)\n```"
    for section in text[text.index("## Layout"):].split("\n### ")[1:]:
        tensor = section.split(":")[0]
        for flows, bank, address in re.findall(pattern, section):
            out.update({(tensor, flow): (bank, address) for flow in flows.split(", ")})
    return out


def test_layout_formulas_place_every_element_as_the_adg(design):
    _, adg, files, _ = design
    formulas = _formulas(files["interface.md"])
    assert len(formulas) == len(adg.tensors) * len(adg.flows)
    for (tensor, flow), (bank, address) in formulas.items():
        banks, addresses = placement(adg, flow, tensor)
        for coord in np.ndindex(*banks.shape):
            x = {f"x{d}": v for d, v in enumerate(coord)}
            assert eval(bank.replace(" mod ", " % "), {}, x) == banks[coord]
            assert eval(address.replace(" mod ", " % "), {}, x) == addresses[coord]
