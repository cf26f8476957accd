"""The ``where:`` filter of a sweep file: a small expression language over the knobs of a point,
parsed by hand into a tree and evaluated by walking it (never ``eval``: a sweep file is data).

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum [("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in") sum]
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/" | "//" | "%") unary)*
    unary   := "-" unary | postfix
    postfix := atom ("[" expr "]")*
    atom    := NUMBER | STRING | "true" | "false" | NAME ("." NAME)* | "(" expr ")"
             | "[" [expr ("," expr)*] "]"

A NAME is an axis of the sweep (``array``, ``workload.sram_kib``, ``dtypes.A``)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

__all__ = ["Expr", "ExprError", "parse_expr"]

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<string>'[^'\n]*'|"[^"\n]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<op>==|!=|<=|>=|//|[<>+\-*/%()\[\],])
)""", re.VERBOSE)
_WORDS = ("and", "or", "not", "in", "true", "false")
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
            ">": operator.gt, ">=": operator.ge}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
          "//": operator.floordiv, "%": operator.mod}
_MAX_LENGTH = 2000


class ExprError(ValueError):
    """A malformed expression or one that cannot be evaluated (message only; the sweep file
    reader adds file, line and field)."""


@dataclass(frozen=True)
class Expr:
    """A parsed expression: ``tree`` holds nested tuples (kind, ...)."""

    text: str
    tree: tuple
    names: frozenset[str]

    def evaluate(self, env: dict) -> object:
        try:
            return _evaluate(self.tree, env)
        except ExprError:
            raise
        except (TypeError, ZeroDivisionError, IndexError, KeyError) as error:
            raise ExprError(f"cannot evaluate {self.text!r} for {_show(env, self.names)}: "
                            f"{error}") from None


def _show(env: dict, names) -> str:
    return ", ".join(f"{name}={env.get(name)!r}" for name in sorted(names))


def _tokens(text: str) -> list[tuple[str, str]]:
    out, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if match is None:
            column = len(text) - len(text[position:].lstrip()) + 1
            raise ExprError(f"unexpected {text[column - 1]!r} at column {column} of {text!r}")
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "name" and value in _WORDS:
            kind = "word"
        out.append((kind, value))
        position = match.end()
    return out + [("end", "")]


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.names: set[str] = set()

    def peek(self, value: str | None = None) -> bool:
        kind, text = self.tokens[self.index]
        return kind != "end" and (value is None or (text == value and kind in ("op", "word")))

    def take(self, value: str | None = None) -> str:
        kind, text = self.tokens[self.index]
        if kind == "end" or (value is not None and (text != value or kind not in ("op", "word"))):
            found = "the end" if kind == "end" else repr(text)
            wanted = repr(value) if value else "a value"
            raise ExprError(f"expected {wanted} but found {found} in {self.text!r}")
        self.index += 1
        return text

    def binary(self, words, inner, kind: str):
        left = inner()
        while any(self.peek(word) for word in words):
            op = self.take()
            left = (kind, op, left, inner())
        return left

    def expr(self):
        return self.binary(("or",), lambda: self.binary(("and",), self.negation, "bool"), "bool")

    def negation(self):
        if self.peek("not"):
            self.take()
            return ("not", self.negation())
        return self.compare()

    def compare(self):
        left = self.sum()
        if self.peek("not") and self.tokens[self.index + 1][1] == "in":
            self.take(), self.take()
            return ("not", ("in", left, self.sum()))
        if self.peek("in"):
            self.take()
            return ("in", left, self.sum())
        for op in _COMPARE:
            if self.peek(op):
                self.take()
                return ("compare", op, left, self.sum())
        return left

    def sum(self):
        return self.binary(("+", "-"), self.product, "arith")

    def product(self):
        return self.binary(("*", "/", "//", "%"), self.unary, "arith")

    def unary(self):
        if self.peek("-"):
            self.take()
            return ("arith", "-", ("const", 0), self.unary())
        node = self.atom()
        while self.peek("["):
            self.take()
            node = ("index", node, self.expr())
            self.take("]")
        return node

    def atom(self):
        kind, text = self.tokens[self.index]
        if kind in ("number", "string", "name") or text in ("true", "false"):
            self.index += 1
            if kind == "number":
                return ("const", float(text) if any(c in text for c in ".eE") else int(text))
            if kind == "string":
                return ("const", text[1:-1])
            if kind == "name":
                self.names.add(text)
                return ("name", text)
            return ("const", text == "true")
        if self.peek("("):
            self.take()
            node = self.expr()
            self.take(")")
            return node
        if self.peek("["):
            self.take()
            items = [] if self.peek("]") else [self.expr()]
            while self.peek(","):
                self.take()
                items.append(self.expr())
            self.take("]")
            return ("list", tuple(items))
        found = "the end" if kind == "end" else repr(text)
        raise ExprError(f"expected a value but found {found} in {self.text!r}")


def parse_expr(text: str, known: set[str] | frozenset[str]) -> Expr:
    """Parse ``text``; every name must be in ``known`` (the sweep's axes)."""
    if not isinstance(text, str) or not text.strip():
        raise ExprError(f"must be a non-empty expression string, not {text!r}")
    if len(text) > _MAX_LENGTH:
        raise ExprError(f"is longer than {_MAX_LENGTH} characters")
    parser = _Parser(text)
    try:
        tree = parser.expr()
    except RecursionError:
        raise ExprError(f"is nested too deeply: {text[:40]!r}...") from None
    if parser.peek():
        raise ExprError(f"unexpected {parser.tokens[parser.index][1]!r} in {text!r}")
    unknown = sorted(parser.names - set(known))
    if unknown:
        raise ExprError(f"unknown name {unknown[0]!r} in {text!r} (axes: "
                        f"{', '.join(sorted(known)) or 'none'})")
    return Expr(text, tree, frozenset(parser.names))


def _evaluate(node: tuple, env: dict):
    kind = node[0]
    if kind == "const":
        return node[1]
    if kind == "name":
        return env[node[1]]
    if kind == "list":
        return [_evaluate(item, env) for item in node[1]]
    if kind == "not":
        return not _truth(_evaluate(node[1], env))
    if kind == "bool":
        left = _truth(_evaluate(node[2], env))
        if (node[1] == "and") != left:  # short-circuit: `or` of true, `and` of false
            return left
        return _truth(_evaluate(node[3], env))
    if kind == "in":
        return _evaluate(node[1], env) in _evaluate(node[2], env)
    if kind == "index":
        return _evaluate(node[1], env)[_index(_evaluate(node[2], env))]
    table = _COMPARE if kind == "compare" else _ARITH
    return table[node[1]](_evaluate(node[2], env), _evaluate(node[3], env))


def _truth(value) -> bool:
    if not isinstance(value, bool):
        raise ExprError(f"'and', 'or' and 'not' take true or false, not {value!r}")
    return value


def _index(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ExprError(f"an index must be an integer, not {value!r}")
    return value
