"""The one verdict module and its oracles: identical, by expand, exact at rational points,
numeric at random points with a confirmed difference, differentiation by numbers for large
expressions, gradients along random directions, and one way to combine verdicts."""

from __future__ import annotations

import itertools
import re
import threading
from fractions import Fraction

import mpmath
import pytest
import sympy as sp
from conftest import x, y

import chainsym
from chainsym.functions import relu
from chainsym.limits import Limits
from chainsym.model import Verification
from chainsym.numeric import NotANumber, evaluate
from chainsym.oracle import DIFFERENCES, directional, verify_derivative, verify_gradient
from chainsym.residues import exact, fingerprint, modular, modular_slope, prime_of, residue
from chainsym.sampling import Sampler, seed_of
from chainsym.verdict import POINTS, TOLERANCE_TEXT, breakpoints_of, combine, compare


def test_identical_is_proved() -> None:
    v = verify_derivative(sp.sin(x), x, sp.cos(x), [x], Limits(), seed=1)
    assert (v.status, v.method, v.detail) == ("proved", "identical", "symbolic: identical")


def test_equal_after_expand_is_proved() -> None:
    v = compare(2 * (x + 1) ** 2, 2 * x**2 + 4 * x + 2, [x], seed=1)
    assert (v.status, v.method) == ("proved", "expand")


def test_rational_functions_are_compared_exactly() -> None:
    v = compare(1 / (x - 1) - 1 / (x + 1), 2 / (x**2 - 1) + 0 * (x ** 20 * (x + 1) ** 13), [x], seed=1)
    assert (v.status, v.method) == ("proved", "expand") or (v.status, v.method) == ("proved", "exact")
    wrong = compare(2 * x, 2 * x + sp.Rational(1, 10**900), [x], seed=1)
    assert wrong.status == "mismatch" and wrong.method in ("exact", "expand")


def test_an_identity_only_numbers_see_is_numeric() -> None:
    v = compare(sp.atan(x) + sp.atan(1 / x), sp.pi / 2 * sp.sign(x), [x], seed=7)
    assert (v.status, v.method, v.tolerance) == ("numeric", "numeric", TOLERANCE_TEXT)
    assert v.detail == "numerically at 5 random real points" and len(v.points) == 5 and v.seed == 7


def test_relu_is_checked_numerically() -> None:
    v = verify_derivative(relu(x) * x, x, sp.Heaviside(x, 0) * x + relu(x), [x], Limits(), seed=3)
    assert v.ok


def test_a_tiny_relative_error_is_caught() -> None:
    """2x·(1 + 10⁻¹³) is not 2x, even through a transcendental function."""
    assert compare(sp.cos(x) * (1 + sp.Rational(1, 10**13)), sp.cos(x), [x], seed=1).status == "mismatch"


def test_wrong_claim_is_a_mismatch_with_a_point() -> None:
    v = verify_derivative(sp.sin(x**2), x, sp.cos(x**2), [x], Limits(), seed=1)
    assert v.status == "mismatch"
    assert v.detail.startswith("at x = ") and "chainsym gives" in v.detail and "sympy.diff gives" in v.detail
    assert "differentiation by numbers confirms it" in v.detail
    (point,) = v.points
    (name, value), = point
    assert name == "x"


def test_complex_points_when_the_real_domain_is_empty() -> None:
    expr = sp.sqrt(-1 - x**2)
    v = compare(sp.diff(expr, x), -x / sp.sqrt(-1 - x**2), [x], seed=1, domain_of=expr)
    assert v.ok


def test_the_same_question_draws_the_same_points() -> None:
    a = compare(sp.atan(x), sp.atan(x) + 0 * x, [x], seed=seed_of("atan"))
    b = compare(sp.tanh(x) ** 2 + 1 / sp.cosh(x) ** 2, sp.Integer(1), [x], seed=seed_of("tanh"))
    assert b == compare(sp.tanh(x) ** 2 + 1 / sp.cosh(x) ** 2, sp.Integer(1), [x], seed=seed_of("tanh"))
    assert a.status == "proved" and b.status == "numeric"


def logistic(k: int) -> sp.Expr:
    expr: sp.Expr = x
    for _ in range(k):
        expr = 3 * expr * (1 - expr)
    return expr


def test_large_derivatives_are_differentiated_by_numbers(without_symengine: None) -> None:
    expr = sp.sin(logistic(12))
    v = verify_derivative(expr, x, sp.diff(expr, x), [x], Limits(), seed=1)
    assert (v.status, v.oracle) == ("numeric", DIFFERENCES)
    assert v.detail.startswith("numerically at 5 random real points (the derivative has more than 5000 tree nodes")


def test_differentiation_by_numbers_catches_a_wrong_derivative(without_symengine: None) -> None:
    expr = sp.sin(logistic(12))
    v = verify_derivative(expr, x, sp.diff(expr, x) + x / 10**6, [x], Limits(), seed=1)
    assert v.status == "mismatch" and "differentiation by numbers gives" in v.detail


def test_a_large_rational_derivative_is_proved_by_dual_numbers() -> None:
    """Past sympy.diff's size a polynomial's derivative is checked exactly against f's own slope,
    with or without SymEngine; a wrong one whose exact values are too long to print is shown by
    the residues that differ."""
    expr = logistic(12)
    v = verify_derivative(expr, x, sp.diff(expr, x), [x], Limits(), seed=1)
    assert (v.status, v.method, v.oracle) == ("proved", "exact", "slopes along random directions")
    assert v.detail == ("exactly (dual numbers over the rationals, modulo a random 62-bit prime) at 2 random points, "
                        "f's own slope equals the derivative; a wrong answer passes each point with probability "
                        "≤ 366592/10^14")
    wrong = verify_derivative(expr, x, sp.diff(expr, x) + x / 10**6, [x], Limits(), seed=1)
    assert (wrong.status, wrong.method) == ("mismatch", "exact")
    assert re.fullmatch(r"at x = 0\.932608880977787845: chainsym's derivative gives a slope of 0\.424256345572, f's "
                        r"own slope is 0\.424255412963 \(exact values too long to print; modulo the prime \d{19} they "
                        r"are \d+ and \d+\)", wrong.detail)


def test_a_gradient_is_checked_along_random_directions() -> None:
    variables = list(sp.symbols("a1:11", real=True))
    f = sp.tanh(sum(v * (i + 1) for i, v in enumerate(variables))) ** 2
    right = [sp.diff(f, v) for v in variables]
    ok = verify_gradient(f, variables, right, variables, Limits(), seed=1)
    assert {(v.status, v.oracle) for v in ok} == {("numeric", "slopes along random directions")}
    wrong = list(right)
    wrong[3] += variables[0] / 10**6
    bad = verify_gradient(f, variables, wrong, variables, Limits(), seed=1)
    assert bad[0].status == "mismatch" and "along a random direction" in bad[0].detail


def test_a_rational_gradient_is_checked_exactly() -> None:
    variables = list(sp.symbols("a1:21", real=True))
    f = sp.Mul(*variables) / (1 + variables[0] ** 2)
    right = [sp.diff(f, v) for v in variables]
    ok = directional(f, variables, right, variables, seed=1)
    assert (ok.status, ok.method) == ("proved", "exact")
    wrong = list(right)
    wrong[5] = wrong[5] * (1 + sp.Rational(1, 10**30))
    assert directional(f, variables, wrong, variables, seed=1).status == "mismatch"


def test_residues_are_the_exact_values_residues() -> None:
    """Modular evaluation is a homomorphism: the residue of each exact value, and with a direction
    the residue of the exact slope (the derivative sympy.diff gives, evaluated exactly)."""
    prime = prime_of(5)
    assert prime == prime_of(5) and 2**61 < prime < 2**62 and sp.isprime(prime)
    exprs = [(x**2 + y) / (x - y) ** 3, x**-2 * y - sp.Rational(7, 3), (1 + x * y) ** 5 / y]
    point = {x: Fraction(3, 7), y: Fraction(-2, 5)}
    assert modular(exprs, point, prime) == [residue(v, prime) for v in exact(exprs, point)]
    slopes = [modular_slope(e, point, {x: Fraction(1, 2), y: Fraction(-3)}, prime) for e in exprs]
    along = [sp.diff(e, x) / 2 - 3 * sp.diff(e, y) for e in exprs]
    assert slopes == [residue(v, prime) for v in exact(along, point)]
    with pytest.raises(NotANumber):
        modular([1 / (x - y)], {x: Fraction(1, 3), y: Fraction(1, 3)}, prime)


def test_rational_values_too_long_to_write_are_still_compared_exactly() -> None:
    """x^1500·x^1500 at a point with a 4-digit denominator has tens of thousands of digits: the
    exact fractions are refused, the residues decide."""
    long_way = sp.Mul(x**1500, x**1500, evaluate=False)
    v = compare(long_way + 1 / x, x**3000 + 1 / x, [x], seed=1)
    assert (v.status, v.method) == ("proved", "exact") and "(modulo a random 62-bit prime)" in v.detail
    wrong = compare(long_way + 1 / x, x**3000 + 1 / x + 1, [x], seed=1)
    assert (wrong.status, wrong.method) == ("mismatch", "exact")
    assert re.fullmatch(r"at x = \S+: chainsym and sympy.diff differ: modulo the prime \d{19} they are \d+ and \d+",
                        wrong.detail)
    small = compare(x**3 + 1 / x, x**3 + 4 / (3 * x), [x], seed=1)
    (point,) = small.points
    at = Fraction(point[0][1])
    assert small.detail == f"at x = {point[0][1]}: chainsym gives {at**3 + 1 / at}, sympy.diff gives {at**3 + 4 / (3 * at)}"


def test_a_difference_too_long_to_print_is_read_in_decimals() -> None:
    wrong = directional(x**3000 / 3000, [x], [x**2999 * (1 + sp.Rational(1, 10**6))], [x], seed=5)
    assert re.fullmatch(r"at x = 5\.875097172755435064: chainsym's derivative gives a slope of 1\.88863390576e\+2306, "
                        r"f's own slope is 1\.88863201713e\+2306 \(exact values too long to print; modulo the prime "
                        r"\d{19} they are \d+ and \d+\)", wrong.detail)


def test_one_way_to_combine_verdicts() -> None:
    proved = Verification("proved", "identical", "symbolic: identical")
    numeric = Verification("numeric", "numeric", "numerically at 5 random real points")
    skipped = Verification("skipped", "none", "no point found")
    mismatch = Verification("mismatch", "numeric", "at x = 1: …")
    assert combine([proved, numeric]).status == "numeric"
    assert combine([proved, numeric, skipped]).status == "skipped"
    assert combine([skipped, mismatch, proved]) == mismatch
    assert combine([proved, proved]) == proved


def test_breakpoints_of_steps_and_kinks() -> None:
    points = breakpoints_of([sp.Heaviside(x - 3) + relu(2 * x + 1) + sp.Abs(y)], [x, y])
    assert sorted(points[x]) == [-0.5, 3] and points[y] == (0,)


def test_verdicts_are_the_same_in_threads() -> None:
    """No global mpmath precision: a thread raising mpmath's own precision changes nothing here."""
    serial = [chainsym.diff(e).verification for e in ("atan(x)*exp(-x^2)", "sigmoid(x)^3", "log(1 + x^4)")]
    found: list[object] = []

    def noisy() -> None:
        for _ in range(2000):
            mpmath.mp.dps = 5
            mpmath.mp.dps = 15

    def work(e: str) -> None:
        found.append((e, chainsym.diff(e).verification))

    threads = [threading.Thread(target=noisy)] + [threading.Thread(target=work, args=(e,))
                                                   for e in ("atan(x)*exp(-x^2)", "sigmoid(x)^3", "log(1 + x^4)")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dict(found) == dict(zip(("atan(x)*exp(-x^2)", "sigmoid(x)^3", "log(1 + x^4)"), serial, strict=False))
    assert mpmath.mp.dps == 15


@pytest.mark.parametrize("claim", ["cos(x) + 1000*Heaviside(x - 3)", "cos(x) + relu(x - 3)"])
def test_claims_cannot_hide_a_step_outside_small_points(claim: str) -> None:
    assert not chainsym.check("sin(x)", claim).correct


def test_what_the_residues_cannot_prove_is_not_called_proved() -> None:
    """Found by a fresh-eyes attack: x^L ≡ 1 modulo p whenever p − 1 divides L (Fermat), so past a
    degree near the prime the residues prove nothing: such functions are compared by numbers. An
    exact mismatch stands against numbers that cannot see it (1/10^40 is below their tolerance),
    and an exact number too long to write (Python refuses ints of 4,300+ digits) is named by size."""
    p = prime_of(1)
    planted = verify_derivative((x + 1) ** 14, x, 14 * (x + 1) ** 13 + p * x**13, [x], Limits(), seed=1)
    assert planted.status == "mismatch"  # the prime depends on what is compared, not on the seed alone
    fermat = compare(x ** (p - 1), sp.Integer(1), [x], seed=1)
    assert fermat.status == "skipped"  # too large for numbers too: not decided, never "proved"
    tiny = verify_derivative(x**13, x, 13 * x**12 + sp.Rational(1, 10**40), [x], Limits(), seed=1)
    assert (tiny.status, tiny.method) == ("mismatch", "expand")
    big = sp.Integer(10) ** 4400
    long_degree = compare(sp.Mul(x**big, x, evaluate=False), x ** (big + 1), [x], seed=1)
    assert long_degree.status == "skipped"  # past the degree the residues can prove, and past numbers
    far = directional((x + sp.Rational(1, 3)) ** 1400, [x], [sp.Integer(0)], [x], seed=2)  # a slope of ~10^-440
    assert far.status == "mismatch" and "chainsym's derivative and f's own slope differ: modulo the prime" in far.detail


def test_one_check_of_the_whole_gradient_is_printed_once() -> None:
    """Slopes along random directions check every component at once: one verdict line, not one
    per component; component-wise checks keep a line each, naming their variable."""
    many = chainsym.diff("tanh(" + " + ".join(f"a{i}*b{i}" for i in range(1, 6)) + ")", "all")
    lines = [line for line in str(many).splitlines() if line.startswith("verified")]
    assert len(many.wrt) == 10 and len(lines) == 1
    assert lines[0].startswith("verified: equal to slopes along random directions numerically (mpmath.diff of f) "
                               "at 5 random points, every component at once")
    few = chainsym.diff("x^2*y", "all")
    assert [line for line in str(few).splitlines() if line.startswith("verified")] == [
        "verified: equal to sympy.diff(f, x) (symbolic: identical)",
        "verified: equal to sympy.diff(f, y) (symbolic: identical)"]


# --- identities as rational functions of independent parts ---------------------------------------

def test_a_rearranged_transcendental_derivative_is_proved_as_a_function_of_its_parts() -> None:
    v = compare(sp.exp(x) * (sp.cos(x) - sp.sin(x)), sp.exp(x) * sp.cos(x) - sp.exp(x) * sp.sin(x), [x], seed=7)
    assert (v.status, v.method, v.points) == ("proved", "independent", ())
    assert v.detail == ("exactly as rational functions of cos(x), exp(x) and sin(x) (as independent variables), "
                        "at 2 random points modulo a random 62-bit prime; a nonzero difference would vanish at each "
                        "with probability ≤ 8/2^61")
    assert compare(sp.exp(x) * (sp.cos(x) - sp.sin(x)), sp.exp(x) * sp.cos(x) - sp.exp(x) * sp.sin(x), [x],
                   seed=7) == v  # the same question, the same verdict


def test_a_square_root_keeps_its_square() -> None:
    """x·√(2x+1) is sympy.diff's (3x−1)√(2x+1)/5 + (2x+1)^(3/2)/5 only because (√(2x+1))² = 2x+1."""
    f = sp.Rational(1, 15) * (3 * x - 1) * (2 * x + 1) ** sp.Rational(3, 2)
    v = compare(x * sp.sqrt(2 * x + 1), sp.diff(f, x), [x], seed=1)
    assert (v.status, v.method) == ("proved", "independent")
    assert "(as independent variables; the square root with either sign)" in v.detail


@pytest.mark.parametrize(("ours", "theirs"), [
    (sp.Integer(1), (x + 1) / sp.sqrt(x**2 + 2 * x + 1)),  # true for x > −1 only: one branch
    (sp.sqrt(x) * sp.sqrt(y), sp.sqrt(x * y)),  # false where x and y are negative
    (sp.sin(x) * x, sp.sin(x) * x + sp.Rational(1, 10**6) * sp.cos(x)),
])
def test_what_holds_on_one_branch_or_not_at_all_is_not_proved(ours: sp.Expr, theirs: sp.Expr) -> None:
    v = compare(ours, theirs, [x, y], seed=3)
    assert (v.status, v.method) == ("mismatch", "numeric")


def test_a_wrong_answer_built_to_vanish_at_the_seeds_points_is_caught() -> None:
    """cos(x) + Π(x − pᵢ) over the points the seed alone draws equals cos(x) at each of them: it
    passed as 'numeric' while the points depended on the seed only. They are salted by what is
    compared now, so changing the answer changes the points."""
    sampler = Sampler(11)
    points = [sampler.point([x])[x] for _ in range(POINTS)]
    forged = sp.cos(x) + sp.Mul(*(x - sp.Rational(p.numerator, p.denominator) for p in points))
    assert compare(forged, sp.cos(x), [x], seed=11).status == "mismatch"
    again = Sampler(11, {}, fingerprint([forged, sp.cos(x)]))
    assert [again.point([x])[x] for _ in range(POINTS)] != points
    first = Sampler(11)
    assert [first.point([x])[x] for _ in range(POINTS)] == points  # the same seed and salt, the same points


def test_the_first_points_take_every_sign_pattern() -> None:
    z = sp.Symbol("z", real=True)
    for seed in range(20):
        sampler = Sampler(seed, {}, seed * 7919)
        signs = [tuple(v > 0 for v in sampler.point([x, y, z]).values()) for _ in range(8)]
        assert sorted(signs) == sorted(itertools.product((False, True), repeat=3)) and signs[0] == (True,) * 3


def test_parts_related_otherwise_are_left_to_numbers() -> None:
    v = compare(sp.sin(x) ** 2 + sp.cos(x) ** 2, sp.Integer(1), [x], seed=3)
    assert (v.status, v.method) == ("numeric", "numeric")
    assert compare(sp.nan * x, sp.nan * x + 0, [x], seed=3).status != "proved"
    # below the numbers' tolerance, but no exact method takes a difference of 10^-30 for 0
    assert compare(sp.sin(x) * x, sp.sin(x) * x + sp.Rational(1, 10**30) * sp.cos(x), [x], seed=3).method == "numeric"


def test_knowing_the_seed_does_not_let_a_wrong_answer_be_built_from_the_prime() -> None:
    """Found by a fresh-eyes attack: the prime was salted by residues modulo the fixed prime 2^61 − 1,
    so E + p·(2^61 − 1) had E's salt, E's prime, and E's residues: a constant of 10^36 was 'proved' 0.
    The salt is now a digest of the whole structure, every number in full."""
    for ours, theirs in [(sp.sin(x), sp.sin(x)), (1 / (x + 1), 1 / (x + 1))]:
        for seed in (0, 3):
            p = prime_of(seed, fingerprint([ours, theirs]), three_mod_four=True)
            for wrong in (p * (2**61 - 1), p, p * (2**61 - 1) * x):
                v = compare(ours + wrong, theirs, [x], seed=seed)
                assert v.status == "mismatch", (ours, seed, wrong, v)


def test_a_deep_unevaluated_root_is_no_recursion() -> None:
    nested: sp.Expr = x + 1
    for _ in range(400):
        nested = sp.Pow(sp.Add(nested, 1, evaluate=False), sp.S.Half, evaluate=False)
    v = compare(nested, sp.Mul(nested, 1, evaluate=False), [x], seed=1)  # not identical: the parts decide
    assert (v.status, v.method) == ("proved", "independent")


def test_a_radicand_is_taken_without_its_rational_content() -> None:
    """sympy.diff(asin(x/2)) is 1/(2·√(1 − x²/4)); chainsym's is 1/√(4 − x²): √(c·b) = √c·√b for c > 0."""
    v = compare(1 / sp.sqrt(4 - x**2), sp.diff(sp.asin(x / 2), x), [x], seed=5)
    assert (v.status, v.method) == ("proved", "independent")
    assert "sqrt(4 - x**2)" in v.detail
    assert compare(-2 * sp.sqrt(1 - x**2 / 4), sp.sqrt(4 - x**2), [x], seed=5).status == "mismatch"


def test_a_radicand_with_a_float_keeps_its_form() -> None:
    """Found by a fresh-eyes attack: (x/3 + 0.7).as_content_primitive() is (1/3, x + 2.1), and 3·0.7
    rounded is not the Float 2.1 on the other side; the two roots were shared and 'proved' equal."""
    f = sp.Float("0.7", 2)
    v = compare(sp.sqrt(x / 3 + f), sp.sqrt(3) / 3 * sp.sqrt(x + sp.Float("2.1", 2)), [x], seed=3)
    assert v.status == "mismatch"


def test_an_unevaluated_radicand_meets_its_evaluated_twin() -> None:
    """A claim is read unevaluated: √(x² + 1) with its terms in the order typed is the same root."""
    typed = sp.Pow(sp.Pow(sp.Add(x**2, 1, evaluate=False), sp.S.Half, evaluate=False), -1, evaluate=False)
    v = compare(x * typed, x / sp.sqrt(x**2 + 1), [x], seed=2)
    assert (v.status, v.method) == ("proved", "independent")


# --- relations between parts that always hold (parts.py) -----------------------------------------

def _unevaluated_root(n: int) -> sp.Expr:
    return sp.Pow(sp.Integer(n), sp.S.Half, evaluate=False)


@pytest.mark.parametrize("text", [
    "1/(2 sqrt(5)) ln((x - sqrt(5))/(x + sqrt(5)))",  # √5² = 5
    "1/2 ln((sqrt(2x + 4) - 2)/(sqrt(2x + 4) + 2))",  # √(2x + 4) = √2·√(x + 2)
    "acosh(x/3)",  # √(x/3 − 1) = √3/3·√(x − 3)
    "-sqrt(6x - x^2) + 3 asin((x - 3)/3)",  # 1 − (x − 3)²/9 multiplied out is (6x − x²)/9
    "(e^x - e^(-x))/(e^x + e^(-x))",  # exp(2x) = exp(x)², exp(−x) = 1/exp(x)
    "x^(sin x)",  # x^(sin(x) − 1) = x^sin(x)/x
    "x^(a + 1) (ln(x)/(a + 1) - 1/(a + 1)^2)",  # x^(a + 1) = x^a·x
])
def test_textbook_derivatives_that_needed_numbers_are_proved(text: str) -> None:
    v = chainsym.diff(text, "x").verification
    assert (v.status, v.method) == ("proved", "independent")


def test_constant_surds_keep_their_squares_and_products() -> None:
    """√6 = √2·√3 (the roots of 2 and 3 are fixed once; √6 is their product), so a sign error between
    them is a mismatch; an unevaluated √4 is 2, never −2."""
    assert compare(x + _unevaluated_root(6), x + sp.Mul(_unevaluated_root(2), _unevaluated_root(3), evaluate=False),
                   [x], seed=7).method == "independent"
    assert compare(x + _unevaluated_root(6), x - sp.Mul(_unevaluated_root(2), _unevaluated_root(3), evaluate=False),
                   [x], seed=7).status == "mismatch"
    assert compare(x + _unevaluated_root(4), x + 2, [x], seed=7).method == "independent"
    assert compare(x + _unevaluated_root(4), x - 2, [x], seed=7).status == "mismatch"
    assert compare(1 / sp.sqrt(2 * x + 2), -sp.sqrt(2) / (2 * sp.sqrt(x + 1)), [x], seed=7).status == "mismatch"


def test_a_prime_is_found_where_every_surd_has_a_root_within_a_bound() -> None:
    """Each prime under a surd halves the primes that qualify: up to 6 are found, beyond that the
    identity is left to other methods (and the search ends)."""
    for count, method in ((6, "independent"), (7, "expand")):
        total = sum(sp.sqrt(p) for p in list(sp.primerange(2, 18))[:count])
        v = compare(sp.sin(x) * total**2, sp.sin(x) * sp.expand(total**2), [x], seed=7)
        assert (v.status, v.method) == ("proved", method)


def test_exp_and_powers_of_sums_are_products_of_parts() -> None:
    a, b = sp.symbols("a b", real=True)
    for ours, theirs in [(sp.exp(x + a), sp.exp(x) * sp.exp(a)), (sp.exp(x + 1), sp.E * sp.exp(x)),
                         (x ** (a + b), x**a * x**b), (x ** (a + sp.Rational(1, 2)), x**a * sp.sqrt(x)),
                         (2 ** (x / 2 + sp.Rational(1, 2)), sp.sqrt(2) * 2 ** (x / 2))]:
        v = compare(ours, theirs, [x, a, b], seed=7)
        assert (v.status, v.method) == ("proved", "independent"), (ours, theirs)
    assert compare(sp.exp(2 * x), sp.exp(x) ** 3, [x], seed=7).status == "mismatch"
    assert compare(x ** (a + sp.Rational(1, 2)), -(x**a) * sp.sqrt(x), [x, a], seed=7).status == "mismatch"
    # (x^a)^b = x^(ab) only where x > 0: not a relation of parts
    assert compare(sp.Pow(x**a, b), x ** (a * b), [x, a, b], seed=7).method != "independent"


def test_constants_alone_are_compared_without_a_crash() -> None:
    """Found by a fresh-eyes attack: with every part a constant surd there was no part to name
    (IndexError), and SymPy's is_zero of an algebraic constant raised CoercionFailed from its
    minimal polynomial."""
    v = compare(sp.Pow(sp.Integer(1), sp.S.Half, evaluate=False), sp.Integer(1), [x], seed=7)
    assert (v.status, v.method) == ("proved", "independent")
    assert v.detail.startswith("exactly as rational functions of no variable part (numbers and constant square roots)")
    root = sp.Pow(sp.Pow(sp.Rational(2, 3), sp.S.Half, evaluate=False), sp.S.Half, evaluate=False)
    ours = sp.Add(root, 4, sp.Mul(2, sp.log(sp.Integer(-2)), evaluate=False), evaluate=False)
    theirs = sp.Rational(1, 3) * sp.root(2, 4) * sp.Integer(3) ** sp.Rational(3, 4) + 2 * sp.log(2) + 4 + 2 * sp.I * sp.pi
    assert compare(ours, theirs, [x], seed=7).status in ("proved", "numeric")


def test_a_function_of_a_huge_number_is_no_number_not_a_hang() -> None:
    """Found by a fresh-eyes attack: exp(exp(x)^(2y)) at a random point is exp of a number with
    thousands of digits in its exponent, and mpmath reduces it with as many bits of ln 2 (minutes)."""
    y = sp.Symbol("y", real=True)
    v = compare(sp.I * sp.exp(sp.exp(x) ** (2 * y)), sp.I * sp.exp(sp.exp(-x) ** (2 * y)), [x, y], seed=7)
    assert v.status == "mismatch"
    with pytest.raises(NotANumber, match=r"^exp of a number above 2\^4096$"):
        evaluate(sp.exp(sp.exp(sp.exp(x))), {x: 8})
    with pytest.raises(NotANumber, match=r"^a power too large to evaluate$"):  # a rotation by huge·π
        evaluate(sp.Integer(-1) ** (sp.exp(sp.exp(x)) - y), {x: 8, y: 1})


def test_a_power_of_zero_is_never_split_by_its_exponent() -> None:
    """Found by a fresh-eyes attack: 0^(1 + sign(y)) was split as 0·0^sign(y) and 'proved' 0, but it
    is 0^0 = 1 wherever y < 0; `check "sin(x)" --claim "cos(x) + 0^(1 + sign(x))"` was CORRECT."""
    for base in (sp.Integer(0), sp.Add((x + 1) ** 2, -x**2, -2 * x, -1, evaluate=False)):
        v = compare(sp.Pow(base, 1 + sp.sign(y)), sp.Integer(0), [x, y], seed=7)
        assert v.status == "mismatch", base
    assert not chainsym.check("sin(x)", "cos(x) + 0^(1 + sign(x))").correct


def test_what_the_parts_cannot_say_is_left_alone() -> None:
    """Found by the same attack: a Float in a split exponent was rounded into the part's name; a
    radicand holding a negative or large power was multiplied out without bound (minutes); its
    content computed 2^(10^9); a part holding nan was a variable; a deep exponent was printed by
    recursion."""
    f = sp.Float("0.1", 3)
    left = sp.exp(sp.Mul(sp.Rational(2, 3), f, x, evaluate=False), evaluate=False)
    assert compare(left, sp.Pow(sp.exp(sp.Mul(sp.Rational(1, 3), f * x)), 2, evaluate=False), [x],
                   seed=7).method != "independent"
    a, b, c = sp.symbols("a b c")
    for power in (sp.Integer(-25), sp.Rational(2001, 2)):
        root = sp.sqrt((x + y) * (x - y) + (a + b + c + x + y) ** power)
        v = compare(sp.sin(x) * root, sp.Mul(root, sp.sin(x), 1, evaluate=False), [x, y, a, b, c], seed=7)
        assert (v.status, v.method) == ("proved", "independent")
    huge = sp.sqrt(sp.Pow(2 * x + 2, 10**9, evaluate=False))
    v = compare(sp.sin(x) * huge, sp.Mul(sp.sin(x), huge, 1, evaluate=False), [x], seed=7)
    assert (v.status, v.method) == ("proved", "independent")
    nan = sp.Pow(x, sp.nan, evaluate=False)
    assert compare(nan, sp.Pow(x, sp.nan, evaluate=False), [x], seed=7).status != "proved"
    deep: sp.Expr = x
    for _ in range(100):
        deep = x ** (deep + 1)
    assert compare(deep, sp.Mul(deep, 1, evaluate=False), [x], seed=7).method == "independent"
