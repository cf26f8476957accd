"""Read and validate a spec (YAML file, YAML text or a Python dict) into the affine IR.

Every problem raises ``SpecError`` naming the file, the YAML line, the field and the value.
Validation order follows the fields: name, loops, statement, dtypes, dataflows (each checked
on its own, including that its mapping covers every iteration point exactly once)."""

from __future__ import annotations

import math
import numbers
import re
from pathlib import Path

import numpy as np

from lego import presets
from lego.affine import Affine, Statement, parse_affine, parse_statement
from lego.errors import SpecError
from lego.ir import Dataflow, DType, Spec, Tensor, parse_dtype
from lego.spec_preload import with_preloads
from lego.yamlsource import Located, field_name, load_yaml, read_input

__all__ = ["load_spec", "parse_spec", "parse_spec_text"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOP_FIELDS = ("name", "description", "loops", "statement", "dtypes", "dataflows")
_DATAFLOW_FIELDS = ("name", "loops", "spatial", "temporal", "map", "preload")
_ENUMERATION_LIMIT = 1 << 22  # points checked one by one when the mapping is not a plain tiling
_ENUMERATION_CHUNK = 1 << 18  # points per vectorised step of that check
_MAX_POINTS = 1 << 40  # iteration points of a loop nest (or a mapping grid): int64-safe indexing


def load_spec(path: str | Path) -> Spec:
    """Read a YAML spec file. A missing or unreadable file is a SpecError too."""
    text = read_input(path, "spec file")
    return parse_spec_text(text, str(path))


def parse_spec_text(text: str, source: str = "<string>") -> Spec:
    if not text.strip():
        raise SpecError("file is empty", file=source)
    return _validate(load_yaml(text, source))


def parse_spec(data: dict, source: str = "<dict>") -> Spec:
    """The Python API: the same fields as the YAML form, as a dict."""
    return _validate(Located(data, source))


def _validate(doc: Located) -> Spec:
    data = doc.value
    if data is None:
        raise SpecError("file has no spec in it (only comments or an empty document)",
                        file=doc.source)
    if not isinstance(data, dict):
        raise SpecError(f"a spec must be a mapping of fields, not {_kind(data)}", file=doc.source,
                        line=doc.line(()))
    if "preset" in data:
        data = presets.expand(data, doc)
    for key in data:
        if key not in _TOP_FIELDS:
            raise doc.error((key,), f"unknown field {key!r} (fields: {', '.join(_TOP_FIELDS)})")
    name = _identifier(doc, data, ("name",), "name")
    if "description" in data:
        _required(doc, data, ("description",), str, "a string")
    loops = _bounds(doc, data, ("loops",), allow_empty=False)
    statement_text = _required(doc, data, ("statement",), str, "a string")
    try:
        statement = parse_statement(statement_text)
    except SpecError as error:
        raise error.located(file=doc.source, field="statement",
                            line=doc.line(("statement",))) from None
    tensors = _tensors(doc, data, loops, statement)
    dataflows = _dataflows(doc, data, loops)
    dataflows = with_preloads(doc, data["dataflows"], dataflows, tensors)
    return Spec(name=name, loops=tuple(loops.items()), tensors=tensors, dataflows=dataflows,
                statement=statement.text(), source=doc.source)


# ---------------------------------------------------------------------------------------------
# small field readers


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "an integer", float: "a number"}.get(type(value), type(value).__name__)


def _required(doc: Located, data: dict, path: tuple, kind: type, what: str):
    if path[-1] not in data:
        raise doc.error(path, "required field is missing")
    value = data[path[-1]]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise doc.error(path, f"must be {what}, not {_kind(value)} {value!r}"
                        if value is not None else f"must be {what}, not empty")
    return value


def _identifier(doc: Located, data: dict, path: tuple, what: str) -> str:
    value = _required(doc, data, path, str, f"a {what} (a plain identifier)")
    _check_identifier(doc, path, value, what)
    return value


def _check_identifier(doc: Located, path: tuple, value: str, what: str) -> None:
    if not isinstance(value, str) or not _IDENT.fullmatch(value):
        raise doc.error(path, f"{what} {value!r} is not a plain identifier "
                              "(letters, digits and _, not starting with a digit)")


def _bounds(doc: Located, data: dict, path: tuple, allow_empty: bool) -> dict[str, int]:
    """A mapping of index name -> positive integer bound (loops, spatial, temporal)."""
    value = _required(doc, data, path, dict, "a mapping of index names to bounds")
    if not value and not allow_empty:
        raise doc.error(path, "must name at least one index")
    bounds = {}
    for name, bound in value.items():
        _check_identifier(doc, path + (name,), name, "index name")
        if isinstance(bound, bool) or not isinstance(bound, numbers.Integral) or bound < 1:
            shown = repr(bound) if bound is not None else "empty"
            raise doc.error(path + (name,), f"bound must be a positive integer, not {shown}")
        bounds[name] = int(bound)  # numpy integers from the Python API become plain ints
    if math.prod(bounds.values()) > _MAX_POINTS:
        raise doc.error(path, f"{math.prod(bounds.values())} points in all, more than the "
                              f"{_MAX_POINTS} supported")
    return bounds


# ---------------------------------------------------------------------------------------------
# statement and tensors


def _tensors(doc: Located, data: dict, loops: dict[str, int], st: Statement
             ) -> tuple[Tensor, ...]:
    accesses = list(st.operands) + [st.output]
    seen = set()
    for access in accesses:
        if access.name in seen:
            raise doc.error(("statement",), f"tensor {access.name!r} appears more than once; "
                                            "each tensor has exactly one role")
        seen.add(access.name)
    used = set()
    for access in accesses:
        if not access.indices:
            raise doc.error(("statement",), f"tensor {access.name!r} has no index; scalars are "
                                            f"written with a constant index: {access.name}[0]")
        shown = f"{access.name}[{', '.join(access.texts)}]"
        for affine in access.indices:
            for index, _ in affine.terms:
                if index not in loops:
                    raise doc.error(("statement",), f"index {index!r} in {shown} is not a loop "
                                    f"index (loops: {', '.join(loops)})")
                used.add(index)
    for index in loops:
        if index not in used:
            raise doc.error(("loops", index), f"loop index {index!r} is used by no tensor "
                                              "in the statement")
    dtypes = _dtypes(doc, data, [a.name for a in accesses])
    tensors = []
    for access in accesses:
        role = "output" if access is st.output else "input"
        access_matrix, offset, shape = _access_matrix(doc, access, loops)
        tensors.append(Tensor(name=access.name, role=role, dtype=dtypes[access.name],
                              access=access_matrix, offset=offset, shape=shape,
                              indices=access.texts))
    return tuple(tensors)


def _access_matrix(doc: Located, access, loops: dict[str, int]):
    names = list(loops)
    rows, offsets, shape = [], [], []
    for affine, text in zip(access.indices, access.texts, strict=True):
        row = [affine.coeffs.get(n, 0) for n in names]
        spans = [c * (loops[n] - 1) for n, c in zip(names, row, strict=True)]
        low = affine.const + sum(s for s in spans if s < 0)
        high = affine.const + sum(s for s in spans if s > 0)
        if low < 0:
            raise doc.error(("statement",), f"index {text!r} of {access.name} can be negative "
                                            f"({low} at its smallest); pad the tensor instead")
        rows.append(tuple(row))
        offsets.append(affine.const)
        shape.append(high + 1)
    return tuple(rows), tuple(offsets), tuple(shape)


def _dtypes(doc: Located, data: dict, names: list[str]) -> dict[str, DType]:
    value = _required(doc, data, ("dtypes",), dict, "a mapping of tensor names to dtypes")
    for name in value:
        if name not in names:
            raise doc.error(("dtypes", name), f"{name!r} is not a tensor of the statement "
                                              f"(tensors: {', '.join(names)})")
    out = {}
    for name in names:
        if name not in value:
            raise doc.error(("dtypes",), f"no dtype for tensor {name!r}")
        text = value[name]
        dtype = parse_dtype(text) if isinstance(text, str) else None
        if dtype is None:
            raise doc.error(("dtypes", name), f"unknown dtype {text!r} (use intN with N in "
                                              "2..64 or uintN with N in 1..64)")
        out[name] = dtype
    return out


# ---------------------------------------------------------------------------------------------
# dataflows


def _dataflows(doc: Located, data: dict, loops: dict[str, int]) -> tuple[Dataflow, ...]:
    items = _required(doc, data, ("dataflows",), list, "a list of dataflows")
    if not items:
        raise doc.error(("dataflows",), "must list at least one dataflow")
    out, names = [], {}
    for index, item in enumerate(items):
        path = ("dataflows", index)
        if not isinstance(item, dict):
            raise doc.error(path, f"a dataflow must be a mapping, not {_kind(item)} "
                                  f"{item!r}")
        dataflow = _dataflow(doc, item, path, loops)
        if dataflow.name in names:
            raise doc.error(path + ("name",), f"dataflow name {dataflow.name!r} is already "
                                              f"used by dataflows[{names[dataflow.name]}]")
        names[dataflow.name] = index
        if out and dataflow.array_shape != out[0].array_shape:
            raise doc.error(path + ("spatial",), f"array shape {_shape(dataflow)} differs from "
                            f"{_shape(out[0])} of dataflows[0] ({out[0].name!r}): the "
                            "dataflows of a spec are fused onto one array")
        out.append(dataflow)
    return tuple(out)


def _shape(dataflow: Dataflow) -> str:
    return "x".join(map(str, dataflow.array_shape))


def _dataflow(doc: Located, item: dict, path: tuple, loops: dict[str, int]) -> Dataflow:
    for key in item:
        if key not in _DATAFLOW_FIELDS:
            raise doc.error(path + (key,), f"unknown field {key!r} "
                                           f"(fields: {', '.join(_DATAFLOW_FIELDS)})")
    name = _identifier(doc, item, path + ("name",), "dataflow name")
    own = _own_loops(doc, item, path, loops)
    spatial = _bounds(doc, item, path + ("spatial",), allow_empty=False)
    temporal = _bounds(doc, item, path + ("temporal",), allow_empty=True)
    for index in spatial:
        if index in temporal:
            raise doc.error(path + ("spatial", index), f"index {index!r} is both spatial "
                                                       "and temporal")
    variables = list(temporal) + list(spatial)
    mapping = _required(doc, item, path + ("map",), dict, "a mapping of loop index to "
                                                            "affine expression")
    for key in mapping:
        if key not in loops:
            raise doc.error(path + ("map", key), f"{key!r} is not a loop index "
                                                 f"(loops: {', '.join(loops)})")
    rows, offset, texts = [], [], []
    for loop in loops:
        if loop not in mapping:
            raise doc.error(path + ("map",), f"no expression for loop index {loop!r}")
        affine, text = _map_expression(doc, path + ("map", loop), mapping[loop], temporal,
                                       spatial)
        rows.append(tuple(affine.coeffs.get(v, 0) for v in variables))
        offset.append(affine.const)
        texts.append(text)
    dataflow = Dataflow(name=name, temporal=tuple(temporal.items()),
                        spatial=tuple(spatial.items()), matrix=tuple(rows),
                        offset=tuple(offset), expressions=tuple(texts),
                        loops=tuple(own.items()))
    # a dataflow with its own bounds is checked against them (its `loops` field)
    label = f"{field_name(path + ('loops',))}." if "loops" in item else "loops."
    _check_coverage(doc, path, dataflow, own, label)
    return dataflow


def _own_loops(doc: Located, item: dict, path: tuple, loops: dict[str, int]) -> dict[str, int]:
    """The dataflow's own loop bounds: the spec's, with those its ``loops`` field names made
    smaller (the spec's loops size the memories; this dataflow runs the box inside them)."""
    if "loops" not in item:
        return dict(loops)
    own = _bounds(doc, item, path + ("loops",), allow_empty=False)
    for loop, bound in own.items():
        if loop not in loops:
            raise doc.error(path + ("loops", loop), f"{loop!r} is not a loop index "
                                                    f"(loops: {', '.join(loops)})")
        if bound > loops[loop]:
            raise doc.error(path + ("loops", loop), f"bound {bound} exceeds loops.{loop} = "
                            f"{loops[loop]}: a dataflow runs inside the spec's loops, which "
                            "size the memories")
    return {loop: own.get(loop, bound) for loop, bound in loops.items()}


def _map_expression(doc, path, value, temporal, spatial) -> tuple[Affine, str]:
    if isinstance(value, bool) or not isinstance(value, str | numbers.Integral):
        raise doc.error(path, f"must be an affine expression, not {_kind(value)} {value!r}")
    text = str(value)
    try:
        affine = parse_affine(text)
    except SpecError as error:
        raise error.located(file=doc.source, field=field_name(path), line=doc.line(path)) from None
    for name, _ in affine.terms:
        if name not in temporal and name not in spatial:
            raise doc.error(path, f"unknown index {name!r} in {text.strip()!r} (temporal: "
                            f"{', '.join(temporal) or 'none'}; spatial: {', '.join(spatial)})")
    return affine, text.strip()


def _is_plain_tiling(dataflow: Dataflow, bounds: tuple[int, ...]) -> bool:
    """True when each loop index is a mixed-radix number of its own temporal/spatial indices
    (``i = 4*ti + p`` with p < 4): then the mapping is a bijection without enumeration."""
    sizes = dataflow.temporal_bounds + dataflow.spatial_bounds
    used = [col for col, size in enumerate(sizes) if size > 1]  # a size-1 variable is always 0
    M = dataflow.M[:, used]
    sizes = [sizes[col] for col in used]
    if np.any(np.count_nonzero(M, axis=0) != 1):
        return False  # a variable feeds no loop (repeats) or several loops (skewed)
    for row, bound, offset in zip(M, bounds, dataflow.c, strict=True):
        columns = sorted(np.flatnonzero(row), key=lambda col: abs(row[col]))
        radix, low = 1, offset
        for col in columns:
            if abs(row[col]) != radix:
                return False
            radix *= sizes[col]
            low += min(0, row[col] * (sizes[col] - 1))
        if radix != bound or low != 0:
            return False
    return True


def _check_coverage(doc: Located, path: tuple, dataflow: Dataflow, loops: dict[str, int],
                    label: str = "loops."):
    """Every iteration point must be produced by exactly one (temporal, spatial) point."""
    bounds = tuple(loops.values())
    if _is_plain_tiling(dataflow, bounds):
        return
    sizes = dataflow.temporal_bounds + dataflow.spatial_bounds
    names = dataflow.temporal_names + dataflow.spatial_names
    total = math.prod(sizes)
    if total > _ENUMERATION_LIMIT:
        raise doc.error(path + ("map",), f"mapping is not a plain tiling and has {total} points,"
                        f" more than the {_ENUMERATION_LIMIT} that can be checked one by one")
    linear = _mapped_points(doc, path, dataflow, loops, label)
    values, counts = np.unique(linear, return_counts=True)  # sorted, sized by the grid only
    repeated = values[counts > 1]
    if repeated.size:
        first_two = np.flatnonzero(linear == repeated[0])[:2]
        where = np.unravel_index(repeated[0], bounds)
        by = [_show(names, np.unravel_index(index, sizes)) for index in first_two]
        raise doc.error(path + ("map",), f"iteration ({_show(loops, where)}) is mapped more than "
                        f"once: by ({by[0]}) and by ({by[1]})")
    if values.size < math.prod(bounds):
        # values are distinct and sorted: the first gap is the first point never mapped
        gaps = np.flatnonzero(values != np.arange(values.size))
        where = np.unravel_index(int(gaps[0]) if gaps.size else values.size, bounds)
        raise doc.error(path + ("map",), f"iteration ({_show(loops, where)}) is never mapped")


def _mapped_points(doc: Located, path: tuple, dataflow: Dataflow, loops: dict[str, int],
                   label: str) -> np.ndarray:
    """The linear iteration index of every (temporal, spatial) point in grid order, computed
    in chunks so memory stays at one int64 per point; the first point outside the loop
    bounds is an error."""
    bounds = tuple(loops.values())
    sizes = dataflow.temporal_bounds + dataflow.spatial_bounds
    bound_col = np.array(bounds, dtype=np.int64)[:, None]
    linear = np.empty(math.prod(sizes), dtype=np.int64)
    for start in range(0, linear.size, _ENUMERATION_CHUNK):
        index = np.arange(start, min(linear.size, start + _ENUMERATION_CHUNK), dtype=np.int64)
        grid = np.stack(np.unravel_index(index, sizes)).astype(np.int64)
        points = dataflow.M @ grid + dataflow.c[:, None]
        outside = (points < 0) | (points >= bound_col)
        if outside.any():
            first = int(np.flatnonzero(outside.any(axis=0))[0])
            row = int(np.flatnonzero(outside[:, first])[0])
            loop = list(loops)[row]
            names = dataflow.temporal_names + dataflow.spatial_names
            raise doc.error(path + ("map", loop), f"point ({_show(names, grid[:, first])}) "
                            f"gives {loop}={points[row, first]}, outside {label}{loop} = "
                            f"[0, {bounds[row]})")
        linear[index] = np.ravel_multi_index(tuple(points), bounds)
    return linear


def _show(names, values) -> str:
    return ", ".join(f"{n}={int(v)}" for n, v in zip(names, values, strict=True))
