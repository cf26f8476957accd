"""``lego sim``: one sub-command per simulator (``design``, ``layer``, ``scalesim``) and the old
forms, which keep their output and add one note. ``layer`` and ``scalesim`` have their own
tests (tests/test_sim_workload_cli.py, tests/test_sim_scalesim_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lego.cli import main

SPEC = str(Path(__file__).resolve().parent.parent / "examples" / "specs" / "gemm_os_4x4.yaml")
NOTE = 'lego: note: "lego sim SPEC" is now "lego sim design SPEC"\n'


def test_help_lists_the_three_modes(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sim", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {mode} " in out for mode in ("design", "layer", "scalesim"))


def test_no_mode_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["sim"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err == ("lego: error: sim: the following arguments are required: "
                                       "MODE (see lego sim --help)\n")


def test_design_json(capsys):
    assert main(["sim", "design", SPEC, "--dataflow", "os", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["dataflow"] == "os" and row["cycles"] == row["steps"] + row["drain"] + 1


@pytest.mark.parametrize("options", [["--json"], []])
def test_old_form_prints_one_note_and_the_same_output(capsys, options):
    assert main(["sim", "design", SPEC, *options]) == 0
    new = capsys.readouterr()
    assert main(["sim", SPEC, *options]) == 0
    old = capsys.readouterr()
    assert (old.out, new.err, old.err) == (new.out, "", NOTE)


@pytest.mark.parametrize("argv,message", [
    (["design"], "the following arguments are required: SPEC"),
    (["design", SPEC, "--array", "8x8"], "unrecognized arguments: --array 8x8"),
    # --layer/--layers belong to design since issue 15 (a network on the design); the workload
    # mode's array and word size do not
    (["design", SPEC, "--word-bytes", "2"], "unrecognized arguments: --word-bytes 2"),
    (["design", SPEC, "--period", "fast"], "argument --period: invalid float value: 'fast'"),
])
def test_usage_errors_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(["sim", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["design", SPEC, "--dataflow", "zz"],
     f"{SPEC}: --dataflow 'zz' is not a dataflow of the spec (os)"),
    ([SPEC, "--dataflow", "zz"], f"{SPEC}: --dataflow 'zz' is not a dataflow of the spec (os)"),
    ([SPEC, "--layer", "gemm:M=4,N=4,K=4"], "lego sim SPEC simulates a generated design; it "
     "takes no --scalesim-*/--layer/--layers options"),
    (["--period", "2"], "--period needs a SPEC"),
])
def test_bad_input_is_one_error_line_without_a_note(capsys, argv, message):
    assert main(["sim", *argv]) == 2
    assert capsys.readouterr().err == f"lego: error: {message}\n"
