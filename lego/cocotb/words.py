"""Tensor values <-> host-port words, checked against the design's interface facts (no
simulator needed, so the checks are testable on their own)."""

from __future__ import annotations

import numpy as np

__all__ = ["value_range", "to_words", "from_words"]


def value_range(tensor: dict) -> tuple[int, int]:
    """The smallest and largest value the tensor's dtype holds."""
    bits = tensor["bits"]
    if tensor["signed"]:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def _python_ints(array: np.ndarray) -> bool:
    """An object array of Python integers (how values beyond int64, e.g. uint64 ones from a
    list, arrive)."""
    return array.dtype.kind == "O" and all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in array.ravel())


def to_words(tensor: dict, values) -> list[int]:
    """The words to write for ``values`` (the tensor's shape, integers in its dtype's range),
    in row-major element order: each value's low ``bits`` bits."""
    name, shape = tensor["name"], tuple(tensor["shape"])
    array = np.asarray(values)
    if array.dtype.kind not in "iu" and not _python_ints(array):
        raise TypeError(f"Tensor {name} takes integers ({tensor['dtype']}), not an array of "
                        f"{array.dtype}")
    if array.shape != shape:
        raise ValueError(f"Tensor {name} has shape {list(shape)}, not {list(array.shape)}")
    low, high = value_range(tensor)
    if array.size and not (int(array.min()) >= low and int(array.max()) <= high):
        bad = next(int(v) for v in array.ravel() if not low <= int(v) <= high)
        raise ValueError(f"Tensor {name} is {tensor['dtype']} ({low} .. {high}); it cannot "
                         f"hold {bad}")
    mask = (1 << tensor["bits"]) - 1
    return [int(v) & mask for v in array.ravel()]


def from_words(tensor: dict, words: list[int]) -> np.ndarray:
    """The values of the words read back (row-major), in the tensor's shape: int64, or uint64
    for a uint64 tensor."""
    bits = tensor["bits"]
    if tensor["signed"]:
        values = [w - (1 << bits) if w >> (bits - 1) else w for w in words]
    else:
        values = list(words)
    dtype = np.uint64 if bits == 64 and not tensor["signed"] else np.int64
    return np.array(values, dtype=dtype).reshape(tuple(tensor["shape"]))
