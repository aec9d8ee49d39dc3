"""Hostile and malformed inputs: each must be refused with exit 2 and a one-line error.

Moved out when textbook notation became valid input (tests/notation_corpus.py gives their meaning):
"x²" (x^2), "√x" (sqrt(x)), "S(1)" (the variable S times 1), "x!" (factorial(x)), "x # comment"
(a program's comment)."""

from __future__ import annotations

import keyword

CANARY = "/tmp/chainsym-canary-must-not-exist"

INJECTION = [
    f"__import__('os').system('touch {CANARY}')",
    f"__import__(\"os\").system(\"touch {CANARY}\")",
    "os.system('ls')", "eval('1+1')", "exec('x=1')", "open('/etc/passwd').read()", "globals()", "locals()",
    "vars()", "getattr(x, 'y')", "compile('1', '', 'eval')", "breakpoint()", "input()", "print(1)", "help()",
    "exit()", "quit()", "Symbol('x')", "sympify('x')", "Integer(1)", "lambdify(x, x)", "type(x)",
    "len(x)", "range(10)", "dir()", "id(x)", "hash(x)", "chr(65)", "setattr(x, 'a', 1)", "delattr(x, 'a')",
    "memoryview(x)", "bytes(1)", "iter(x)", "next(x)", "object()", "super()", "classmethod(x)",
    "x.real", "x.subs(x, 1)", "sin.__globals__", "(1).__add__(2)", "x . y", "x.__class__",
    "().__class__.__bases__[0].__subclasses__()", "[].__class__", "__builtins__", "__class__",
    "__dict__ + 1", "__x__ * 2", "x[0]", "x[1:2]", "{}", "{'a': 1}", "x; import os", "import os",
    "from os import system", "x \\\n + 1", "@x", "x @ y", "~x", "x & y", "x | y", "x ^^ y",
    "x << 2", "x >> 2", "x % 3", "x // 2", "not x", "x and y", "x or y", "x if y else z", "x == y", "x != y",
    "x < y", "x <= y", "x > y", "x >= y", "x is y", "x in y", "x, y", "(x, y)", "x = 1",
    "[x for x in y]", "{x for x in y}", "{x: 1 for x in y}", "(x for x in y)", "sum(x for x in range(9))",
    "lambda: 0", "(lambda x: x)(1)", "lambda x: __import__('os')", "f\"{x}\"",
    "f'{__import__(\"os\").system(\"ls\")}'", "rf'x'", "b'x'", "'x'", "\"x\"", "'''x'''", "(y := 1)", "x := 2",
    "yield x", "await x", "async x", "*x", "**x", "x, *y", "x: int", "x -> y", "`x`", "$x", "x?",
    "#x", "\\x", "x ... y", "...", "None", "True + 1", "False",
]
KEYWORDS = [f"{k} + 1" for k in keyword.kwlist]
UNICODE = [
    "ｘ + 1", "ｓｉｎ(x)", "\u0445 + 1", "\u03bf + 1", "\u212f^x", "\U0001d465", "\u2179", "∞", "½",
    "x\u200b+1", "x\u202e+1", "\ufeffx", "x\u00a0+1", "\ufb01", "x\u2028+1", "ｅ^x", "x＋1", "（x）", "x\u2215y",
]
CONTROL = ["x\x00", "x\x1b[31m", "\x07x", "x\x08", "x\x7f", "x\x0b+1", "x\x0c+1", "\x1bx", "x\x9b1m"]
SIZES = [
    "x" * 1_000_000, "(" * 5000 + "x" + ")" * 5000, "+".join(["x"] * 100_000), "-" * 10_000 + "x",
    "x" + "^x" * 1000, "sin(" * 3000 + "x" + ")" * 3000,
]
HUGE = [
    "2**10**10", "((9**9)**9999)**9999", "9**9**9", "10**1001", "1e1001", "factorial(10**9)", "factorial(2000)",
    "gamma(10**6)", "(2/3)**100000", "sqrt(2)**100000", "pi**(10**9)", "2^2^2^2^2^2", "1" * 1001 + " x",
    "x * 10**2000", "e^(10**1001)",
]
UNDEFINED = [
    "1/0", "log(0)", "oo", "-oo", "zoo", "nan", "inf", "x/0", "0^-1", "tan(pi/2)", "cot(0)", "1/(1-1)",
    "log(0, 2)", "atan2(0, 0)", "0/0", "acoth(1)", "x + 1/0", "sin(x)/(2-2)", "I", "x + I",
]
EMPTY = ["", " ", "\t\n", ";", "()", "(", ")", "+", "-", "*", "^", ",", "x +", "sin()", "log(,)"]

LATEX = [
    # TeX's own commands: no TeX is ever run, each is refused by name
    "\\input{/etc/passwd}", "\\include{secret}", "\\def\\x{1}\\x", "\\catcode`\\^=7 x^2",
    "\\csname input\\endcsname{/etc/passwd}", f"\\write18{{touch {CANARY}}}", f"\\immediate\\write18{{touch {CANARY}}}",
    "\\openout1=x", "\\read16 to \\x", "\\newcommand{\\x}{1}", "\\renewcommand{\\sin}{\\input}", "\\let\\x=\\input",
    "\\expandafter\\input", "\\usepackage{shellesc}", "\\begin{verbatim}x\\end{verbatim}", "\\special{shell}",
    "\\jobname", "\\string\\input", "\\relax x", "x + \\input{x}",
    # unknown commands
    "\\foo", "\\sum_{i=1}^{n} x", "\\int_0^1 x dx", "\\lim_{x \\to 0} x", "\\mathbb{R}", "\\vec{x}", "\\tilde{x}",
    "\\color{red}{x}", "\\href{http://x}{x}", "\\url{file:///etc/passwd}", "\\(x\\)", "\\[x\\]", "\\bigl(x\\bigr)",
    "\\operatorname{eval}(x)", "\\operatorname{__import__}(x)", "\\mathrm{__class__}", "\\text{lambda}",
    # unbalanced and malformed
    "\\frac{1}{2", "\\frac{1}{2}}", "\\frac{1}", "\\frac", "\\sqrt", "\\sqrt[3]", "\\left( x", "x \\right)",
    "\\left( x \\right]", "\\left\\{ x \\right\\}", "{x}^{2", "\\sin^{", "x_{", "\\", "x \\", "\\\\", "$\\frac{1}{2}$",
    "\\,", "\\quad", "\\left(\\right)", "\\frac{}{}", "x^2^3\\,", "x_1_2\\,", "\\sin", "\\log_", "\\frac{dy}{dx}",
    "\\frac{d^2}{dx^2} x", "2\\frac{d}{dx} x", "\\sin 2x", "x^23 \\,", "e^xy\\,", "\\sin^-1 x", "\\ln^{-1} x",
    "\\frac{ｘ}{2}", "\\sin x\u202e", "\\frac{1}{x}\x00", "\\alpha\x1b[2J", "\\sin x'", "\\partial x", "\\infty",
    # deep, long and huge
    "\\frac{1}{" * 5000 + "x" + "}" * 5000, "\\sqrt{" * 5000 + "x" + "}" * 5000, "{" * 20000 + "\\pi" + "}" * 20000,
    "\\left(" * 5000 + "x" + "\\right)" * 5000, "\\left|" * 5000 + "x" + "\\right|" * 5000, "x^{" * 10000 + "2" + "}" * 10000,
    "\\sin^{" * 3000 + "2" + "}x" * 3000, "\\log_{" * 3000 + "2" + "}x" * 3000, "-" * 50000 + "\\pi",
    "\\frac{" * 50000, "}" * 50000 + "\\pi", "\\alpha" * 20000, "\\sqrt[10^{10^{10}}]{x}", "\\sqrt[2^{100000}]{2}",
    "\\sqrt[" + "9" * 2000 + "]{x}", "10^{1001}\\,", "2^{10^{10}} \\cdot x", "\\Gamma(10^{6})", "\\left(10^{9}\\right)!",
    "\\frac{1}{0}", "\\ln 0", "\\tan\\frac{\\pi}{2}", "\\sqrt{-1}", "0^{-1}\\,", "\\frac{x}{1-1}",
]
"""LaTeX: TeX commands, unknown commands, unbalanced braces, deep nesting, huge roots"""
NOTATION = [
    "|" * 5000 + "x" + "|" * 5000, "|a|b|c|", "|x", "x|", "||", "sin x(x+1)", "sin 2(x+1)", "√2x", "sin^-1", "ln^-1 x",
    "√" * 5000 + "x", "x" + "²" * 5000, "2" + "⁹" * 20, "x⁻", "²x", "x(" * 5000 + "x" + ")" * 5000, "sin^2 " * 5000 + "x",
    "x!!", "10000!", "f(x, y)", "print(1)", "sine(x)", "e(x)", "x^{" * 5000, "# only a comment",
    "∛-8", "√(-1)",
]
"""Textbook notation: ambiguous bars, functions' powers and inverses, superscripts, roots"""

HOSTILE: list[str] = INJECTION + KEYWORDS + UNICODE + CONTROL + SIZES + HUGE + UNDEFINED + EMPTY + LATEX + NOTATION
