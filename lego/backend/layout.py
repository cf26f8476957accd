"""Where every tensor element lives: (bank, in-bank address) per dataflow, from the ADG's memory
configuration. The RTL address logic and the verify harness both use these functions, so the
host loads exactly where the array reads."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lego.frontend.adg import ADG, mem_id
from lego.frontend.memory import bank_address, bank_of

__all__ = ["TensorGeometry", "geometry", "placement", "port_location", "fixed_bank"]


@dataclass(frozen=True)
class TensorGeometry:
    """A tensor's storage in the RTL: ``banks`` memories of ``depth`` words of ``bits`` bits,
    big enough for the banking of every dataflow."""

    name: str
    index: int  # host_tensor value
    role: str
    bits: int
    signed: bool
    shape: tuple[int, ...]
    banks: int
    depth: int


def geometry(adg: ADG) -> tuple[TensorGeometry, ...]:
    out = []
    for index, tensor in enumerate(adg.graph.graph["tensors"]):
        configs = adg.graph.nodes[mem_id(tensor["name"])]["dataflows"].values()
        out.append(TensorGeometry(
            name=tensor["name"], index=index, role=tensor["role"], bits=tensor["bits"],
            # the ADG carries widths only; every example dtype is two's complement (intN)
            signed=tensor["signed"], shape=tuple(tensor["shape"]),
            banks=max(c["banks"] for c in configs),
            # at least two words: a one-word memory has a zero-width address Verilator rejects
            depth=max(2, *(math.prod(c["bank_shape"]) for c in configs))))
    return tuple(out)


def _config(adg: ADG, dataflow: str, tensor: str) -> dict:
    return adg.graph.nodes[mem_id(tensor)]["dataflows"][dataflow]


def placement(adg: ADG, dataflow: str, tensor: str) -> tuple[np.ndarray, np.ndarray]:
    """Bank and address of every element (arrays of the tensor's shape)."""
    config = _config(adg, dataflow, tensor)
    dims, gcds, local = config["bank_dims"], config["bank_gcd"], config["bank_shape"]
    shape = tuple(adg.graph.nodes[mem_id(tensor)]["shape"])
    banks = np.zeros(shape, dtype=np.int64)
    addresses = np.zeros(shape, dtype=np.int64)
    for coord in np.ndindex(*shape):
        banks[coord] = bank_of(coord, dims, gcds)
        addresses[coord] = bank_address(coord, dims, gcds, local)
    return banks, addresses


def port_location(config: dict, base: tuple[int, ...], counters: tuple[int, ...]
                  ) -> tuple[int, int]:
    """(bank, address) a port with coordinate ``base`` at t = 0 touches at temporal point
    ``counters``: the Python model of the RTL address logic."""
    coord = tuple(b + sum(s[d] * t for s, t in zip(config["coord_strides"], counters,
                                                    strict=True))
                  for d, b in enumerate(base))
    return (bank_of(coord, config["bank_dims"], config["bank_gcd"]),
            bank_address(coord, config["bank_dims"], config["bank_gcd"], config["bank_shape"]))


def fixed_bank(config: dict) -> bool:
    """True when no temporal step moves a port to another bank: the address is then
    ``port.address + sum(address_strides[i] * t_i)`` in the port's own bank."""
    return all(s is not None for s in config["address_strides"])
