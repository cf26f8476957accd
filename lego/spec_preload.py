"""A dataflow's ``preload`` field: ``preload: {TENSOR: INDEX}`` loads the stationary input
TENSOR down a chain of FUs along spatial INDEX before each of its tiles (lego.backend.preload).
Read with the rest of the spec (lego.spec), so a bad entry is one line naming its field."""

from __future__ import annotations

import dataclasses

from lego.frontend.reuse import stationary_suffix
from lego.ir import Dataflow, Tensor
from lego.yamlsource import Located

__all__ = ["with_preloads"]


def with_preloads(doc: Located, items: list, dataflows: tuple[Dataflow, ...],
                  tensors: tuple[Tensor, ...]) -> tuple[Dataflow, ...]:
    """``dataflows`` with each one's ``preload`` field (``items``: the dataflows as written)."""
    return tuple(
        dataclasses.replace(flow, preload=_preload(doc, item, ("dataflows", i, "preload"),
                                                   flow, tensors))
        if "preload" in item else flow
        for i, (item, flow) in enumerate(zip(items, dataflows, strict=True)))


def _preload(doc: Located, item: dict, path: tuple, flow: Dataflow,
             tensors: tuple[Tensor, ...]) -> tuple[tuple[str, str], ...]:
    entries = item["preload"]
    if not isinstance(entries, dict) or len(entries) != 1:
        raise doc.error(path, f"must map one tensor to the spatial index it is preloaded "
                              f"along, not {entries!r}")
    (name, index), = entries.items()
    by_name = {t.name: t for t in tensors}
    where = path + (name,)
    if name not in by_name:
        raise doc.error(where, f"unknown tensor {name!r} (tensors: {', '.join(by_name)})")
    tensor = by_name[name]
    if tensor.role != "input":
        raise doc.error(where, f"{name} is the output; only an input is preloaded")
    if index not in flow.spatial_names:
        raise doc.error(where, f"{index!r} is not a spatial index (spatial: "
                               f"{', '.join(flow.spatial_names)})")
    k = tensor.A @ flow.M
    nt = len(flow.temporal)
    tile = _stationary(flow, tensor)
    if not tile:
        raise doc.error(where, f"{name} is not stationary in dataflow {flow.name!r}: its "
                               f"innermost loop {flow.temporal_names[-1] if nt else '-'!r} "
                               "moves it, so there is no tile to preload it for")
    output = next(t for t in tensors if t.role == "output")
    held = _stationary(flow, output)
    if len(held) > len(tile):  # the bubbles between tiles would add to the FUs' sums
        raise doc.error(where, f"{output.name} accumulates in the FUs over "
                               f"{', '.join(held)}, across {name}'s tiles (over "
                               f"{', '.join(tile)}): the bubbles between them cannot be "
                               "issued without adding to it")
    d = flow.spatial_names.index(index)
    if not k[:, nt + d].any():
        raise doc.error(where, f"every FU along {index!r} reads the same element of {name}: "
                               "nothing to preload down that chain")
    if flow.spatial_bounds[d] < 2:
        raise doc.error(where, f"{index!r} spans one FU: no chain")
    return ((name, index),)



def _stationary(flow: Dataflow, tensor: Tensor) -> tuple[str, ...]:
    """The innermost temporal loops ``tensor``'s element does not change over."""
    return stationary_suffix(flow, (tensor.A @ flow.M)[:, :len(flow.temporal)])
