"""The ``lego`` command line: one parser per command, loaded lazily."""

import subprocess
import sys
from pathlib import Path

import pytest

from lego.cli import _COMMANDS, main

DATA = Path(__file__).resolve().parent / "data" / "scalesim"


def test_every_command_is_listed_in_the_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert all(f"    {name}" in out for name in _COMMANDS)


def test_an_unknown_command_names_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["nosuch"])
    assert exit_.value.code == 2
    assert "invalid choice: 'nosuch'" in capsys.readouterr().err


@pytest.mark.parametrize("form", [
    ["scalesim", "--config", str(DATA / "configs" / "os_8x8.cfg"),
     "--topology", str(DATA / "topologies" / "resnet18_five.csv")],
    # the old form, which adds a note on stderr
    ["--scalesim-config", str(DATA / "configs" / "os_8x8.cfg"),
     "--scalesim-topology", str(DATA / "topologies" / "resnet18_five.csv")],
], ids=["scalesim", "old-form"])
def test_a_scalesim_run_imports_no_generator_and_no_numpy(form):
    # start-up is most of a SCALE-Sim compatible run (benchmarks/scalesim_speed.py): the
    # simulator must not pay for the generators' imports
    probe = ("import sys; from lego.cli import main; "
             f"code = main(['sim', *{form!r}, '--json']); "
             "heavy = sorted(m for m in ('amaranth', 'networkx', 'numpy', 'scipy', 'yaml') "
             "if m in sys.modules); "
             "print(code, heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stderr.splitlines()[-1] == "0 []"
