"""The shipped ECP5 delay table (lego/backend/delays_ecp5.json, fitted by
benchmarks/calibrate_delays.py) loads into a DelayModel, and its fit reproduces the probes it was
fitted to within the residuals it records."""

import json
import math

import pytest

from lego.backend.delay_table import (
    TABLE_PATH,
    DelayTable,
    ecp5_delays,
    load_table,
    node_features,
    path_delay,
)
from lego.backend.primitives import DelayModel

FIELDS = ("mul_ns_per_bit", "add_ns_per_bit", "add_base_ns", "mux_ns", "reg_overhead_ns",
          "wire_ns", "cmp_ns", "addr_ns")


@pytest.fixture(scope="module")
def table() -> DelayTable:
    return load_table()


def test_loads_into_a_delay_model_with_every_field_positive():
    model = ecp5_delays()
    assert isinstance(model, DelayModel)
    for name in FIELDS:
        assert getattr(model, name) > 0, name


def test_every_value_is_positive_and_documented(table):
    data = json.loads(TABLE_PATH.read_text())
    assert data["units"] == "ns"
    assert set(table.values) == set(data["values"])
    for name, value in table.values.items():
        assert value > 0, name
        assert data["values"][name]["meaning"], name
    assert table.measured_on and table.tools["yosys"] and table.tools["nextpnr-ecp5"]


def test_the_model_charges_what_the_table_says(table):
    model, v = table.model, table.values
    assert model.delay("mul", 32) == pytest.approx(v["mul_ns"], abs=1e-4)
    assert model.delay("add", 32) == pytest.approx(v["add_base_ns"] + 32 * v["add_ns_per_bit"])
    assert model.delay("mux", 8) == v["mux_ns"]
    assert model.reg_overhead_ns == v["reg_overhead_ns"]


def test_the_fit_reproduces_its_probes_within_the_recorded_residuals(table):
    assert len(table.residuals) >= 50
    for r in table.residuals:
        # recomputed from the values, not read back: the table and the model agree
        fitted = path_delay(table.values, r.nodes)
        assert fitted == pytest.approx(r.fitted_ns, abs=2e-3), r.probe
        assert abs(r.measured_ns - fitted) <= abs(r.residual_ns) + 2e-3, r.probe
    rms = math.sqrt(sum(r.residual_ns ** 2 for r in table.residuals) / len(table.residuals))
    assert rms == pytest.approx(table.rms_residual_ns, abs=2e-3)
    assert rms < 0.5


def test_each_kind_was_measured_by_some_probe(table):
    terms = {term for r in table.residuals for term, _ in r.nodes}
    assert {"mul", "add", "mux", "cmp", "addr", "port_mux", "fanout",
            "dram_read_setup", "dram_clk_to_out", "bram_clk_to_out"} <= terms


def test_unknown_terms_are_refused():
    with pytest.raises(ValueError, match=r"Delay term must be one of .*, not 'adder'"):
        node_features("adder", 8)


def test_a_table_in_other_units_is_refused(tmp_path):
    data = json.loads(TABLE_PATH.read_text())
    data["units"] = "ps"
    bad = tmp_path / "delays.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match=r"must be in ns, not 'ps'"):
        load_table(bad)


def test_calibration_bank_probes_build_todays_bank():
    """benchmarks/calibrate_delays.py builds its RAM probes from lego's own Bank: they must
    follow its ports (they drove a ``busy`` input Bank no longer has, and the script could not
    run). One probe of each RAM kind and the read -> multiply -> add check."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import calibrate_delays

    wanted = {"dram_16x8_a0_d0_w0", "bram_512x32_a0_d0_w0", "check_dram_mux_mul8_add32"}
    built = {p.name: p.verilog() for p in calibrate_delays.probes() if p.name in wanted}
    assert set(built) == wanted
    assert all("module" in text for text in built.values())


def test_a_distributed_read_in_an_array_pays_the_route_per_side(table):
    """The read register sits by the FU it feeds: a distributed-RAM read's setup grows with the
    array's side (the smallest square holding its FUs); block RAM and the clock-to-out do not."""
    model, per_side = table.model, table.values["dram_array_read_ns_per_side"]
    alone = model.memory("read_setup", 16)
    assert model.read(16, 1) == (alone, model.memory("clk_to_out", 16))
    assert model.read(16, 16)[0] == pytest.approx(alone + 3 * per_side)
    assert model.read(16, 64)[0] == pytest.approx(alone + 7 * per_side)
    assert model.read(16, 60)[0] == model.read(16, 64)[0]  # 60 FUs: an 8 x 8 square
    assert model.read(16, 64)[1] == model.memory("clk_to_out", 16)
    deep = model.distributed_max_words + 1
    assert model.read(deep, 64) == (model.memory("read_setup", deep),
                                    model.memory("clk_to_out", deep))


def test_a_dsp_product_in_an_array_pays_the_route_per_fu(table):
    """The route from a DSP's product into its adder grows with the array's FUs (fitted to
    whole arrays); the probe's constant is what a model without that term charges."""
    model, per_fu = table.model, table.values["dsp_array_product_ns_per_fu"]
    lone = table.values["dsp_clk_to_out_ns"]
    assert model.product_out(1) == lone
    assert model.product_out(16) == pytest.approx(lone + 15 * per_fu)
    assert model.product_out(64) == pytest.approx(lone + 63 * per_fu)
    assert DelayModel(dsp_array_clk_to_out_ns=3.0).product_out(64) == 3.0
    most = int(table.values["dsp_array_product_max_fus"])  # not extrapolated beyond the fit
    assert model.product_out(4 * most) == model.product_out(most) > model.product_out(most - 1)
    adder = model.reg_overhead_ns + model.delay("add", 32)
    period = adder + model.product_out(64)
    assert model.fabric_product(32, period - 0.01, 64)
    assert not model.fabric_product(32, period + 0.01, 64)
    assert not model.fabric_product(32, None, 64)


def test_a_read_modify_write_in_an_array_pays_the_route_per_side(table):
    """Only a read-modify-write's write pays the route across the array (the sum of the bank's
    old word and an FU's); a plain write, block RAM and a lone FU do not."""
    model, per_side = table.model, table.values["dram_array_write_ns_per_side"]
    alone = model.memory("write_setup", 16)
    assert model.write(16, 64, True) == pytest.approx(alone + 7 * per_side)
    assert model.write(16, 16, True) == pytest.approx(alone + 3 * per_side)
    assert model.write(16, 64, False) == model.write(16, 1, True) == alone
    deep = model.distributed_max_words + 1
    assert model.write(deep, 64, True) == model.memory("write_setup", deep)


def test_the_array_terms_reproduce_the_arrays_they_were_fitted_to(table):
    """Every whole-array measurement of the fit section: its path recomputed from the table is
    its recorded fit, and each term is the least-squares one over the rows that use it (the
    residuals weighted by its argument sum to 0: the normal equation); no row pays two."""
    arrays = json.loads(TABLE_PATH.read_text())["fit"]["arrays"]
    terms = ("dram_array_read", "dram_array_write", "dsp_array_product")
    weighted = dict.fromkeys(terms, 0.0)
    for r in arrays:
        nodes = [tuple(n) for n in r["nodes"]]
        assert path_delay(table.values, nodes) == pytest.approx(r["fitted_ns"], abs=2e-3)
        assert r["measured_ns"] - r["fitted_ns"] == pytest.approx(r["residual_ns"], abs=2e-3)
        assert ("dram_array_read", nodes[-1][1]) not in nodes or ("dram_read_setup", 1) in nodes
        assert len([t for t, _ in nodes if t in weighted]) == 1
        for term, arg in nodes:
            if term in weighted:
                weighted[term] += arg * r["residual_ns"]
    used = {t: sum(a for r in arrays for n, a in r["nodes"] if n == t) for t in terms}
    assert all(used.values()), used
    for term in terms:  # each term's weighted residual, against the rounding of its value
        assert abs(weighted[term]) < 0.01 * used[term], term


def test_the_product_forms_report_names_the_form_the_rows_follow():
    """calibrate_delays' comparison of the product term per FU and per side: rows whose extra
    grows exactly per FU fit that form with no residual, and the other with some."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import calibrate_delays

    rows = [{"nodes": [["add", 32], ["dsp_array_product", n - 1]], "rest_ns": 4.0,
             "measured_ns": 4.0 + 0.05 * (n - 1)} for n in (16, 64, 64)]
    rows.append({"nodes": [["dram_array_write", 7]], "rest_ns": 1.0, "measured_ns": 9.0})
    line = calibrate_delays.product_forms(rows)
    assert line.startswith("product term over its 3 placements: per FU 0.0500 ns (rms 0.00 ns)")
    assert "per side" in line and "(rms 0.00 ns)" not in line.split("per side")[1]
