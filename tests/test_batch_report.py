"""The grader's report of a batch: counts by status, diagnosis and problem, the common wrong answers
with their diagnosis, an anchor per item; the HTML is well formed, loads nothing from elsewhere,
and every link resolves in headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run
from test_batch import EXAMPLE, EXPECTED

from chainsym.batch.summary import anchor

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    where = tmp_path_factory.mktemp("report")
    html, md = where / "report.html", where / "report.md"
    code, out, err = run(CliRunner(), "batch", str(EXAMPLE), "--workers", "0", "--report", str(html))
    assert (code, err) == (0, "") and out.count("\n") == len(EXPECTED)  # results on stdout, the report beside
    (where / "results.jsonl").write_text(out, "utf-8")
    from chainsym.batch import report

    report.write(where / "results.jsonl", md)
    return {"html": html.read_text("utf-8"), "md": md.read_text("utf-8")}


def test_counts_by_status_and_diagnosis(reports: dict[str, str]) -> None:
    md = reports["md"]
    assert md.startswith("# chainsym batch report: 20 items, 12 problems\n")
    assert "| correct | 9 |\n| incorrect | 8 |\n| derived | 1 |\n| error | 1 |\n| limit | 1 |\n" in md
    for line in ["| ambiguous: chain rule dropped | 1 |", "| wrong inner value | 1 |", "| path dropped | 1 |",
                 "| product rule misapplied | 1 |", "| chain rule dropped | 1 |"]:
        assert line in md


def test_problems_and_their_common_wrong_answers(reports: dict[str, str]) -> None:
    md = reports["md"]
    assert "| [derivative of sin(x^2) by x](#problem-" in md and "| 3 | 1 | 2 | 0 | 0 | 0 | 0 |" in md
    assert "| `cos(x^2)` | 1 | the chain rule is dropped at u2 = sin(u1)" in md
    assert "[ben-1](#item-ben-1)" in md
    assert "| `2(2x+3)` | 1 | ambiguous (2 standard mistakes each reproduce it)" in md
    assert "### gradient of x^2\\*y + sin(y) by x, y" in md
    assert "du2/dx = ∂u2/∂u1 · du1/dx   = cos(u1)·(2\\*x)" not in md  # derivations are code blocks, not escaped
    assert "du2/dx = ∂u2/∂u1 · du1/dx   = cos(u1)·(2*x) = 2*x*cos(x**2)" in md


def test_every_item_has_an_anchor(reports: dict[str, str]) -> None:
    for ident in EXPECTED:
        assert f'<a id="{anchor("item", ident)}"></a>' in reports["md"]
        assert f'id="{anchor("item", ident)}"' in reports["html"]
    assert anchor("item", "a b/é") == "item-a.20.b.2f..e9." and anchor("item", "a.b") == "item-a.2e.b"


def test_html_is_well_formed_and_self_contained(reports: dict[str, str]) -> None:
    page = reports["html"]
    assert page.startswith("<!DOCTYPE html>\n")
    body = page.split("\n", 1)[1].replace("<br>", "<br/>").replace('<meta charset="utf-8">', '<meta charset="utf-8"/>')
    ET.fromstring(body)  # every tag closed, every entity escaped
    assert not re.search(r"""(src|href)=["'](https?:)?//""", page) and "<script" not in page and "@import" not in page
    ids = set(re.findall(r' id="([^"]+)"', page))
    links = set(re.findall(r' href="#([^"]+)"', page))
    assert links and links <= ids


PROBE = """<script>
(() => {
  const links = [...document.querySelectorAll('a[href^="#"]')];
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    links: links.length,
    missing: links.filter(a => !document.getElementById(decodeURIComponent(a.hash.slice(1)))).map(a => a.hash),
    items: document.querySelectorAll('div.item').length,
    tables: [...document.querySelectorAll('table')].map(t => t.getBoundingClientRect().height),
  });
  document.body.appendChild(out);
})();
</script>"""


@pytest.mark.skipif(BROWSER is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)")
def test_report_in_headless_chromium(reports: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(reports["html"].replace("</body>", PROBE + "\n</body>"), encoding="utf-8")
    done = subprocess.run([BROWSER, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",  # type: ignore[list-item]
                           page.as_uri()], capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert probe["missing"] == [] and probe["links"] >= 2 * len(EXPECTED)
    assert probe["items"] == len(EXPECTED)
    assert probe["tables"] and all(h > 0 for h in probe["tables"])
