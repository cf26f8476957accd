"""The affine expression and statement parser (lego/affine.py)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lego.affine import MAX_INT, Affine, parse_affine, parse_statement
from lego.errors import SpecError


@pytest.mark.parametrize("text, terms, const", [
    ("p", {"p": 1}, 0),
    ("4*ti + p", {"ti": 4, "p": 1}, 0),
    ("2*y + r - 1", {"y": 2, "r": 1}, -1),
    ("ti*4", {"ti": 4}, 0),
    ("3*4*i", {"i": 12}, 0),
    ("2*(x + 1) - (y - 3)", {"x": 2, "y": -1}, 5),
    ("-x", {"x": -1}, 0),
    ("--x", {"x": 1}, 0),
    ("+x", {"x": 1}, 0),
    ("-(x - 1)*3", {"x": -3}, 3),
    ("x - x + 7", {}, 7),
    ("0*i + j", {"j": 1}, 0),
    ("((i))", {"i": 1}, 0),
    ("  i   +  2 ", {"i": 1}, 2),
    ("12", {}, 12),
    (f"{MAX_INT - 1}*i", {"i": MAX_INT - 1}, 0),
])
def test_parse_affine(text, terms, const):
    value = parse_affine(text)
    assert value == Affine.of(terms, const)
    assert value.coeffs == terms
    assert value.const == const
    assert value.terms == tuple(sorted(terms.items()))  # canonical: sorted, no zero terms


@pytest.mark.parametrize("text, message", [
    ("i*j", "'i*j' is not affine: it multiplies two indices"),
    ("(i + 1)*(j - 1)", "'(i + 1)*(j - 1)' is not affine: it multiplies two indices"),
    ("i/2", "'i/2' is not affine: division ('/') is not allowed"),
    ("i//2", "'i//2' is not affine: division ('//') is not allowed"),
    ("i % 4", "'i % 4' is not affine: modulo ('%') is not allowed"),
    ("i**2", "'i**2' is not affine: a power ('**') is not allowed"),
    ("f(i)", "'f(i)' is not affine: 'f' is applied like a function or tensor"),
    ("A[i]", "'A[i]' is not affine: 'A' is applied like a function or tensor"),
    ("", "expression is empty"),
    ("   ", "expression is empty"),
    ("i +", "'i +' ends too early"),
    ("(i", "'(i' ends too early"),
    ("(i j)", "expected ')' but found 'j' in '(i j)'"),
    ("i)", "unexpected ')' in 'i)'"),
    ("i j", "unexpected 'j' in 'i j'"),
    ("i = 2", "unexpected '=' in 'i = 2'"),
    ("2.5*i", "unexpected character '.' in '2.5*i'"),
    ("i $ 2", "unexpected character '$' in 'i $ 2'"),
    ("*i", "unexpected '*' in '*i'"),
    (str(MAX_INT), f"integer {MAX_INT} in '{MAX_INT}' is too large (at most {MAX_INT - 1})"),
    ("65536*65536*i", "'65536*65536*i' has a coefficient or constant of 4294967296, "
                      "more than 2147483647"),
    ("2147483647 + 1", "'2147483647 + 1' has a coefficient or constant of 2147483648, "
                       "more than 2147483647"),
    pytest.param("i" * 2001, "expression is longer than 2000 characters", id="too-long"),
])
def test_parse_affine_rejects(text, message):
    with pytest.raises(SpecError, match=f"^{re.escape(message)}$") as info:
        parse_affine(text)
    assert (info.value.file, info.value.line, info.value.field) == (None, None, None)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(["i", "j", "k", "p", "q"]), st.integers(-20, 20)),
       st.integers(-50, 50))
def test_parse_affine_round_trips_written_form(terms, const):
    text = " + ".join([f"{c}*{n}" for n, c in terms.items()] + [str(const)]).replace("+ -", "- ")
    assert parse_affine(text) == Affine.of(terms, const)


def test_affine_arithmetic():
    a, b = Affine.of({"i": 2, "j": 1}, 3), Affine.of({"i": -2, "k": 5}, -3)
    assert a + b == Affine.of({"j": 1, "k": 5})
    assert a.scale(-2) == Affine.of({"i": -4, "j": -2}, -6)
    assert a.scale(0).is_constant and not a.is_constant


def test_parse_statement_gemm():
    st_ = parse_statement("C[i, j] += A[i, k] * B[k, j]")
    assert st_.output.name == "C"
    assert [a.name for a in st_.operands] == ["A", "B"]
    assert st_.operands[0].indices == (Affine.of({"i": 1}), Affine.of({"k": 1}))
    assert st_.text() == "C[i, j] += A[i, k] * B[k, j]"


def test_parse_statement_canonical_text_and_strides():
    st_ = parse_statement("O[ k,y ,x ]+=I[c,2*y+r-1 , -(x-1)+s]*W[k,c,r,s]")
    assert st_.text() == "O[k, y, x] += I[c, 2*y + r - 1, -(x - 1) + s] * W[k, c, r, s]"
    assert st_.operands[0].texts == ("c", "2*y + r - 1", "-(x - 1) + s")
    assert st_.operands[0].indices[1] == Affine.of({"y": 2, "r": 1}, -1)
    assert st_.operands[0].indices[2] == Affine.of({"x": -1, "s": 1}, 1)


def test_parse_statement_three_operands_and_constant_index():
    st_ = parse_statement("D[i, j] += A[i, k, l] * B[k, j] * C[l, j] * s[0]")
    assert [a.name for a in st_.operands] == ["A", "B", "C", "s"]
    assert st_.operands[3].indices == (Affine.of({}, 0),)
    assert parse_statement("s += A").output.indices == ()  # the spec rejects rank 0 later


@pytest.mark.parametrize("text, message", [
    ("", "statement is empty"),
    ("C[i] = A[i]", "expected '+=' after the output 'C' but found '=' (statements have the "
                    "form OUT[...] += IN[...] * IN[...])"),
    ("C[i]", "expected '+=' after the output 'C' but found nothing (statements have the form "
             "OUT[...] += IN[...] * IN[...])"),
    ("C[i] += A[i] + B[i]", "'C[i] += A[i] + B[i]': the right-hand side must be a single "
                            "product of tensors, not a sum"),
    ("C[i] += ", "'C[i] +=' ends too early"),
    ("3[i] += A[i]", "expected a tensor name but found '3' in '3[i] += A[i]'"),
    ("C[i] += A[i] * 2", "expected a tensor name but found '2' in 'C[i] += A[i] * 2'"),
    ("C[i j] += A[i]", "expected ',' or ']' in 'C[i j] += A[i]'"),
    ("C[i, j += A[i]", "expected ',' or ']' in 'C[i, j += A[i]'"),
    ("C[i*j] += A[i]", "index 'i*j' of C is not affine: it multiplies two indices"),
    ("C[i] += A[k, (i % 4) + 1]", "index '(i % 4) + 1' of A is not affine: modulo ('%') is "
                                  "not allowed"),
    ("C[i] += A[g[i], k]", "index 'g[i]' of A is not affine: 'g' is applied like a function "
                           "or tensor"),
    ("C[i] += A[i] * B[2 * i*j]", "index '2 * i*j' of B is not affine: it multiplies two "
                                  "indices"),
    ("C[i] += A[i] B[i]", "unexpected 'B' in 'C[i] += A[i] B[i]'"),
    ("C[] += A[i]", "unexpected ']' in 'C[] += A[i]'"),
])
def test_parse_statement_rejects(text, message):
    with pytest.raises(SpecError, match=f"^{re.escape(message)}$"):
        parse_statement(text)
