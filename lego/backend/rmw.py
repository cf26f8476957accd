"""Read-after-write distances of an output accumulated in memory: a step that reads a word back
must issue its read after an earlier step's write of that word has landed. For each (read port,
write port) pair of the output, the fewest steps between a write of a word and a later read of
it; the pipelining LP keeps ``stage(read) + distance > stage(write)`` (lego.backend.pipeline).
Word addresses per step do not depend on the stages, so this is known before the LP runs."""

from __future__ import annotations

import numpy as np

from lego.backend.design import Design
from lego.backend.step_values import StepValues

__all__ = ["read_after_write", "word_accesses"]

_BANKS = 1 << 20  # above any bank index: (bank, address) as one integer word


def word_accesses(values: StepValues, prim) -> tuple[np.ndarray, np.ndarray]:
    """(step, word) of every access of memory port ``prim`` in one dataflow, as two arrays; a
    word is (bank, address) as ``address * banks + bank`` (``banks`` above every bank index)."""
    hits = values.port_accesses(prim.name)
    steps = np.concatenate([s for _, s, _ in hits] + [np.zeros(0, dtype=np.int64)])
    address = np.concatenate([a for _, _, a in hits] + [np.zeros(0, dtype=np.int64)])
    banks = np.concatenate([np.full(len(s), b, dtype=np.int64) for b, s, _ in hits]
                           + [np.zeros(0, dtype=np.int64)])
    if len(banks) and banks.max() >= _BANKS:
        raise AssertionError(f"{prim.name}: bank {banks.max()} does not fit a word's bank field")
    return steps, address * _BANKS + banks


def read_after_write(design: Design) -> list[tuple[str, str, int]]:
    """(write port, read port, steps): the fewest steps from a write of an output word to a
    later read of the same word, over every dataflow; pairs that never meet are left out."""
    outputs = {t.name for t in design.tensors if t.role == "output"}
    ports = [p for p in design.graph.primitives()
             if p.kind in ("mem_read", "mem_write") and p.params.tensor in outputs]
    reads = [p for p in ports if p.kind == "mem_read"]
    writes = [p for p in ports if p.kind == "mem_write"]
    if not reads or not writes:
        return []
    nearest = np.full((len(writes), len(reads)), np.iinfo(np.int64).max)
    for flow in design.flows:
        values = StepValues(design, flow.index)
        accesses = [[word_accesses(values, p) for p in group] for group in (writes, reads)]
        w_step, w_word, w_port = _concatenated(accesses[0])
        r_step, r_word, r_port = _concatenated(accesses[1])
        # one sorted run of steps per (word, write port) pair, the pairs sorted by word
        pair_keys = w_word * len(writes) + w_port
        pairs = np.unique(pair_keys)  # and a search: unique's return_inverse is 3x slower
        pair_of = np.searchsorted(pairs, pair_keys)
        pair_word, pair_port = pairs // len(writes), pairs % len(writes)
        span = values.steps[0]
        keys = np.sort(pair_of.ravel() * span + w_step)
        # every (read, pair of its word), and the pair's latest write before the read
        first = np.searchsorted(pair_word, r_word, "left")
        count = np.searchsorted(pair_word, r_word, "right") - first
        read = np.repeat(np.arange(len(r_word)), count)
        pair = first[read] + np.arange(len(read)) - np.repeat(np.cumsum(count) - count, count)
        latest = np.searchsorted(keys, pair * span + r_step[read], "left") - 1
        met = (latest >= 0) & (keys[np.maximum(latest, 0)] >= pair * span)
        gap = r_step[read[met]] - (keys[latest[met]] - pair[met] * span)
        np.minimum.at(nearest, (pair_port[pair[met]], r_port[read[met]]), gap)
    return sorted((writes[w].name, reads[r].name, int(nearest[w, r]))
                  for w, r in zip(*np.nonzero(nearest < np.iinfo(np.int64).max), strict=True))


def _concatenated(accesses: list[tuple[np.ndarray, np.ndarray]]):
    """(step, word, port index) arrays of the accesses of several ports."""
    steps = np.concatenate([s for s, _ in accesses])
    words = np.concatenate([w for _, w in accesses])
    port = np.repeat(np.arange(len(accesses)), [len(s) for s, _ in accesses])
    return steps, words, port
