"""Load YAML into plain Python values while remembering the line of every mapping key, so
errors can say ``spec.yaml:7: dataflows[0].map.i: ...``. Duplicate keys are errors (PyYAML
would silently keep the last one)."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from lego.errors import SpecError

__all__ = ["Located", "load_yaml", "field_name"]

Path = tuple  # a field path such as ("dataflows", 0, "map", "i")
_MAX_DEPTH = 50


def field_name(path: Path) -> str:
    """("dataflows", 0, "map", "i") -> "dataflows[0].map.i"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class Located:
    """The loaded value plus the 1-based line of each field path."""

    value: object
    source: str
    lines: dict = field(default_factory=dict)

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
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        located = Located(None, source)
        if node is not None:
            located.value = _convert(loader, node, (), located, 0)
        return located
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise SpecError(f"not valid YAML: {problem}", file=source,
                        line=mark.line + 1 if mark else None) from None
    except RecursionError:
        raise SpecError("YAML is nested too deeply", file=source) from None
    finally:
        loader.dispose()


def _convert(loader, node, path: Path, located: Located, depth: int):
    if depth > _MAX_DEPTH:
        raise SpecError("YAML is nested too deeply (or refers to itself)", file=located.source,
                        field=field_name(path) or None, line=node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise SpecError("mapping keys must be plain names", file=located.source,
                                field=field_name(path) or None, line=key_node.start_mark.line + 1)
            key = key_node.value  # the text as written: `on:` or `no:` stay names, not booleans
            child = path + (key,)
            if key in out:
                raise SpecError(f"duplicate key {key!r}", file=located.source,
                                field=field_name(child), line=key_node.start_mark.line + 1)
            located.lines[child] = key_node.start_mark.line + 1
            out[key] = _convert(loader, value_node, child, located, depth + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        out = []
        for index, item in enumerate(node.value):
            located.lines[path + (index,)] = item.start_mark.line + 1
            out.append(_convert(loader, item, path + (index,), located, depth + 1))
        return out
    return loader.construct_object(node, deep=True)
