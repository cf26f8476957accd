"""Shared fixtures: no test reads or writes the user's cache folders."""

import pytest


@pytest.fixture(autouse=True)
def _private_tile_cache(tmp_path_factory, monkeypatch):
    # sim.spec_layers keeps timed tiles on disk; each test starts from an empty folder of its
    # own (subprocesses inherit it through the environment)
    monkeypatch.setenv("LEGO_TILE_CACHE", str(tmp_path_factory.mktemp("tiles")))
