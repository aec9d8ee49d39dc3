"""Every output format on the seed examples: exact snapshots, a LaTeX engine compiles the LaTeX,
the JSON validates against the shipped schema, and the graph picture has what it promises.

Snapshots live in tests/snapshots/; after a deliberate change, regenerate them with
CHAINSYM_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_formats.py and read the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import jsonschema
import pytest
import sympy as sp
from click.testing import CliRunner
from conftest import run
from referencing import Registry, Resource

import chainsym
from chainsym.formats import formats
from chainsym.render import html, latex, picture, render
from chainsym.render import json as json_render
from chainsym.render import text as text_render
from chainsym.render.outline import Ex, Name, Op, Row
from chainsym.results import Derivation

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = bool(os.environ.get("CHAINSYM_UPDATE_SNAPSHOTS"))
if UPDATE and os.environ.get("CI"):
    raise RuntimeError("snapshots are never regenerated under CI: run CHAINSYM_UPDATE_SNAPSHOTS=1 locally and read the diff")
EXTENSIONS = {"text": "txt", "json": "json", "latex": "tex", "markdown": "md", "html": "html", "dot": "dot"}

SIGMOID_NETWORK = """
z1 = w11*x1 + w21*x2 + b1; z2 = w12*x1 + w22*x2 + b1; a1 = sigmoid(z1); a2 = sigmoid(z2)
z3 = w31*a1 + w41*a2 + b2; z4 = w32*a1 + w42*a2 + b2; o1 = sigmoid(z3); o2 = sigmoid(z4)
E = (t1 - o1)^2/2 + (t2 - o2)^2/2
"""

CASES = {
    # seed 001: y = (2x + 3)², one variable, forward mode
    "seed001_square": lambda: chainsym.diff("(2x + 3)^2"),
    # seed 004: the total derivative through two paths, forward and reverse checked against each other
    "seed004_sin": lambda: chainsym.diff("sin(x+x^2)", mode="both"),
    # seed 000: declared dependencies, the Leibniz form for s and t
    "seed000_program": lambda: chainsym.diff("z = x^2 - y^2", wrt="s,t", where=["x = s - sin(t)", "y = e^s + cos(t)"]),
    # seed 001: the two-layer ReLU network at a point, with one gradient-descent step
    "seed001_relu": lambda: chainsym.diff("z1 = W1*x + b1; h1 = relu(z1); z2 = W2*h1 + b2; L = (z2 - y)^2",
                                          wrt="W1,b1,W2,b2", at="x=2, y=5, W1=3, b1=1, W2=2, b2=0", lr="0.01"),
    # seed 002: the 2-2-2 sigmoid network (verification is tested elsewhere; here only the rendering)
    "seed002_sigmoid": lambda: chainsym.diff(
        SIGMOID_NETWORK, wrt="w31,w11", mode="reverse", verify=False,
        at="x1=0.05, x2=0.10, t1=0.01, t2=0.99, w11=0.15, w21=0.20, w12=0.25, w22=0.30, b1=0.35, "
           "w31=0.40, w41=0.45, w32=0.50, w42=0.55, b2=0.60"),
}


@cache
def derivation(case: str) -> Derivation:
    return CASES[case]()


def snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"no snapshot {name}: run with CHAINSYM_UPDATE_SNAPSHOTS=1 and read it"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", formats("derivation"))
@pytest.mark.parametrize("case", sorted(CASES))
def test_snapshot(case: str, fmt: str) -> None:
    snapshot(f"{case}.{EXTENSIONS[fmt]}", render(derivation(case), fmt))


@pytest.mark.parametrize("fmt", formats("check"))
def test_check_snapshot(fmt: str) -> None:
    result = chainsym.check("h = u^3 + 2u - 5; u = (x+1)^2", "(6x+10)(x+1)^2")
    snapshot(f"check_seed002.{EXTENSIONS[fmt]}", render(result, fmt))


def test_one_registry_of_formats(runner: CliRunner) -> None:
    """The CLI's --format choices are the registry's, command by command."""
    for command, kind in (["diff", "derivation"], ["check", "check"], ["jacobian", "jacobian"],
                          ["hessian", "hessian"], ["grad", "derivation"]):
        _, out, _ = run(runner, command, "--help")
        listed = out.split("--format [", 1)[1].split("]", 1)[0].replace("\n", "").replace(" ", "")
        assert listed.split("|") == list(formats(kind)), command


# --- LaTeX -------------------------------------------------------------------------------------

def test_latex_notation() -> None:
    body = latex.body(derivation("seed004_sin"))
    assert body.startswith("\\begin{align*}\n") and body.endswith("\\end{align*}\n")
    assert r"\frac{d u_{3}}{d x} &= \frac{\partial u_{3}}{\partial u_{2}} \cdot \frac{d u_{2}}{d x}" in body
    assert r"\bar{u}_{2} &= \bar{u}_{3} \cdot \frac{\partial u_{3}}{\partial u_{2}}" in body
    assert r"\bar{x} &= \bar{u}_{1} \cdot \frac{\partial u_{1}}{\partial x} + \bar{u}_{2} \cdot" in body


def test_latex_text_is_escaped() -> None:
    assert latex.text("a_b & 50% #1 {x} ~ ^ \\ ∂u/∂x × 2 ≈ 3") == (
        r"a\_b \& 50\% \#1 \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} "
        r"$\partial$u/$\partial$x $\times$ 2 $\approx$ 3")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed (.ci/run installs it: "
                                                               "apt-get install texlive-latex-base)")
@pytest.mark.parametrize("case", sorted(CASES))
def test_latex_compiles(case: str, tmp_path: Path) -> None:
    source = tmp_path / "d.tex"
    source.write_text(latex.render(derivation(case)), encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "d.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert (tmp_path / "d.pdf").stat().st_size > 1000


SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("snapshot", sorted(p.name for p in SNAPSHOTS.glob("*.tex")))
def test_latex_snapshot_fits_the_page(snapshot: str, tmp_path: Path) -> None:
    """Every LaTeX snapshot compiles with no line more than 10 pt wider than the page (pdflatex's log)."""
    (tmp_path / "s.tex").write_text((SNAPSHOTS / snapshot).read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "s.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    log = (tmp_path / "s.log").read_text(encoding="latin-1")
    overfull = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(overfull, default=0.0) <= 10, overfull


def test_latex_breaks_a_long_sum_between_terms() -> None:
    """A sum too wide for a line breaks before a sign, inside \\bigl( \\bigr) when it is an argument."""
    x = sp.symbols("x1:40", real=True)
    text = latex.row(Row((Name("f"),), (Op("="), Ex(sp.sin(sp.Add(*x))))))
    lines = text.split(" \\\\\n")
    assert len(lines) > 1 and lines[0].startswith(r"f &= \sin\bigl(x_{1} + x_{10} + x_{11}")
    assert all(line.startswith(r"&\quad + ") for line in lines[1:])
    assert lines[-1].endswith(r"\bigr)")
    assert all(latex.width(line) <= latex.LINE for line in lines)


def test_latex_breaks_only_where_braces_balance() -> None:
    """A function printed as e^{…} (not name\\left(…\\right)) is not taken apart: breaking inside
    its exponent at an inner \\left( left an unclosed brace and a document pdflatex could not end
    (seen on the MLP example's LaTeX)."""
    x = sp.symbols("x1:30", real=True)
    inner = sp.Add(*x)
    expr = sp.exp(x[0] + x[1] * sp.Function("relu")(inner)) * sp.sin(inner) + sp.exp(inner) * sp.tanh(inner)
    lines = latex.row(Row((Name("f"),), (Op("="), Ex(expr)))).split(" \\\\\n")
    for line in lines:
        assert line.count("{") == line.count("}"), line
        assert line.count(r"\left(") == line.count(r"\right)"), line
        assert latex.width(line) <= latex.LINE, line
    assert any(r"\exp\bigl(" in line for line in lines)  # a long exponent is written exp( … ) and broken


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_check_latex_compiles(tmp_path: Path) -> None:
    result = chainsym.check("sin(x^2)", "cos(x^2)")
    (tmp_path / "c.tex").write_text(render(result, "latex"), encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "c.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


# --- JSON --------------------------------------------------------------------------------------

def _validator(name: str) -> jsonschema.protocols.Validator:
    derivation_schema = json_render.schema("derivation")
    registry = Registry().with_resource(derivation_schema["$id"], Resource.from_contents(derivation_schema))
    schema = json_render.schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.mark.parametrize("case", sorted(CASES))
def test_json_validates(case: str) -> None:
    _validator("derivation").validate(json.loads(render(derivation(case), "json")))


def test_check_json_validates() -> None:
    validator = _validator("check")
    for claim in ("cos(x^2)", "2x cos(x^2)"):
        validator.validate(json_render.data(chainsym.check("sin(x^2)", claim)))


def test_schema_is_strict() -> None:
    data = json_render.data(derivation("seed004_sin"))
    data["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError, match="surprise"):
        _validator("derivation").validate(data)


# --- the graph picture ------------------------------------------------------------------------

def test_dot_has_a_box_per_node_and_labelled_edges() -> None:
    dot = picture.dot(derivation("seed004_sin"))
    assert '"u3" [shape=box, style="rounded", peripheries=2, label="u3 = sin(u2)\\nsin   (= f)"];' in dot
    assert '"x" -> "u2" [label="∂u2/∂x = 1"];' in dot
    assert '"u1" -> "u2" [label="∂u2/∂u1 = 1"];' in dot
    assert dot.count(" -> ") == 4


def test_dot_at_a_point_has_values_and_gradients() -> None:
    dot = picture.dot(derivation("seed001_relu"))
    assert '"z2" [shape=box, style="rounded", label="z2 = W2*h1 + b2\\ndefinition\\nvalue 14\\ngrad dL/dz2 = 18"];' in dot
    assert '"W1" [shape=ellipse, style=filled, fillcolor="#eef3fb", label="W1\\nvalue 3\\ngrad dL/dW1 = 72"];' in dot


def test_svg_draws_every_node_and_edge() -> None:
    svg = picture.svg(derivation("seed004_sin"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert svg.count("<rect ") == 3 and svg.count("<ellipse ") == 1 and svg.count("marker-end=") == 4
    assert "∂u3/∂u2 = cos(u2)" in svg


def test_svg_refuses_to_draw_huge_graphs() -> None:
    d = chainsym.diff(" + ".join(f"sin(x{i})" for i in range(300)), wrt="x0", verify=False)
    assert picture.too_large(d)
    assert "too many to draw (limit 300)" in picture.svg(d)


# --- HTML --------------------------------------------------------------------------------------

def test_html_is_self_contained() -> None:
    page = html.render(derivation("seed001_relu"))
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page
    assert page.count("<math") > 50 and "<svg" in page
    assert '<tr><th>node</th><th>operation</th><th>definition</th><th>in the inputs</th></tr>' in page


# --- CLI: -o, graph, colour --------------------------------------------------------------------

def test_output_file(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "d.md"
    code, out, err = run(runner, "diff", "sin(x+x^2)", "--mode", "both", "--format", "markdown", "-o", str(target))
    assert (code, out, err) == (0, "", f"chainsym: wrote {target}\n")
    assert target.read_text(encoding="utf-8") == (SNAPSHOTS / "seed004_sin.md").read_text(encoding="utf-8")


def test_output_file_error_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, "diff", "x^2", "-o", str(tmp_path / "missing" / "d.txt"))
    assert (code, out) == (2, "")
    assert err == f"chainsym: error: cannot write {tmp_path / 'missing' / 'd.txt'}: No such file or directory\n"


def test_graph_dot_on_stdout(runner: CliRunner) -> None:
    code, out, err = run(runner, "graph", "sin(x+x^2)")
    assert (code, err) == (0, "")
    assert out == picture.dot(derivation("seed004_sin"))


def test_graph_svg_without_graphviz(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    target = tmp_path / "g.svg"
    code, out, err = run(runner, "graph", "sin(x+x^2)", "-o", str(target))
    assert (code, out, err) == (0, "", f"chainsym: wrote {target}\n")
    assert target.read_text(encoding="utf-8") == picture.svg(derivation("seed004_sin"))


def test_graph_png_without_graphviz_writes_dot(runner: CliRunner, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    target = tmp_path / "g.png"
    code, out, err = run(runner, "graph", "sin(x+x^2)", "-o", str(target))
    dot = tmp_path / "g.dot"
    assert (code, out) == (0, "")
    assert err == (f"chainsym: wrote {dot}\nchainsym: note: Graphviz is not installed, so {target} was not drawn; "
                   f"render the DOT file with: dot -Tpng {dot} -o {target}\n")
    assert not target.exists() and dot.read_text(encoding="utf-8").startswith("digraph chainsym {")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs it)")
def test_graph_png_with_graphviz(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "g.png"
    code, out, err = run(runner, "graph", "(w*x + b - y)^2", "--at", "w=2,x=3,b=1,y=5", "-o", str(target))
    assert (code, out, err) == (0, "", f"chainsym: wrote {target} (Graphviz)\n")
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_graph_refuses_unknown_picture_types(runner: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(runner, "graph", "sin(x)", "-o", str(tmp_path / "g.pdf"))
    assert (code, out) == (2, "")
    assert err == ("chainsym: error: Invalid value for -o: unknown picture type '.pdf': use .svg, .png or .dot "
                   "(see 'chainsym graph --help')\n")


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """What the command prints when its stdout is a terminal (a pseudo-terminal here)."""
    import pty

    leader, follower = pty.openpty()
    done = subprocess.run([*PYTHON_M, *args], stdout=follower, stderr=subprocess.PIPE, env=env, timeout=120,
                          check=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert done.stderr == b""
    return b"".join(chunks).decode().replace("\r\n", "\n")


PYTHON_M = [sys.executable, "-m", "chainsym"]


def test_colour_on_a_terminal_only() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = _on_a_terminal(["diff", "sin(x+x^2)"], env)
    assert "\x1b[1mdecomposition\x1b[0m\n" in coloured
    assert "\x1b[36m\x1b[1mdf/dx = (2*x + 1)*cos(x**2 + x)\x1b[0m\n" in coloured
    assert "\x1b[32m\x1b[1mverified: equal to sympy.diff(f, x) (symbolic: identical)\x1b[0m" in coloured
    plain = _on_a_terminal(["diff", "sin(x+x^2)"], {**env, "NO_COLOR": "1"})
    assert "\x1b" not in plain and plain == str(chainsym.diff("sin(x+x^2)"))
    piped = subprocess.run([*PYTHON_M, "diff", "sin(x+x^2)"], capture_output=True, text=True, env=env, check=True)
    assert "\x1b" not in piped.stdout and piped.stdout == plain


def test_colour_marks_a_mismatch_red() -> None:
    assert text_render.colour("MISMATCH with sympy.diff(f, x): differs at x = 1") == \
        "\x1b[31m\x1b[1mMISMATCH with sympy.diff(f, x): differs at x = 1\x1b[0m"


# --- notebooks ---------------------------------------------------------------------------------

def test_reprs_for_jupyter() -> None:
    d = derivation("seed004_sin")
    assert d._repr_html_().startswith('<div class="chainsym">') and "<math" in d._repr_html_()
    assert d._repr_latex_().startswith("$$\\begin{aligned}") and d._repr_latex_().endswith("\\end{aligned}$$")
    assert d._repr_markdown_() == render(d, "markdown")
    r = chainsym.check("sin(x^2)", "cos(x^2)")
    assert r._repr_html_().startswith('<div class="chainsym">') and "INCORRECT" in r._repr_html_()
    assert chainsym.hessian("x^2*y", "x,y")._repr_latex_().startswith("$$\\begin{aligned}")
    assert json.loads(r.to_json())["verdict"] == "incorrect" and str(r).startswith("claim: df/dx = cos(x^2)")


def test_example_notebook_runs() -> None:
    nbformat = pytest.importorskip("nbformat", reason="the test extras install nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the test extras install nbclient")
    path = Path(__file__).resolve().parents[1] / "examples" / "chainsym.ipynb"
    notebook = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    rich = [o["data"] for o in outputs if o.output_type == "execute_result"]
    assert any("<math" in data.get("text/html", "") for data in rich)
    assert any(data.get("text/latex", "").startswith("$$\\begin{aligned}") for data in rich)
    texts = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "(2*x + 1)*cos(x**2 + x)" in texts


def test_sympy_expressions_still_print() -> None:  # the renderers must not change SymPy's own printing
    x = sp.Symbol("x")
    assert sp.latex(sp.E**x) == "e^{x}" and sp.sstr(sp.E) == "E"


# --- several derivations: nth derivative, Hessian, Jacobian ------------------------------------

COMPOUND = {
    "order_seed001": (["diff", "x^3", "--order", "2", "--at", "x=2"]),
    "hessian": (["hessian", "x^2*y + sin(x*y)", "--wrt", "x,y"]),
    "jacobian_seed000": (["jacobian", "z = mean(x + y); x = s*t; y = s - t", "--vector", "s:3", "--vector", "t:3"]),
    "jacobian_layer": (["jacobian", "L = dot(z - y, z - y); z = W*x + b", "--matrix", "W:2x3", "--vector", "x:3",
                        "--vector", "b:2", "--vector", "y:2", "--wrt", "W,x"]),
}


@pytest.mark.parametrize("fmt", ["latex", "markdown", "html", "text"])
@pytest.mark.parametrize("case", sorted(COMPOUND))
def test_compound_snapshot(runner: CliRunner, case: str, fmt: str) -> None:
    code, out, err = run(runner, *COMPOUND[case], "--format", fmt)
    assert (code, err) == (0, "")
    snapshot(f"{case}.{EXTENSIONS[fmt]}", out)


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("case", sorted(COMPOUND))
def test_compound_latex_compiles(runner: CliRunner, case: str, tmp_path: Path) -> None:
    code, out, err = run(runner, *COMPOUND[case], "--format", "latex")
    (tmp_path / "c.tex").write_text(out, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "c.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]


def test_compound_html_is_self_contained(runner: CliRunner) -> None:
    code, out, err = run(runner, *COMPOUND["jacobian_layer"], "--format", "html")
    assert out.startswith("<!DOCTYPE html>") and "<script" not in out and "<mtable" in out
    assert "<mi>diag</mi>" not in out and "<msub><mi>I</mi><mn>2</mn></msub>" in out


@pytest.mark.parametrize("case,schema", [("order_seed001", "orders"), ("hessian", "hessian"),
                                         ("jacobian_seed000", "jacobian"), ("jacobian_layer", "jacobian")])
def test_compound_json_validates(runner: CliRunner, case: str, schema: str) -> None:
    code, out, err = run(runner, *COMPOUND[case], "--format", "json")
    assert (code, err) == (0, "")
    _validator(schema).validate(json.loads(out))
