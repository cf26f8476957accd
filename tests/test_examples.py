"""Every example spec (examples/specs/*.yaml, globbed so new ones are picked up) passes
`lego check` and `lego golden --seed 1` through the real CLI entry point."""

from pathlib import Path

import pytest

from lego.cli import main

EXAMPLES = sorted((Path(__file__).parents[1] / "examples" / "specs").glob("*.yaml"))


def test_there_are_examples():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_checks(path, capsys):
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.startswith("spec ") and captured.out.endswith("\nok\n")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_golden(path, capsys):
    assert main(["golden", str(path), "--seed", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines and all(" checksum " in line for line in lines)
