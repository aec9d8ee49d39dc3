"""How long an exact number is, or would be, counted before anything computes it: a power of a
rational (2**3**4**5, 10^10^10 through a program's definitions) is refused by its size, never
evaluated first. Every estimate is overflow-free (logarithms of bit lengths, not floats of huge ints).
"""

from __future__ import annotations

from fractions import Fraction
from math import inf, log10

import sympy as sp

LOG10_2 = 0.30102999566398120


def _log10_int(n: int) -> float:
    """log10 of a positive integer of any size."""
    bits = n.bit_length()
    if bits < 1000:
        return log10(n)
    return (bits - 1) * LOG10_2  # within one digit


def digits(value: sp.Basic) -> float:
    """About how many decimal digits an exact rational has (the larger of numerator and denominator;
    0 for anything else)."""
    if isinstance(value, sp.Rational):
        return _log10_int(max(abs(int(value.p)), abs(int(value.q)), 1)) + 1
    return 0.0


def power_digits(base: sp.Basic, exponent: sp.Basic) -> float:
    """About how many digits the exact value of base**exponent has (0 when it stays symbolic or small)."""
    if not isinstance(exponent, sp.Rational) or abs(exponent) <= 1:
        return 0.0
    root = base
    scale = sp.Integer(1)
    while isinstance(root, sp.Pow) and isinstance(root.exp, sp.Rational):
        scale *= root.exp
        root = root.base
    magnitude = _magnitude(exponent * scale)
    if isinstance(root, sp.Rational):
        if abs(root.p) <= 1 and root.q == 1:
            return 0.0
        size = digits(root) - 1
        return inf if magnitude > 300 else size * 10.0 ** magnitude
    if not getattr(base, "is_number", False):
        return 0.0
    return inf if magnitude > 300 else 4 * 10.0 ** magnitude  # pi, e, sqrt(2)+1...: only a bound


def _magnitude(q: sp.Rational) -> float:
    """log10 |q| of a rational of any size."""
    return _log10_int(max(abs(int(q.p)), 1)) - _log10_int(max(int(q.q), 1))


def approximate(size: float) -> str:
    """A large count for a message: 1234, 1.2×10^9, or 'a number with more digits than can be counted'."""
    if size == inf:
        return "10^300+"
    if size < 1e6:
        return f"{size:.0f}"
    k = int(log10(size))
    return f"{size / 10**k:.1f}×10^{k}"


LONG_NUMBER_BITS = 3_000
"""an exact number past this many bits (about 900 digits) is written by its size: Python refuses to
write an int of more than 4,300 digits, and no one reads one"""


def number_text(value: int | Fraction) -> str:
    """An exact integer or fraction as text, or its size when it is too long to write."""
    bits = max(abs(value.numerator).bit_length(), value.denominator.bit_length()) if isinstance(value, Fraction) \
        else abs(value).bit_length()
    if bits <= LONG_NUMBER_BITS:
        return str(value)
    return f"(an exact number of about {approximate(bits * 0.30103)} digits)"
