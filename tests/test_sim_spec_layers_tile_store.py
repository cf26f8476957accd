"""The on-disk cache of timed tiles: a second process lowers nothing, the key follows the tile,
the period and the code, bad entries are timed again, and concurrent writers never leave a
partial entry."""

import multiprocessing
import os
from pathlib import Path

from lego.spec import load_spec
from sim.spec_layers import TileTimer, analyse, simulate_network, tile_store
from sim.workload.layer import conv, gemm

SPEC = "examples/specs/gemm_os_ws_fused_4x4.yaml"
LAYERS = [gemm("a", 16, 12, 40), conv("c", 10, 10, 4, 8, 3, 3)]
SRAM = {"A": 1024, "B": 1024, "C": 4096}


def _run(folder, period=None):
    timer = TileTimer(analyse(load_spec(SPEC)), period, cache=folder)
    return simulate_network(SPEC, LAYERS, sram=SRAM, timer=timer), timer


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.json"))


def test_a_second_timer_reads_every_tile_from_disk(tmp_path):
    first, cold = _run(tmp_path)
    assert cold.lowered_shapes == len(_entries(tmp_path)) >= 3
    assert cold.read_from_disk == 0
    again, warm = _run(tmp_path)
    assert (warm.lowered_shapes, warm.read_from_disk) == (0, cold.lowered_shapes)
    assert again.layers == first.layers
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_the_key_follows_period_and_code(tmp_path, monkeypatch):
    _, cold = _run(tmp_path)
    _, slower = _run(tmp_path, period=20)  # another period: other designs
    assert slower.lowered_shapes == cold.lowered_shapes
    assert _run(tmp_path, period=20.0)[1].lowered_shapes == 0  # 20 and 20.0 are one period
    monkeypatch.setattr(tile_store, "_code_sha256", lambda: "changed generator")
    assert _run(tmp_path)[1].lowered_shapes == cold.lowered_shapes


def test_bad_entries_are_timed_again_and_rewritten(tmp_path):
    first, cold = _run(tmp_path)
    entries = _entries(tmp_path)
    entries[0].write_text(entries[0].read_text()[:40])  # cut short
    entries[1].write_text(entries[2].read_text())  # another key's entry
    again, timer = _run(tmp_path)
    assert (timer.lowered_shapes, timer.read_from_disk) == (2, cold.lowered_shapes - 2)
    assert again.layers == first.layers
    assert _run(tmp_path)[1].lowered_shapes == 0


def test_off_and_unwritable_folders_leave_the_run_alone(tmp_path, monkeypatch):
    monkeypatch.setenv(tile_store.ENV, "off")
    assert tile_store.default_folder() is None
    assert TileTimer(analyse(load_spec(SPEC))).cache is None
    first, timer = _run(None)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    second, unwritable = _run(blocker / "tiles")
    assert unwritable.lowered_shapes == timer.lowered_shapes and second.layers == first.layers
    assert blocker.read_text() == "not a folder"


def test_default_folder(monkeypatch, tmp_path):
    monkeypatch.delenv(tile_store.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert tile_store.default_folder() == tmp_path / "lego" / "tiles"
    monkeypatch.setenv(tile_store.ENV, str(tmp_path / "mine"))
    assert tile_store.default_folder() == tmp_path / "mine"


def _write_many(folder, key, runs, memories, times):
    for _ in range(times):
        assert tile_store.write_entry(Path(folder), key, runs, memories)


def test_concurrent_writers_never_expose_a_partial_entry(tmp_path):
    timer = TileTimer(analyse(load_spec(SPEC)), cache=None)
    spec = load_spec(SPEC)
    runs = timer.runs(dict(spec.loops))
    memories = timer.capacity().geometry
    key = tile_store.tile_key(timer.template.tile_spec(dict(spec.loops)), None)
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_many, args=(tmp_path, key, runs, memories, 300))
               for _ in range(2)]
    for writer in writers:
        writer.start()
    seen = 0
    while any(w.is_alive() for w in writers):
        entry = tile_store.read_entry(tmp_path, key)
        if entry is not None:  # before the first rename there is none
            assert entry == (runs, memories)
            seen += 1
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert seen > 0 and tile_store.read_entry(tmp_path, key) == (runs, memories)
    assert os.listdir(tmp_path) == [f"{key}.json"]
