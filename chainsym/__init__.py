"""chainsym: derivatives by the chain rule over a computational graph, shown step by step and verified.

    >>> import chainsym
    >>> chainsym.diff("sin(x+x^2)").result
    (2*x + 1)*cos(x**2 + x)

The public names load on first use (importing chainsym itself imports neither SymPy nor click).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ChainsymError, LimitError, ParseError, UnsupportedOpError, UsageError
from .limits import Limits

if TYPE_CHECKING:
    from .api import check, decompose, derivatives, diff, grad, gradient_code, hessian, jacobian, parse
    from .batch import batch
    from .model import Graph, Node, Verification
    from .results import CheckResult, Derivation, Hessian, Orders
    from .vector_results import Jacobian
    from .work_results import WorkResult
    from .worked import check_work

_LAZY = {
    "batch": "batch", "check": "api", "decompose": "api", "derivatives": "api", "diff": "api", "grad": "api",
    "gradient_code": "api", "hessian": "api", "jacobian": "api", "parse": "api",
    "Graph": "model", "Node": "model", "Verification": "model",
    "CheckResult": "results", "Derivation": "results", "Hessian": "results", "Jacobian": "vector_results",
    "Orders": "results", "WorkResult": "work_results", "check_work": "worked",
}

__all__ = [
    "ChainsymError", "CheckResult", "Derivation", "Graph", "Hessian", "Jacobian", "LimitError", "Limits", "Node",
    "Orders", "ParseError", "UnsupportedOpError", "UsageError", "Verification", "WorkResult", "batch", "check",
    "check_work", "decompose", "derivatives", "diff", "grad", "gradient_code", "hessian", "jacobian", "parse",
]
__version__ = "0.2.0"


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'chainsym' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
