"""Running a synthesis tool: its log, and one error line naming the tool and the log."""

import pytest

from lego.synth import tools
from lego.synth.tools import Tool, ToolError, first_error, run_tool

# a stand-in for a YoWASP package: prints like Yosys and fails on request
FAKE = '''
import sys
def run(argv):
    print("1. Executing Verilog-2005 frontend: bad.v")
    if argv == ["fail"]:
        print("bad.v:2: ERROR: syntax error, unexpected ';'")
        return 1
    return 0
'''


@pytest.fixture
def fake_tool(tmp_path, monkeypatch):
    (tmp_path / "fakeyosys.py").write_text(FAKE)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    monkeypatch.setattr(tools, "ensure_compiled", lambda package, wasm, runner: None)
    # a distribution that is installed, so that version() answers
    return Tool("fakeyosys", "pytest", "fakeyosys", "fake.wasm", "run")


def test_a_tool_run_keeps_its_output_in_a_log(fake_tool, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    time = run_tool(fake_tool, ["ok"], work)
    assert time.wall >= 0 and time.cpu > 0  # a Python process starting takes CPU time
    assert "Executing Verilog-2005" in (work / "fakeyosys.log").read_text()


def test_a_failing_tool_is_one_line_with_its_error_and_log(fake_tool, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(ToolError) as error:
        run_tool(fake_tool, ["fail"], work)
    assert str(error.value) == (f"fakeyosys failed (exit 1): bad.v:2: ERROR: syntax error, "
                                f"unexpected ';'; log: {work / 'fakeyosys.log'}")


def test_a_missing_tool_package_says_how_to_install_it():
    with pytest.raises(Exception, match=r"^no-such-dist is not installed: pip install "
                                        r"no-such-dist$"):
        Tool("x", "no-such-dist", "x", "x.wasm", "run").version()


@pytest.mark.parametrize("log, line", [
    ("Info: placing\nERROR: Max frequency 73 MHz (FAIL at 100 MHz)\n0 warnings, 1 error\n",
     "ERROR: Max frequency 73 MHz (FAIL at 100 MHz)"),
    ("Preparing to run\nwasmtime trap: out of bounds memory access\n",
     "wasmtime trap: out of bounds memory access"),
    ("", "no output"),
])
def test_the_first_error_line_of_a_log(log, line):
    assert first_error(log) == line
