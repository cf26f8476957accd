"""Load YAML into plain Python values while remembering the line of every mapping key, so
errors can say ``spec.yaml:7: dataflows[0].map.i: ...``. Duplicate keys are errors (PyYAML
would silently keep the last one)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from lego.errors import SpecError

__all__ = ["Located", "load_yaml", "field_name", "read_input"]

Path = tuple  # a field path such as ("dataflows", 0, "map", "i")
_MAX_DEPTH = 50
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_<-]+")  # `<<` and `gemm-os` read fine unquoted
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_NODES = 100_000  # aliases can make a tiny file expand exponentially ("billion laughs")


def read_input(path, kind: str) -> str:
    """The text of an input file (a spec, a sweep: ``kind``); a missing, unreadable or
    non-UTF-8 file is a SpecError naming it."""
    from pathlib import Path as FilePath

    path = FilePath(path)
    try:
        return path.read_text()
    except FileNotFoundError:
        raise SpecError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise SpecError(f"is a directory, not a {kind}", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not a UTF-8 text file"
        raise SpecError(f"cannot read: {reason}", file=str(path)) from None


def field_name(path: Path) -> str:
    """("dataflows", 0, "map", "i") -> "dataflows[0].map.i"; a key that is not a plain name
    is quoted, ``loops['a b']``, so a message stays one line whatever the key holds."""
    out = ""
    for part in path:
        if isinstance(part, int) or not _PLAIN_KEY.fullmatch(str(part)):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass
class Located:
    """The loaded value plus the 1-based line of each field path."""

    value: object
    source: str
    lines: dict = field(default_factory=dict)
    nodes: int = 0  # nodes converted so far, bounded by _MAX_NODES
    merged: dict = field(default_factory=dict)  # id(mapping node) -> pairs from merge keys

    def line(self, path: Path) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def error(self, path: Path, message: str) -> SpecError:
        return SpecError(message, file=self.source, field=field_name(path) or None,
                         line=self.line(path))


def load_yaml(text: str, source: str) -> Located:
    loader = None
    try:
        loader = yaml.SafeLoader(text)  # the reader already rejects control characters
        node = loader.get_single_node()
        located = Located(None, source)
        if node is not None:
            located.lines[()] = node.start_mark.line + 1
            located.value = _convert(loader, node, (), located, 0)
        return located
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise SpecError(f"not valid YAML: {_yaml_problem(error)}", file=source,
                        line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise SpecError("YAML is nested too deeply", file=source) from None
    finally:
        if loader is not None:
            loader.dispose()


def _yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's problem text plus its context: ``expected ',' or '}', but got ':' (while
    parsing a flow mapping started on line 2)``."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    if not context:
        return problem
    if problem.startswith("but "):  # "expected a single document..., but found another"
        return f"{context}, {problem}"
    mark = getattr(error, "context_mark", None)
    return f"{problem} ({context}" + (f" started on line {mark.line + 1})" if mark else ")")


def _convert(loader, node, path: Path, located: Located, depth: int):
    located.nodes += 1
    if located.nodes > _MAX_NODES:
        raise SpecError(f"YAML expands to more than {_MAX_NODES} values (through aliases?)",
                        file=located.source, field=field_name(path) or None,
                        line=node.start_mark.line + 1)
    if depth > _MAX_DEPTH:
        raise SpecError("YAML is nested too deeply (or refers to itself)", file=located.source,
                        field=field_name(path[:2]) or None, line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        if id(node) not in located.merged:  # an aliased node is visited again, flattened
            explicit = sum(key.tag != _MERGE_TAG for key, _ in node.value)
            loader.flatten_mapping(node)  # resolves merge keys (<<): merged pairs come first
            located.merged[id(node)] = len(node.value) - explicit
        merged = located.merged[id(node)]
        out, from_merge = {}, set()  # a key given explicitly overrides a merged one
        for position, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("mapping keys must be plain names", file=located.source,
                                field=field_name(path) or None, line=key_node.start_mark.line + 1)
            key = key_node.value  # the text as written: `on:` or `no:` stay names, not booleans
            child = path + (key,)
            if key in out and key not in from_merge:
                raise SpecError(f"duplicate key {key!r} (first on line {located.lines[child]})",
                                file=located.source, field=field_name(child),
                                line=key_node.start_mark.line + 1)
            (from_merge.add if position < merged else from_merge.discard)(key)
            located.lines[child] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, child, located, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for index, item in enumerate(node.value):
            located.lines[path + (index,)] = item.start_mark.line + 1
            out.append(_convert(loader, item, path + (index,), located, depth + 1))
        return out
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, LookupError, ArithmeticError):  # `!!int x`, `!!bool maybe`
        raise SpecError(f"cannot read {node.value!r} as {node.tag.rsplit(':', 1)[-1]}",
                        file=located.source, field=field_name(path) or None,
                        line=node.start_mark.line + 1) from None
