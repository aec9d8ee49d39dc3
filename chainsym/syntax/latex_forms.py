"""The LaTeX forms that take arguments of their own — fractions, roots, functions with their
subscripts and powers, the derivative operator \\frac{d}{dx} (in front of an expression, or, in a
worked step, before any bracket) — as a base of the LaTeX parser (latex.py), which supplies
expression() and the other grammar methods declared here."""

from __future__ import annotations

import sympy as sp

from .build import Reader, Val, build_call, build_power, build_product, constant
from .latex_tokens import (
    _ADD,
    _UNARY,
    EXTRA_FUNCTIONS,
    FRACTIONS,
    GREEK,
    LETTER_FUNCTIONS,
    ROUND,
    _cmd,
    _expected,
    _op,
    _q,
    named_word,
)
from .steps import differentiate
from .tokens import Token
from .vocabulary import FUNCTIONS, INVERSES, FunctionTable, arity_text


class Forms(Reader):
    """Fractions, roots and function calls in LaTeX. The grammar methods they use are the parser's."""

    functions: FunctionTable
    partner: dict[int, int]
    steps: bool

    def expression(self, min_prec: int) -> Val:
        raise NotImplementedError

    def atom(self, start_col: int, alone: bool = True) -> Val:
        raise NotImplementedError

    def at(self, k: int) -> Token:
        raise NotImplementedError

    def open_group(self) -> tuple[Token, int]:
        raise NotImplementedError

    def end_group(self, opener: Token, closer: int) -> None:
        raise NotImplementedError

    def starts_operand(self, tok: Token) -> bool:
        raise NotImplementedError

    def subscript(self, word: str) -> str:
        raise NotImplementedError

    def is_function_at(self, k: int) -> bool:
        raise NotImplementedError

    def is_symbol(self, tok: Token) -> bool:
        raise NotImplementedError

    def derivative(self, k: int) -> tuple[str, int] | None:
        r"""A derivative operator written as a fraction at token k: (x, the index after it) for
        \frac{d}{dx} (or \mathrm{d}, \partial). Leibniz quotients (\frac{dy}{dx}) and higher orders
        (\frac{d^2}{dx^2}) are ParseErrors: read as fractions they would mean something else."""
        if self.is_d(self.at(k)) and _op(self.at(k + 1), "/") and self.is_d(self.at(k + 2)) and _cmd(self.at(k)) == "":
            found = self.name_at(k + 3)
            if found is None or self.at(found[1]).kind == "END":
                return None
            return found
        if _cmd(self.at(k)) not in FRACTIONS or not _op(self.at(k + 1), "{"):
            return None
        c1 = self.partner[k + 1]
        if not _op(self.at(c1 + 1), "{"):
            return None
        c2 = self.partner[c1 + 1]
        top, bottom = self.tokens[k + 2:c1], self.tokens[c1 + 2:c2]
        if not top or not bottom or not self.is_d(top[0]) or not self.is_d(bottom[0]) or \
                (_cmd(top[0]) == "partial") != (_cmd(bottom[0]) == "partial"):
            return None
        shown = self.text[self.at(k).col - 1:self.at(c2).col]
        if any(_op(t, "^") for t in top + bottom):
            raise self.fail(f"{shown}: only first derivatives are read as an operator \\frac{{d}}{{dx}}; "
                            "differentiate again for a higher order", self.at(k))
        if len(top) > 1:
            raise self.fail(f"{shown} is Leibniz notation for the derivative of an unknown function; "
                            "write the function itself", self.at(k))
        found = self.name_at(c1 + 3)
        return None if found is None or found[1] != c2 else (found[0], c2 + 1)

    def is_d(self, tok: Token) -> bool:
        return (tok.kind == "NAME" and tok.text == "d") or _cmd(tok) == "partial" or \
            (tok.kind == "ROMAN" and named_word(tok) == "d")

    def name_at(self, start: int) -> tuple[str, int] | None:
        """The variable name written by the tokens at start (x, x_{1}, \\theta, \\mathrm{dt}) and the
        index after it, or None."""
        saved = self.pos
        self.pos = start
        tok = self.advance()
        word = tok.text if tok.kind == "NAME" else named_word(tok) if tok.kind == "ROMAN" else GREEK.get(_cmd(tok))
        if word is not None:
            word = self.subscript(word)
            self.check_name(word, tok)
        end, self.pos = self.pos, saved
        return None if word is None else (word, end)

    def operator(self, name: str, end: int) -> Val:
        r"""\frac{d}{dx}(...), \frac{d}{dx}\left(...\right), d/dx[...] in a worked step: the
        derivative of the group, not yet taken; a power or prime right after it is ambiguous, except at
        the start of the text, where the operator takes the whole term: \frac{d}{dx}(x+1)^{2}."""
        start = self.pos == 0
        first, last = self.tok, self.at(end - 1)
        shown = self.text[first.col - 1:last.col - 1 + len(last.text)]
        self.pos = end
        if not _op(self.tok, "(", "[", "{", "\\left(", "\\left["):
            raise self.fail(f"inside a line, write the argument of {shown} in brackets: {shown}\\left(...\\right)",
                            self.tok)
        variable = self.variable(name, last).expr
        opener, closer = self.open_group()
        inner = self.expression(0)
        self.end_group(opener, closer)
        after = self.tok
        if _op(after, "^", "!", "'") and start:
            self.pos = end
            term = self.expression(_ADD)
            if _op(self.tok, "+", "-"):
                written = self.text[opener.col - 1:self.tok.col - 1].strip()
                raise self.fail(f"ambiguous: write {shown}\\left[{self.text[opener.col - 1:].strip()}\\right] or "
                                f"{shown}\\left[{written}\\right] {self.text[self.tok.col - 1:].strip()}", self.tok)
            return Val(differentiate(term.expr, variable), False, first)
        if _op(after, "^", "!", "'"):
            arg = self.text[opener.col - 1 + len(opener.text):self.at(closer).col - 1].strip()
            arg = arg if len(arg) <= 30 else arg[:29] + "…"
            raise self.fail(f"ambiguous: {after.text} after {shown}(...) may apply to the derivative or to its "
                            f"argument: write \\left({shown}({arg})\\right){after.text}… or "
                            f"{shown}\\left[({arg}){after.text}…\\right]", after)
        return Val(differentiate(inner.expr, variable), False, first)

    def prime(self, left: Val) -> Val:
        """(...)' in a worked step (the token is read only there): the derivative of the bracket."""
        if not _op(self.at(self.pos - 1), ")", "]", "}", "\\right)", "\\right]"):
            raise self.fail("a prime ' differentiates a bracket, as in (x^2)'", self.tok)
        self.advance()
        return Val(differentiate(left.expr, None), False, left.tok)

    def fraction(self, ftok: Token) -> Val:
        """\\frac{a}{b}, \\frac ab, \\frac12."""
        if self.derivative(self.pos - 1) is not None:
            found = self.derivative(self.pos - 1)
            assert found is not None
            shown = self.text[ftok.col - 1:self.at(found[1]).col - 1].strip()
            raise self.fail(f"the derivative operator {shown} may only stand at the start, in front of the "
                            "whole expression", ftok)
        tok = self.tok
        if tok.kind == "NUM" and len(tok.text) == 2 and tok.text.isdigit():  # \frac12 is 1/2, as in TeX
            self.advance()
            after = self.tok
            if after.kind in ("NAME", "NUM") and after.col == tok.col + 2:
                raise self.fail(f"ambiguous: write \\frac{{{tok.text[0]}}}{{{tok.text[1]}{after.text}}} or "
                                f"\\frac{{{tok.text[0]}}}{{{tok.text[1]}}} {after.text}", after)
            second = Token("NUM", tok.text[1], tok.col + 1)
            parts = [constant(int(tok.text[0]), tok), constant(int(tok.text[1]), second)]
        else:
            parts = []
            for alone in (False, True):
                if _op(self.tok, "{"):
                    opener, closer = self.open_group()
                    parts.append(self.expression(0))
                    self.end_group(opener, closer)
                elif self.tok.kind == "END":
                    raise self.fail(f"{ftok.text} needs two arguments, as in {ftok.text}{{1}}{{2}}", self.tok)
                else:
                    parts.append(self.atom(ftok.col, alone))
        value = build_product(self, [("*", parts[0]), ("/", parts[1])])
        return Val(value.expr, value.const, ftok)

    def root(self, stok: Token) -> Val:
        """\\sqrt{x} and \\sqrt[n]{x} = x^(1/n)."""
        index = None
        if _op(self.tok, "["):
            opener, closer = self.open_group()
            index = self.expression(0)
            self.end_group(opener, closer)
        if _op(self.tok, "{"):
            opener, closer = self.open_group()
            radicand = self.expression(0)
            self.end_group(opener, closer)
        elif self.tok.kind == "END":
            raise self.fail("\\sqrt needs an argument, as in \\sqrt{x}", self.tok)
        else:
            radicand = self.atom(stok.col)
        if index is None:  # as the plain grammar's sqrt(x): a constant keeps its written form in messages
            return build_call(self, "sqrt", stok, FUNCTIONS["sqrt"][0], [radicand])
        exponent = build_product(self, [("*", constant(1, index.tok)), ("/", index)])
        if radicand.const and exponent.const:
            power = exponent.expr
            return build_call(self, "root", stok, lambda r: sp.Pow(r, power, evaluate=False), [radicand])
        value = build_power(self, radicand, exponent, stok)
        return Val(value.expr, value.const, stok)

    # ---- functions
    def call(self, ftok: Token) -> Val:
        r"""A function command applied to its argument: \sin(x), \sin{\left(x \right)}, \sin{x}, or one
        factor without brackets (\sin x^2); a power or inverse may come first (\sin^2 x, \sin^{-1} x),
        or a base (\log_{2} x), or \operatorname{atan}_{2}. The arguments are read here, not in a
        helper: two Python frames per nesting level."""
        name, power, extra = self.function_head(ftok)
        tok = self.tok
        braced = _op(tok, "{") and _op(self.at(self.pos + 1), "(", "\\left(") and \
            self.partner[self.pos + 1] + 1 == self.partner[self.pos]
        args: list[Val] = []
        if braced or _op(tok, *ROUND):
            opener = self.tokens[self.pos + 1] if braced else tok
            self.pos += 2 if braced else 1
            closer = self.partner[self.pos - 1]
            if self.pos != closer:
                args.append(self.expression(0))
                while _op(self.tok, ","):
                    self.advance()
                    args.append(self.expression(0))
            if self.pos != closer:
                raise self.fail(_expected(opener), self.tok)
            self.pos += 2 if braced else 1
        elif _op(tok, "{"):
            group, closer = self.open_group()
            args.append(self.expression(0))
            self.end_group(group, closer)
        elif self.starts_operand(tok):
            args.append(self.expression(_UNARY))
            after = self.tok
            if self.starts_operand(after) and not self.is_function_at(self.pos):
                written = self.text[tok.col - 1:after.col - 1].strip()
                rest = self.factor_text(self.pos)
                join = "" if written[-1].isdigit() and rest[0].isalpha() else " "
                raise self.fail(f"ambiguous: write {ftok.text}({written}{join}{rest}) or {ftok.text}({written}) "
                                f"{rest}", after)
        else:
            raise self.fail(f"function {_q(ftok.text)} needs an argument, as in {ftok.text}(x)", ftok)
        self.leave()
        return self.apply(ftok, name, args + extra, power)

    def function_head(self, ftok: Token) -> tuple[str, Val | None, list[Val]]:
        """The function's name, and what is written between it and its argument: a power, a log base,
        a DiracDelta order. One nesting level is entered (call() leaves it)."""
        if ftok.kind == "OPNAME":
            name = named_word(ftok)
            if name not in self.functions:
                raise self.fail(f"unknown function {name!r}", ftok)
        else:
            name = LETTER_FUNCTIONS.get(_cmd(ftok), _cmd(ftok))
        self.enter(ftok)
        extra: list[Val] = []
        if _op(self.tok, "_"):
            extra, name = self.function_subscript(ftok, name)
        power: Val | None = None
        if _op(self.tok, "^"):
            power, name, order = self.function_power(ftok, name)
            extra += order
        return name, power, extra

    def apply(self, ftok: Token, name: str, args: list[Val], power: Val | None) -> Val:
        builder, arities = self.functions.get(name) or FUNCTIONS.get(name) or EXTRA_FUNCTIONS[name]
        if len(args) not in arities and not (name == "DiracDelta" and len(args) == 2):
            raise self.fail(f"{ftok.text} takes {arity_text(arities)}, got {len(args)}", ftok)
        value = build_call(self, name, ftok, builder, args)
        return value if power is None else build_power(self, value, power, power.tok)

    def function_subscript(self, ftok: Token, name: str) -> tuple[list[Val], str]:
        r"""\log_{b} (the base, as a second argument) or \operatorname{atan}_{2} (atan2)."""
        underscore = self.advance()
        tok = self.tok
        if name == "atan" and (tok.text == "2" or (_op(tok, "{") and self.at(self.pos + 1).text == "2"
                                                 and self.partner[self.pos] == self.pos + 2)):
            self.pos += 1 if tok.text == "2" else 3
            return [], "atan2"
        if name != "log":
            raise self.fail(f"{ftok.text} takes no subscript", underscore)
        if _op(tok, "{"):
            opener, closer = self.open_group()
            base = self.expression(0)
            self.end_group(opener, closer)
        else:
            base = self.atom(ftok.col)
        return [base], name

    def function_power(self, ftok: Token, name: str) -> tuple[Val | None, str, list[Val]]:
        r"""The superscript between a function and its argument: (power, name, extra arguments).
        \sin^{-1} is the inverse function (name becomes asin); \delta^{\left( 1 \right)} is the
        derivative order of DiracDelta, as SymPy prints it."""
        self.advance()
        tok = self.tok
        if _op(tok, "{"):
            closer = self.partner[self.pos]
            inside = self.tokens[self.pos + 1:closer]
            if [t.text for t in inside] == ["-", "1"]:
                self.pos = closer + 1
                if name not in INVERSES:
                    raise self.fail(f"{ftok.text}^{{-1}} would be the inverse function of {ftok.text}, which "
                                    f"chainsym does not know; for the reciprocal write \\frac{{1}}{{{ftok.text} x}}",
                                    ftok)
                return None, INVERSES[name], []
            if name == "DiracDelta" and [t.text for t in inside][::2] == ["\\left(", "\\right)"] and len(inside) == 3:
                self.pos = closer + 1
                return None, name, [Val(self.number(inside[1]), True, inside[1])]
            opener, closer = self.open_group()
            exponent = self.expression(0)
            self.end_group(opener, closer)
            return exponent, name, []
        if _op(tok, "-"):
            raise self.fail(f"write {ftok.text}^{{-1}}: an exponent with a sign needs braces", tok)
        if tok.kind in ("NUM", "NAME") or self.is_symbol(tok):
            return self.atom(ftok.col), name, []
        raise self.fail(f"after {ftok.text}^ write a digit or a group, as in {ftok.text}^2 x or {ftok.text}^{{-1}} x",
                        tok)

    def factor_text(self, k: int) -> str:
        """The text of the operand starting at token k, for a message."""
        tok = self.tokens[k]
        if k in self.partner:
            return self.text[tok.col - 1:self.tokens[self.partner[k]].col - 1 + len(self.tokens[self.partner[k]].text)]
        return tok.text if tok.kind in ("NAME", "NUM") or tok.kind == "CMD" else tok.text + "…"
