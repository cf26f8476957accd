"""Where every tensor element lives: (bank, in-bank address) per dataflow, from the ADG's memory
configuration. The RTL's memories are sized by ``geometry``; ``place`` turns a dataflow's banking
as the interface facts state it (:mod:`lego.backend.interface`) into the element's bank and
address, which interface.md tabulates and the cocotb driver (:mod:`lego.cocotb`) writes to, so
the host writes exactly where the array reads."""

from __future__ import annotations

import math

import numpy as np

from lego.backend.design import TensorGeometry
from lego.frontend.adg import ADG
from lego.frontend.memory import bank_address, bank_of

__all__ = ["geometry", "placement", "place"]


def geometry(adg: ADG) -> tuple[TensorGeometry, ...]:
    out = []
    for index, tensor in enumerate(adg.tensors):
        configs = [adg.memory(flow.name, tensor.name) for flow in adg.flows]
        banks = max(c.banks for c in configs)
        out.append(TensorGeometry(
            name=tensor.name, index=index, role=tensor.role, bits=tensor.bits,
            signed=tensor.signed, shape=tensor.shape, banks=banks,
            bank_depths=tuple(_depth(configs, b) for b in range(banks))))
    return tuple(out)


def _depth(configs, bank: int) -> int:
    """Words of ``bank``: the deepest banking among the dataflows that use it (a dataflow
    with n banks uses banks 0 .. n - 1); at least two, since a one-word memory has a zero-width
    address Verilator rejects."""
    return max(2, *(math.prod(c.bank_shape) for c in configs if bank < c.banks))


def placement(adg: ADG, dataflow: str, tensor: str) -> tuple[np.ndarray, np.ndarray]:
    """Bank and address of every element (arrays of the tensor's shape)."""
    mem = adg.memory(dataflow, tensor)
    shape = adg.tensor(tensor).shape
    banks = np.zeros(shape, dtype=np.int64)
    addresses = np.zeros(shape, dtype=np.int64)
    for coord in np.ndindex(*shape):
        banks[coord] = bank_of(coord, mem.bank_dims, mem.bank_gcd)
        addresses[coord] = bank_address(coord, mem.bank_dims, mem.bank_gcd, mem.bank_shape)
    return banks, addresses


def place(coord: tuple[int, ...], layout: dict) -> tuple[int, int]:
    """(bank, address) of the element at ``coord`` under one dataflow's ``layout`` (the interface
    facts' bank_dims, bank_gcd and bank_shape): the ADG's banking function, nothing else."""
    return (bank_of(coord, layout["bank_dims"], layout["bank_gcd"]),
            bank_address(coord, layout["bank_dims"], layout["bank_gcd"], layout["bank_shape"]))
