"""Expressions every mode must differentiate correctly, checked against sympy.diff.

Built from the parser's function table (each function alone, composed and shared) plus the
rules Add, Mul, Pow in their corner cases, the seeds' worked examples and multi-path sums.
"""

from __future__ import annotations

from chainsym.syntax import FUNCTIONS

_TWO_ARGUMENTS = {"atan2": "atan2(x^2 + 1, x)", "arctan2": "arctan2(x, x^2 + 2)",
                  "max": "max(x, x^2 - 1)", "min": "min(sin x, x/2)", "Max": "Max(x^2, 2 - x)",
                  "Min": "Min(exp(x), x + 2)", "polygamma": "polygamma(1, x^2 + 1)"}
_LOG_BASE = "log(x^2 + 1, 3)"


def _function_cases() -> list[str]:
    cases = []
    for name in sorted(FUNCTIONS):
        if name in _TWO_ARGUMENTS:
            cases.append(_TWO_ARGUMENTS[name])
            continue
        cases += [f"{name}(x)", f"{name}(x^2/3 + x/5)", f"{name}(x)*{name}(x) + {name}(x)"]
    return cases


RULE_CASES = [
    "x", "x + 1", "3x", "x + x", "x*x", "x*x*x", "x^2", "x^3 + 2x^2 - x + 7", "x^-1", "1/x", "x^(1/3)",
    "x^(-3/2)", "sqrt(x)", "x^x", "2^x", "x^(2^x)", "(x^2+1)^x", "x/(1+x^2)", "(x+1)(x-1)",
    "(2x+3)^2", "(x+1)^10", "e^(x^2)", "e^x", "ln x", "log(x, 2)", _LOG_BASE, "x - -x",
    "-x^2", "x/2y + y", "2x + 3x", "x + x^2", "x * x^2", "sin(x + x^2)", "sin(x)*sin(x) + sin(x)",
    "sin(cos(tan(x)))", "exp(sin(x))^2", "sqrt(1 + sqrt(1 + sqrt(1 + x)))", "x^2 y + sin y",
    "sigmoid(2x - 1) * (1 - x)", "relu(x - 1) + relu(1 - x)", "softplus(x)^2",
    "(sigmoid(x) - 1/2)^2", "log(1 + exp(-x))", "abs(x)^3", "abs(sin x)", "x*abs(x)",
    "tanh(3x + 1) * x", "atan(x) + atan(1/x)", "sin(x)^2 + cos(x)^2", "cos(5x)",
    "pi x + e", "sin(pi x)/x", "x^100", "(x^2 - 1)/(x^2 + 1)", "exp(-x^2/2)/sqrt(2 pi)",
    "log(log(x^2 + 3))", "1/(1 + exp(-(3x + 2)))", "(1 - x)^(1/2) + (1 + x)^(1/2)",
]

CORPUS: list[str] = _function_cases() + RULE_CASES
