"""The numpy golden model: the oracle for values of every RTL and simulator test.

``evaluate`` computes ``out[f_out(I)] += prod_T in_T[f_T(I)]`` over the whole iteration domain
with explicit affine gathers and an unbuffered scatter-add. Products and sums are formed in
int64, whose wrap-around is arithmetic mod 2**64, then reduced to the output dtype: the result
equals hardware that multiplies and accumulates modulo 2**bits of the output (two's
complement), for any output width up to 64. The output starts at zero."""

from __future__ import annotations

import hashlib
import math

import numpy as np

from lego.ir import Spec, Tensor

__all__ = ["random_inputs", "evaluate", "checksum", "tensor_coordinates", "written"]

_CHUNK = 1 << 20  # iteration points per vectorised step, bounds memory on big loop nests


def random_inputs(spec: Spec, seed: int) -> dict[str, np.ndarray]:
    """Uniform random values over each input's full dtype range, reproducible from ``seed``:
    int64 arrays, except uint64 inputs, drawn as uint64 over [0, 2**64) (``evaluate`` reads
    them as int64 bit patterns, exact modulo 2**64)."""
    rng = np.random.default_rng(seed)
    out = {}
    for tensor in spec.inputs:
        dtype = tensor.dtype
        if dtype.bits == 64 and not dtype.signed:
            values = rng.integers(0, 1 << 64, size=tensor.shape, dtype=np.uint64)
        else:
            values = rng.integers(dtype.min, dtype.max, size=tensor.shape, dtype=np.int64,
                                  endpoint=True)
        out[tensor.name] = values
    return out


def tensor_coordinates(tensor: Tensor, points: np.ndarray) -> tuple[np.ndarray, ...]:
    """Coordinates ``A_T I + b_T`` for iteration points given as columns of ``points``."""
    coords = tensor.A @ points + tensor.b[:, None]
    return tuple(coords)


def evaluate(spec: Spec, inputs: dict[str, np.ndarray],
             bounds: tuple[int, ...] | None = None) -> np.ndarray:
    """The output tensor for ``inputs`` (name -> int array of the tensor's shape), over the
    loop box ``bounds`` (default the spec's loops; a dataflow's own, ``spec.flow_bounds``)."""
    for tensor in spec.inputs:
        array = np.asarray(inputs[tensor.name])
        if array.shape != tensor.shape:
            raise ValueError(f"input {tensor.name} has shape {array.shape}, "
                             f"expected {tensor.shape}")
    out_tensor = spec.output
    acc = np.zeros(out_tensor.shape, dtype=np.int64)
    flat = acc.reshape(-1)
    bounds = spec.loop_bounds if bounds is None else tuple(bounds)
    total = math.prod(bounds)
    arrays = {t.name: np.asarray(inputs[t.name], dtype=np.int64) for t in spec.inputs}
    for start in range(0, total, _CHUNK):
        linear = np.arange(start, min(total, start + _CHUNK), dtype=np.int64)
        points = np.stack(np.unravel_index(linear, bounds)).astype(np.int64)
        product = np.ones(linear.size, dtype=np.int64)
        for tensor in spec.inputs:
            product = product * arrays[tensor.name][tensor_coordinates(tensor, points)]
        target = np.ravel_multi_index(tensor_coordinates(out_tensor, points), out_tensor.shape)
        np.add.at(flat, target, product)
    return out_tensor.dtype.wrap(acc)


def written(spec: Spec, bounds: tuple[int, ...]) -> np.ndarray:
    """Which output elements the loop box ``bounds`` computes (a boolean array of the output's
    shape); a dataflow running a smaller box leaves the others as they were."""
    mask = np.zeros(spec.output.shape, dtype=bool)
    points = np.indices(bounds, dtype=np.int64).reshape(len(bounds), -1)
    mask[tensor_coordinates(spec.output, points)] = True
    return mask


def checksum(array: np.ndarray) -> str:
    """A short, platform-independent digest of an integer array's shape and values."""
    data = np.ascontiguousarray(np.asarray(array, dtype=np.int64)).astype("<i8").tobytes()
    shape = ",".join(str(d) for d in np.shape(array)).encode()
    return hashlib.sha256(shape + b"|" + data).hexdigest()[:16]
