"""Where the shipped SpAtten traces are: shared/reference/spatten_workloads/ next to the
repository (or next to a folder above it, for a git worktree); tests skip when it is absent."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
_CANDIDATES = [base / "shared" / "reference" / "spatten_workloads"
               for base in (ROOT.parent, *ROOT.parent.parents)]
WORKLOADS = next((p for p in _CANDIDATES if p.is_dir()), None)
PER8 = "summary-gpt2-small-wikitext2-per8.csv"
DENSE = "summary-gpt2-small-wikitext2-per8-step1+dedic.csv"


def workload(name: str) -> str:
    """The path of a shipped trace, or skip the test."""
    if WORKLOADS is None or not (WORKLOADS / name).is_file():
        pytest.skip(f"shared/reference/spatten_workloads/{name} not found above {ROOT}")
    return str(WORKLOADS / name)
