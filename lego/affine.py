"""Parse affine index expressions (``4*ti + p``, ``2*y + r - 1``) and the statement
(``C[i, j] += A[i, k] * B[k, j]``). Anything else (``i*j``, ``i/2``, ``i % 4``) is rejected
with a ``SpecError`` that says why; callers add the file and field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lego.errors import SpecError

__all__ = ["MAX_INT", "Affine", "Access", "Statement", "parse_affine", "parse_statement"]

_TOKEN = re.compile(r"\s*(?:(?P<int>[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
                    r"|(?P<op>\+=|\*\*|//|[-+*/%()\[\],=]))")
_NOT_AFFINE = {"/": "division", "//": "division", "%": "modulo", "**": "a power"}
_MAX_LEN = 2000
MAX_INT = 1 << 31  # coefficients and constants stay far from int64 overflow in the IR matrices


@dataclass(frozen=True)
class Affine:
    """``const + sum(coeff * name)`` with integer coefficients; zero terms are dropped."""

    terms: tuple[tuple[str, int], ...]  # sorted by name
    const: int = 0

    @staticmethod
    def of(terms: dict[str, int], const: int = 0) -> Affine:
        return Affine(tuple(sorted((n, c) for n, c in terms.items() if c != 0)), const)

    @property
    def coeffs(self) -> dict[str, int]:
        return dict(self.terms)

    @property
    def is_constant(self) -> bool:
        return not self.terms

    def __add__(self, other: Affine) -> Affine:
        terms = self.coeffs
        for name, coeff in other.terms:
            terms[name] = terms.get(name, 0) + coeff
        return Affine.of(terms, self.const + other.const)

    def scale(self, factor: int) -> Affine:
        return Affine.of({n: c * factor for n, c in self.terms}, self.const * factor)


@dataclass(frozen=True)
class Access:
    """``name[index, ...]``: a tensor reference with one affine expression per dimension."""

    name: str
    indices: tuple[Affine, ...]
    texts: tuple[str, ...]  # each index as written (whitespace normalised)


@dataclass(frozen=True)
class Statement:
    output: Access
    operands: tuple[Access, ...]

    def text(self) -> str:
        def show(a: Access) -> str:
            return f"{a.name}[{', '.join(a.texts)}]" if a.texts else a.name
        return f"{show(self.output)} += " + " * ".join(show(a) for a in self.operands)


def _tokens(text: str) -> tuple[list[tuple[str, str]], list[tuple[int, int]]]:
    """(kind, value) tokens and, for messages, where each one is in ``text``."""
    if len(text) > _MAX_LEN:
        raise SpecError(f"expression is longer than {_MAX_LEN} characters")
    out, spans, pos = [], [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            bad = text[pos:].lstrip()[:1]
            raise SpecError(f"unexpected character {bad!r} in {text.strip()!r}")
        kind = match.lastgroup
        out.append((kind, match.group(kind)))
        spans.append(match.span(kind))
        pos = match.end()
    return out, spans


def _check_size(value: Affine, text: str) -> None:
    """Sums and products of constants (``65536*65536*i``) must stay below MAX_INT too."""
    for number in (*value.coeffs.values(), value.const):
        if abs(number) >= MAX_INT:
            raise SpecError(f"{text!r} has a coefficient or constant of {abs(number)}, "
                            f"more than {MAX_INT - 1}")


def _render(tokens: list[tuple[str, str]]) -> str:
    """Tokens back to text in one canonical spacing: ``2*y + r``, ``-(x - 1)``."""
    out = ""
    for index, (_, value) in enumerate(tokens):
        unary = index == 0 or tokens[index - 1][1] in ("(", "*", "+", "-")
        if value in ("+", "-") and not unary:
            out += f" {value} "
        else:
            out += value
    return out


class _NotAffine(SpecError):
    """A non-affine index; ``why`` lets the statement parser name the index instead."""

    def __init__(self, message: str, why: str):
        super().__init__(message)
        self.why = why


class _Parser:
    def __init__(self, text: str):
        self.text = text.strip()
        self.source = text
        self.tokens, self.spans = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise SpecError(f"{self.text!r} ends too early")
        if value is not None and token[1] != value:
            raise SpecError(f"expected {value!r} but found {token[1]!r} in {self.text!r}")
        self.pos += 1
        return token

    def done(self) -> None:
        token = self.peek()
        if token is not None:
            raise SpecError(f"unexpected {token[1]!r} in {self.text!r}")

    def expr(self) -> Affine:
        value = self.term()
        while (token := self.peek()) and token[1] in "+-" and token[0] == "op":
            self.take()
            rhs = self.term()
            value = value + (rhs if token[1] == "+" else rhs.scale(-1))
            _check_size(value, self.text)
        return value

    def term(self) -> Affine:
        value = self.unary()
        while (token := self.peek()) and token[0] == "op" and token[1] in _NOT_AFFINE | {"*": 0}:
            if token[1] != "*":
                raise self.not_affine(f"{_NOT_AFFINE[token[1]]} ({token[1]!r}) is not allowed")
            self.take()
            rhs = self.unary()
            if not value.is_constant and not rhs.is_constant:
                raise self.not_affine("it multiplies two indices")
            value = rhs.scale(value.const) if value.is_constant else value.scale(rhs.const)
            _check_size(value, self.text)
        return value

    def unary(self) -> Affine:
        token = self.take()
        if token == ("op", "-"):
            return self.unary().scale(-1)
        if token == ("op", "+"):
            return self.unary()
        if token[0] == "int":
            if int(token[1]) >= MAX_INT:
                raise SpecError(f"integer {token[1]} in {self.text!r} is too large "
                                f"(at most {MAX_INT - 1})")
            return Affine.of({}, int(token[1]))
        if token[0] == "name":
            if (nxt := self.peek()) and nxt[1] in ("(", "["):
                raise self.not_affine(f"{token[1]!r} is applied like a function or tensor")
            return Affine.of({token[1]: 1})
        if token == ("op", "("):
            value = self.expr()
            self.take(")")
            return value
        raise SpecError(f"unexpected {token[1]!r} in {self.text!r}")

    def not_affine(self, why: str) -> _NotAffine:
        return _NotAffine(f"{self.text!r} is not affine: {why}", why)

    def index_text(self, start: int) -> str:
        """The index expression as written from token ``start`` up to its ',' or ']'."""
        depth, end = 0, start
        while end < len(self.tokens):
            value = self.tokens[end][1]
            if depth == 0 and value in (",", "]"):
                break
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(value, 0)
            end += 1
        return self.source[self.spans[start][0]:self.spans[end - 1][1]]

    def access(self) -> Access:
        kind, name = self.take()
        if kind != "name":
            raise SpecError(f"expected a tensor name but found {name!r} in {self.text!r}")
        indices, texts = [], []
        if (token := self.peek()) and token[1] == "[":
            self.take("[")
            while True:
                start = self.pos
                try:
                    indices.append(self.expr())
                except _NotAffine as error:
                    raise SpecError(f"index {self.index_text(start)!r} of {name} is not affine: "
                                    f"{error.why}") from None
                texts.append(_render(self.tokens[start:self.pos]))
                if self.take()[1] == "]":
                    break
                if self.tokens[self.pos - 1][1] != ",":
                    raise SpecError(f"expected ',' or ']' in {self.text!r}")
        return Access(name, tuple(indices), tuple(texts))


def parse_affine(text: str) -> Affine:
    """Parse one affine expression; raises SpecError (without location) if it is not affine."""
    parser = _Parser(text)
    if parser.peek() is None:
        raise SpecError("expression is empty")
    value = parser.expr()
    parser.done()
    return value


def parse_statement(text: str) -> Statement:
    """``OUT[...] += IN1[...] * IN2[...] * ...``: one output accumulating a product of inputs."""
    parser = _Parser(text)
    if parser.peek() is None:
        raise SpecError("statement is empty")
    output = parser.access()
    token = parser.peek()
    if token is None or token[1] != "+=":
        found = "nothing" if token is None else repr(token[1])
        raise SpecError(f"expected '+=' after the output {output.name!r} but found {found} "
                        f"(statements have the form OUT[...] += IN[...] * IN[...])")
    parser.take()
    operands = [parser.access()]
    while (token := parser.peek()) and token[1] == "*":
        parser.take()
        operands.append(parser.access())
    if (token := parser.peek()) and token[1] == "+":
        raise SpecError(f"{parser.text!r}: the right-hand side must be a single product of "
                        "tensors, not a sum")
    parser.done()
    return Statement(output, tuple(operands))
