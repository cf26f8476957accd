"""The shape rules of the code base (DEVELOPERS.md, the typed-core issue): small files and
functions, and one direction of dependency (sim depends on lego's core; lego's core never on
sim; sim pulls in no Amaranth)."""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = sorted(p for package in ("lego", "sim") for p in (ROOT / package).rglob("*.py"))
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
# the command layer may run the simulator: the CLI, and ``lego verify``, whose whole job is to
# check that the RTL agrees with sim/ (and the golden model); nothing below them may
CLI_MODULES = {"lego/cli.py", "lego/verify_cli.py", "lego/verify.py", "lego/spatten/sim_cli.py"}
# ``lego sweep`` runs the simulator as its cheapest stage: the whole package is command layer
CLI_PACKAGES = ("lego/sweep/",)


def _relative(path: pathlib.Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_file_and_functions_are_small(path):
    text = path.read_text()
    assert len(text.splitlines()) <= MAX_FILE_LINES
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == []


def test_lego_core_does_not_import_sim():
    offenders = [f"{_relative(p)}: {name}" for p in SOURCES
                 if _relative(p).startswith("lego/") and _relative(p) not in CLI_MODULES
                 and not _relative(p).startswith(CLI_PACKAGES)
                 for name in _imports(ast.parse(p.read_text()))
                 if name == "sim" or name.startswith("sim.")]
    assert offenders == []


def test_sim_loads_no_amaranth():
    modules = [_relative(p)[:-3].replace("/", ".").removesuffix(".__init__")
               for p in SOURCES if _relative(p).startswith("sim/")]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'amaranth'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
