"""chainsym: derivatives by the chain rule over a computational graph, shown step by step and verified.

    >>> import chainsym
    >>> chainsym.diff("sin(x+x^2)").result
    (2*x + 1)*cos(x**2 + x)
"""

from .api import check, decompose, derivatives, diff, grad, gradient_code, hessian, parse
from .errors import ChainsymError, LimitError, ParseError, UnsupportedOpError, UsageError
from .limits import Limits
from .model import Derivation, Graph, Node, Verification
from .vectors import jacobian

__all__ = [
    "ChainsymError", "Derivation", "Graph", "LimitError", "Limits", "Node", "ParseError",
    "UnsupportedOpError", "UsageError", "Verification", "check", "decompose", "derivatives", "diff", "grad",
    "gradient_code", "hessian", "jacobian", "parse",
]
__version__ = "0.1.0"
