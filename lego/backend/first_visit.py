"""Where an output accumulated in memory is first written: there the datapath need not read
the word back (a bank that skips a read returns 0, rtl/bank.py), so the host never clears the
output before a run and the array does one read fewer per word.

A port writes element base + sum_t strides[t] * counter_t. The outer loops whose stride is zero
(reduction loops, outside any stationary block) revisit the element; when the other loops and
the ports reach every element at most once, an element's first visit is the step where each of
those loops is 0 (steps run in lexicographic order). This is checked by enumeration; a layout
where it fails (a word written by two ports, or met again along a loop that moves it) keeps the
host clearing the output."""

from __future__ import annotations

import math

import numpy as np

from lego.frontend.memory import TensorMemory

__all__ = ["LUT_RAM_WORDS", "first_visit_box"]

# the deepest bank read as LUT RAM (asynchronous read into a flip-flop that resets when the
# read is skipped); deeper banks may be block RAM, whose reads cannot return 0 for free
LUT_RAM_WORDS = 64
_ENUMERATION_LIMIT = 1 << 20


def first_visit_box(memory: TensorMemory, bounds: tuple[int, ...], held: tuple[int, ...],
                    depth: int) -> tuple[tuple[int, int, int], ...] | None:
    """The box (temporal index, 0, 1) per revisiting loop inside which a port's write is the
    word's first; None when the first visits are not exactly that box. ``held``: the temporal
    indices of a stationary block (the word stays in the FU over them)."""
    strides = [np.array(s, dtype=np.int64) for s in memory.coord_strides]
    moving = [i for i, s in enumerate(strides) if s.any()]
    revisiting = tuple(i for i, s in enumerate(strides)
                       if not s.any() and i not in held and bounds[i] > 1)
    ports = [p for p in memory.ports if not p.fallback]
    count = len(ports) * math.prod(bounds[i] for i in moving)
    if (depth > LUT_RAM_WORDS or not revisiting or len(ports) < len(memory.ports)
            or count > _ENUMERATION_LIMIT):
        return None
    grid = (np.indices([bounds[i] for i in moving]).reshape(len(moving), -1) if moving
            else np.zeros((0, 1), dtype=np.int64))
    offsets = sum((strides[i][:, None] * grid[k][None, :] for k, i in enumerate(moving)),
                  np.zeros((len(memory.ports[0].base), 1), dtype=np.int64))
    coords = np.concatenate([np.array(p.base, dtype=np.int64)[:, None] + offsets
                             for p in ports], axis=1)
    if np.unique(coords, axis=1).shape[1] != coords.shape[1]:
        return None
    return tuple((i, 0, 1) for i in revisiting)
