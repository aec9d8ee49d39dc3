"""Trust II: every reproduction from the issue, as a test. No wrong answer with exit 0, no unbounded
work, no internal error on valid input, safe in threads and servers, honest files and exit codes."""

from __future__ import annotations

import asyncio
import math
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mpmath
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run

import chainsym
from chainsym import UsageError

PYTHON_M = [sys.executable, "-m", "chainsym"]


def _namespace(code: str) -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(compile(code, "<chainsym>", "exec"), namespace)  # chainsym's own output, not user input
    return namespace


# --- wrong results with exit 0 -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["a*b*c*u1_p1", "u1_s2*a*b*c", "a*b*u1_p2*c", "g_a + grad_a + adj_a + bar_a",
                                  "math*numpy + _sigmoid*_relu*_step", "sigmoid(math) + relu(numpy)*_sigmoid"])
def test_emitted_python_never_overwrites_an_input(text: str) -> None:
    graph = chainsym.decompose(text)
    names = sorted(v.name for v in graph.variables)
    point = {n: 0.3 + 0.11 * i for i, n in enumerate(names)}
    value, gradient = _namespace(chainsym.gradient_code(text, "python"))["value_and_grad"](  # type: ignore[operator]
        *(point[n] for n in names))
    f = chainsym.functions.rewrite_primitives(graph.value)
    subs = {v: point[v.name] for v in graph.variables}
    assert value == pytest.approx(float(f.evalf(30, subs=subs)), rel=1e-12)
    for v, g in zip(sorted(graph.variables, key=lambda s: s.name), gradient, strict=True):
        assert g == pytest.approx(float(sp.diff(f, v).evalf(30, subs=subs)), rel=1e-10)


@pytest.mark.skipif(not any(Path(p, "gcc").exists() for p in os.environ.get("PATH", "").split(":")),
                    reason="no C compiler")
@pytest.mark.parametrize("text", ["pow*fabs + fmax*fmin", "NAN*INFINITY + _Bool", "sigmoid_*relu_*step_ + a*b*c*u1_p1",
                                  "grad + double*int + value_and_grad"])
def test_emitted_c_compiles_with_names_the_c_library_uses(text: str, tmp_path: Path) -> None:
    source = tmp_path / "g.c"
    source.write_text(chainsym.gradient_code(text, "c"), encoding="utf-8")
    done = subprocess.run(["gcc", "-std=c99", "-Wall", "-Werror", "-c", str(source), "-o", str(tmp_path / "g.o")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_user_text_never_leaves_the_comment() -> None:
    code = chainsym.gradient_code("f = a*x\na = x^2", "python")
    assert [line for line in code.splitlines() if line.startswith(("f =", "a ="))] == []
    header = chainsym.gradient_code("f = a*x\r\na = x^2 # */ done", "c").splitlines()[0]
    assert header.startswith("/* value and gradient of f = f = a*x") and header.count("*/") == 1


def test_emitted_code_keeps_exact_semantics_at_a_negative_zero() -> None:
    """atan2(-(relu(x)), x) at x = -0.037: -relu(x) is -0.0 in floating point, which flips atan2."""
    value, _ = _namespace(chainsym.gradient_code("atan2(-(relu(x)), x)", "python"))["value_and_grad"](-0.037)  # type: ignore[operator]
    exact = chainsym.diff("atan2(-(relu(x)), x)", at="x=-0.037", verify=False).point
    assert exact is not None and value == pytest.approx(math.pi) == float(exact.values[-1][1].exact)


def test_numpy_code_for_max_and_erf_runs() -> None:
    numpy = pytest.importorskip("numpy")
    code = chainsym.gradient_code("max(x, y) + erf(x)", "numpy")
    value, gradient = _namespace(code)["value_and_grad"](numpy.array([0.5, -1.0]), numpy.array([0.2, 3.0]))  # type: ignore[operator]
    assert value == pytest.approx([0.5 + math.erf(0.5), 3.0 + math.erf(-1.0)])


@pytest.mark.parametrize("claim", ["cos(x) + 1000*Heaviside(x-3)", "cos(x) + relu(x-3)", "cos(x) + 10^-900",
                                   "cos(x)*(1+1e-13)"])
def test_check_is_not_fooled(runner: CliRunner, claim: str) -> None:
    code, out, _ = run(runner, "check", "sin(x)", "--claim", claim)
    assert code == 1 and "verdict: INCORRECT" in out


@pytest.mark.parametrize("claim", ["2x + relu(x-3)", "2x + 10^-900", "2x*(1+1e-13)"])
def test_check_is_not_fooled_on_a_polynomial(claim: str) -> None:
    r = chainsym.check("x^2", claim)
    assert not r.correct and r.comparison.seed is not None


def test_check_reports_its_seed_and_repeats_itself() -> None:
    a, b = chainsym.check("sin(x)^2", "sin(2x)"), chainsym.check("sin(x)^2", "sin(2x)")
    assert a.correct and a.comparison == b.comparison and a.comparison.seed is not None
    assert f"seed {a.comparison.seed}" in str(a)


@pytest.mark.parametrize("args, message", [
    (["diff", "sqrt(x)", "--at", "x=0", "--lr", "0.1"], "chainsym: error: ∂u1/∂x = 1/(2*sqrt(x)) (for u1 = sqrt(x)) "
                                                         "is not defined at this point (zoo): the derivative does not "
                                                         "exist there\n"),
    (["diff", "0^x"], "chainsym: error: the derivative of u1 = 0**x with respect to x is undefined (0**x*zoo): "
                      "0**x has no derivative there\n"),
    (["diff", "1/(x-x)"], "chainsym: error: 1/(x - x) is undefined for every value of its variables (it is zoo)\n"),
])
def test_undefined_values_are_errors_naming_the_node(runner: CliRunner, args: list[str], message: str) -> None:
    assert run(runner, *args) == (2, "", message)


def test_a_derivative_with_a_limit_is_that_limit() -> None:
    """d(x^y)/dy = x^y·log x at x = 0, y = 2 is 0 (the limit), not nan."""
    d = chainsym.diff("x^y", wrt="y", at="x=0,y=2")
    assert d.point is not None and d.point.gradient[0][1].exact == 0
    assert any("taken as its limit 0" in n for n in d.point.notes)


# --- bounded work ---------------------------------------------------------------------------------

PROGRAM_SQUARES = "; ".join(["f = u29*u29"] + [f"u{k} = u{k - 1}*u{k - 1}" for k in range(29, 1, -1)] + ["u1 = x*x"])


@pytest.mark.parametrize("args, message", [
    (["diff", "f = a*x; b = 10; a = b^b^b"], "10**10000000000 would be an exact number of about 1.0×10^10 digits"),
    (["diff", "factorial(x)", "--at", "x=1000000000"], "factorial of a number above 1000"),
    (["diff", "gamma(x)", "--at", "x=1000000000"], "gamma of a number above 1000"),
    (["diff", PROGRAM_SQUARES, "--at", "x=3"], "is an exact number of more than 1000 digits"),
    (["diff", "2**3**4**5*x"], "the constant power at column 2 would have about 10^300+ digits"),
    (["diff", "x*x*x*x*x", "--at", "x=10^999"], "would be an exact number of about"),
    (["diff", "factorial(x)", "--at", "x=2000"], "factorial of a number above 1000"),
])
def test_huge_exact_values_are_refused_at_once(runner: CliRunner, args: list[str], message: str) -> None:
    started = time.monotonic()
    code, out, err = run(runner, *args)
    assert (code, out) == (2, "") and message in err and err.count("\n") == 1
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("args", [
    ["diff", "tan(sin(x))", "--order", "12", "--at", "x=1/3"],
    ["check", "polygamma(1000000, x)", "--claim", "0"],
    ["hessian", "exp(" + " + ".join(f"v{i}*v{(i + 1) % 30}" for i in range(30)) + ")", "--no-verify"],
    ["jacobian", "[" + ", ".join(f"sin(x*{k}) + x^{k % 7}" for k in range(1, 201)) + "]"],
    ["diff", "x", *[a for k in range(10_000) for a in ("--where", f"a{k} = {k}")]],
    ["diff", "exp(exp(exp(exp(x))))", "--at", "x=10"],
    ["diff", "Heaviside(x) + sign(x)", "--at", "x=0"],
])
def test_nothing_runs_unbounded(runner: CliRunner, args: list[str]) -> None:
    started = time.monotonic()
    code, out, err = run(runner, *args)
    assert code in (0, 1, 2) and "internal error" not in err and "Traceback" not in err, err
    assert time.monotonic() - started < 15, args[:2]


def test_the_json_of_a_long_program_stays_small(runner: CliRunner) -> None:
    program = "; ".join(["f = u150"] + [f"u{k} = sin(u{k - 1})" for k in range(150, 1, -1)] + ["u1 = sin(x)"])
    started = time.monotonic()
    code, out, _ = run(runner, "diff", program, "--format", "json", "--no-verify")
    assert code == 0 and len(out) < 600_000 and time.monotonic() - started < 15


@pytest.mark.parametrize("limit", ["seconds=nan", "seconds=inf", "seconds=1e308", "max_depth=10^100",
                                   "verify_seconds=1"])
def test_limits_are_checked(runner: CliRunner, limit: str) -> None:
    code, out, err = run(runner, "diff", "x^2", "--limit", limit)
    assert (code, out) == (2, "") and err.startswith("chainsym: error: Invalid value for --limit:")


@pytest.mark.parametrize("call", [
    lambda: chainsym.diff("x", wrt=5),  # type: ignore[arg-type]
    lambda: chainsym.check("x^2", None),  # type: ignore[arg-type]
    lambda: chainsym.jacobian(None, None),  # type: ignore[arg-type]
    lambda: chainsym.diff("x^2", at={"x": sp.I}),
    lambda: chainsym.diff("x^2", at={"x": 1}, lr=sp.zoo),
    lambda: chainsym.diff("x^2", limits=chainsym.Limits(max_depth=10**100)),
    lambda: chainsym.diff("x^2", mode="sideways"),
])
def test_library_misuse_is_a_usage_error(call: object) -> None:
    with pytest.raises(UsageError):
        call()  # type: ignore[operator]


def test_non_ascii_digits_are_refused(runner: CliRunner) -> None:
    for text in ("１ + x", "\u0663x", "\U0001d7d1 + x"):
        code, _, err = run(runner, "diff", text)
        assert code == 2 and "unexpected character" in err, text


# --- threads, servers and the host process -------------------------------------------------------

CASES = ["sin(x)*exp(-x^2)", "atan(x)/(1+x^2)", "sigmoid(x)^3", "log(1+x^4)", "relu(x-1)*x", "x^2 y + sin y",
         "tanh(x*y)", "sqrt(1+x^2)"]


def _serial() -> list[tuple[str, str]]:
    return [(str(chainsym.diff(e, "all").result), str(chainsym.diff(e, "all").verification)) for e in CASES]


def test_threads_and_asyncio_give_the_serial_answers() -> None:
    serial = _serial()
    before = (mpmath.mp.dps, sys.getrecursionlimit(), signal.getsignal(signal.SIGALRM),
              signal.getsignal(signal.SIGINT), threading.active_count())

    def one(e: str) -> tuple[str, str]:
        d = chainsym.diff(e, "all")
        return str(d.result), str(d.verification)

    hostile = ["2**10**10", "(" * 500 + "x" + ")" * 500, "x" * 200_000]

    def guarded(e: str) -> object:
        try:
            return one(e)
        except chainsym.ChainsymError as exc:
            return type(exc).__name__

    with ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(guarded, CASES * 2 + hostile))

    async def gather() -> list[object]:
        return list(await asyncio.gather(*(asyncio.to_thread(guarded, e) for e in CASES + hostile)))

    awaited = asyncio.run(gather())
    assert threaded[:len(CASES) * 2] == serial * 2 and awaited[:len(CASES)] == serial
    assert threaded[-3:] == awaited[-3:] == ["LimitError", "LimitError", "LimitError"]
    after = (mpmath.mp.dps, sys.getrecursionlimit(), signal.getsignal(signal.SIGALRM),
             signal.getsignal(signal.SIGINT), threading.active_count())
    assert after == before


# --- files, signals, exit codes ------------------------------------------------------------------

def test_a_failed_write_leaves_the_previous_file(runner: CliRunner, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "d.json"
    target.write_text("previous", encoding="utf-8")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, _, err = run(runner, "diff", "x^2", "--format", "json", "-o", str(target))
    assert code == 2 and "No space left on device" in err
    assert target.read_text(encoding="utf-8") == "previous" and list(tmp_path.iterdir()) == [target]


def test_a_broken_pipe_is_not_a_mismatch() -> None:
    done = subprocess.run(f"{sys.executable} -m chainsym diff 'sin(x+x^2)' | true; echo ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() in ("0", "141") and "Traceback" not in done.stderr


def _catches_sigint(pid: int) -> bool:
    """Whether the process has installed a SIGINT handler (Linux: bit 2 of SigCgt in /proc); True
    where that cannot be read."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    caught = next((line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), "2")
    return bool(int(caught, 16) & (1 << (signal.SIGINT - 1)))


def test_interrupt_during_start_up_is_one_line() -> None:
    proc = subprocess.Popen([*PYTHON_M, "diff", "sin(x+x^2)"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    # before Python installs its handler a SIGINT kills any program (exit -2): wait for it, so a loaded
    # machine cannot turn this into a test of the interpreter's own start
    deadline = time.monotonic() + 30
    while not _catches_sigint(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert "Traceback" not in err
    assert proc.returncode in (0, 130) and (proc.returncode == 0 or err.strip() == "chainsym: interrupted")


def test_end_of_options_and_bare_command(runner: CliRunner) -> None:
    assert run(runner, "diff", "-q", "--", "-x^2") == (0, "-2*x\n", "")
    code, out, err = run(runner)
    assert code == 0 and out.startswith("Usage: chainsym [OPTIONS] [COMMAND]") and "Examples:" in out


def test_a_terminal_that_cannot_show_unicode() -> None:
    done = subprocess.run([*PYTHON_M, "diff", "sin(x+x^2)"], capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1"})
    assert done.returncode == 0 and b"\\u2202" in done.stdout and done.stderr == b""


def test_atan2_of_a_complex_value_is_not_a_number() -> None:
    """Found by the long property run: atan2 where log(y) is complex (y < 0) was an AttributeError
    inside mpmath; atan2 is the angle of a real point, so a complex argument is no number at all."""
    from chainsym.numeric import NotANumber, evaluate

    x, y = sp.symbols("x y", real=True)
    with pytest.raises(NotANumber):
        evaluate(sp.atan2(-sp.log(y), -x), {x: sp.Rational(-1639, 1000), y: sp.Rational(-2, 3)}, 30)
    d = chainsym.diff("atan2(-(log(y)), -(x)) + atan2(-(log(y)), -(x))*x", "all")
    assert d.verification is not None and d.verification.status in ("proved", "numeric")


@pytest.mark.parametrize("text", ["(-(3^y))^((x+x*x)^(2^x))", "-(((x+x*x)^(2^x))^((x+x*x)^(2^x)))",
                                  "-((-((3)^(y)))^(((x) + (x)*x)^((2)^(x))))"])
def test_a_tower_of_powers_is_evaluated_within_bounds(text: str) -> None:
    """Found by the long property run: at a sample point the exponent passes 10^12, and mpmath made
    it an exact integer (a hang, or a MemoryError). Such a point is no number; others decide."""
    d = chainsym.diff(text, "x")
    assert d.verification is not None and d.verification.status in ("proved", "numeric")


def test_log_of_one_in_any_base_is_zero(runner: CliRunner) -> None:
    """log(1, x) is 0 wherever it is defined, so cot(log(1, x)) is cot(0): refused, not df/dx = nan."""
    assert run(runner, "diff", "log(1, x) + x", "-q") == (0, "1\n", "")
    code, out, err = run(runner, "diff", "cot(log(1, x))")
    assert (code, out) == (2, "") and err.startswith("chainsym: error: undefined value (division by zero or a pole)")
