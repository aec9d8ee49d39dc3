"""chainsym serve in a real browser, used as a person uses it: headless Chromium driven by Selenium
through Debian's chromedriver (never a downloaded browser). Type seed 004's sin(x+x^2) and watch
du2/dx = 2x + 1 and the result appear; give a wrong answer and see INCORRECT with a counterexample;
open a shared link; use the page with the keyboard alone; and throughout, no console error (a
Content-Security-Policy violation would be one) and a screenshot that is not blank.

Skipped, with the reason, where Selenium, Chromium or chromedriver is absent (.ci/run installs them)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

webdriver = pytest.importorskip("selenium.webdriver", reason="Selenium is not installed (pip install -e '.[test]')")
pytest.importorskip("starlette", reason="the web extra is not installed (pip install -e '.[test]' installs it)")
pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install -e '.[test]' installs it)")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402
from test_browser import _pixels  # noqa: E402
from test_web import Server  # noqa: E402

BROWSER = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
DRIVER = shutil.which("chromedriver") or next((p for p in ("/usr/bin/chromedriver",) if Path(p).exists()), None)
pytestmark = pytest.mark.skipif(BROWSER is None or DRIVER is None,
                                reason="Chromium or chromedriver is not installed (.ci/run installs Debian's "
                                       "chromium and chromium-driver; or apt-get install chromium chromium-driver)")

RESULT = "df/dx = (2*x + 1)*cos(x**2 + x)"
INVISIBLE = dict.fromkeys(map(ord, "\u2061\u2062\u2063 \n\t"))
"""MathML's invisible function application, times and separator, and white space"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    s = Server(tmp_path_factory.mktemp("serve") / "server.log", "--workers", "2")
    yield s.url
    s.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")  # Selenium never looks for a browser or driver to download
        driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """The browser, and after each test: no error on its console."""
    browser.get_log("browser")
    yield browser
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def wait_for(driver: Any, css: str, text: str) -> Any:
    """The element matching css, once its text contains text (30 s at most)."""
    def found(d: Any) -> Any:
        elements = d.find_elements(By.CSS_SELECTOR, css)
        return elements[0] if elements and text in elements[0].text else False

    return WebDriverWait(driver, 30).until(found, message=f"{text!r} never appeared in {css}")


def step(driver: Any, name: str) -> str:
    """The right-hand side of the row whose left side reads name (du2dx), as its text reads."""
    for row in driver.find_elements(By.CSS_SELECTOR, "table.rows tr"):
        cells = row.find_elements(By.TAG_NAME, "td")
        if cells and cells[0].get_attribute("textContent").translate(INVISIBLE) == name:
            return str(cells[1].get_attribute("textContent")).translate(INVISIBLE)
    raise AssertionError(f"no row {name}")


def test_typing_seed_004_shows_the_chain_rule_as_you_type(server: str, page: Any) -> None:
    page.get(server + "/")
    page.find_element(By.ID, "expr").send_keys("sin(x+x^2)")
    wait_for(page, "#status", RESULT)
    shown = step(page, "du2dx")  # du2/dx = ∂u2/∂x + ∂u2/∂u1 · du1/dx = 1 + 1·2x = 2x + 1, as MathML's text
    assert shown.startswith("=∂u2∂x+∂u2∂u1·du1dx=1+1·") and shown.endswith("=2x+1")
    assert "verified" in page.find_element(By.ID, "status").text
    assert parse_qs(urlsplit(page.current_url).query) == {"expr": ["sin(x+x^2)"]}
    graph = page.find_element(By.CSS_SELECTOR, "#graph svg")
    assert graph.size["width"] > 100 and graph.size["height"] > 50
    links = [a.get_attribute("href") for a in page.find_elements(By.CSS_SELECTOR, "nav.downloads a")]
    assert [urlsplit(a).path for a in links] == ["/download/derivation.tex", "/download/derivation.md",
                                                 "/download/derivation.json", "/download/graph.svg"]


def test_a_wrong_answer_is_incorrect_with_a_counterexample(server: str, page: Any) -> None:
    page.get(server + "/?expr=sin(x%2Bx%5E2)&wrt=x")
    page.find_element(By.ID, "claim").send_keys("cos(x+x^2)")
    verdict = wait_for(page, "#check", "verdict: INCORRECT")
    assert "at x = 0.8831: the claim gives -0.0920388395656, the derivative is -0.254597838006" in verdict.text
    assert "why: the chain rule is dropped at u3" in verdict.text
    assert page.find_element(By.ID, "status").text.endswith("your answer: INCORRECT")
    assert parse_qs(urlsplit(page.current_url).query)["claim"] == ["cos(x+x^2)"]


def test_a_shared_link_opens_the_derivation(server: str, page: Any) -> None:
    page.get(server + "/?expr=sin(x%2Bx%5E2)&wrt=x")
    assert page.find_element(By.ID, "expr").get_attribute("value") == "sin(x+x^2)"
    assert page.find_element(By.ID, "wrt").get_attribute("value") == "x"
    assert RESULT in page.find_element(By.ID, "status").text
    assert step(page, "du3dx").endswith("=(2x+1)cos(x2+x)")
    assert page.title == "chainsym: sin(x+x^2)"


def test_keyboard_alone(server: str, page: Any) -> None:
    page.get(server + "/")
    active = lambda: page.switch_to.active_element  # noqa: E731
    assert active().get_attribute("id") == "expr"  # the empty page starts where one types
    for control in page.find_elements(By.CSS_SELECTOR, "form input, form select"):
        labels = page.execute_script("return [...arguments[0].labels].map(l => l.textContent)", control)
        assert len(labels) == 1 and labels[0].strip()
    active().send_keys("x^3")
    order = []
    for _ in range(6):
        active().send_keys(Keys.TAB)
        order.append(active().get_attribute("id") or active().tag_name)
        style = page.execute_script("return getComputedStyle(document.activeElement).outlineStyle")
        assert style != "none", f"no visible focus on {order[-1]}"
        if order[-1] == "claim":
            active().send_keys("3x^2")
    assert order == ["wrt", "mode", "at", "lr", "claim", "button"]
    active().send_keys(Keys.ENTER)
    wait_for(page, "#check", "verdict: CORRECT")
    active().send_keys(Keys.TAB)
    assert active().text == "LaTeX"  # after the button, focus goes on into the result
    page.find_element(By.ID, "expr").send_keys(Keys.SHIFT, Keys.TAB)
    skip = active()
    assert skip.text == "Skip to the derivation" and skip.location["x"] >= 0


def test_the_screenshot_is_not_blank(server: str, page: Any, tmp_path: Path) -> None:
    page.set_window_size(900, 700)  # a smaller picture decodes faster
    page.get(server + "/?expr=sin(x%2Bx%5E2)&wrt=x&claim=cos(x%2Bx%5E2)")
    shot = tmp_path / "page.png"
    page.save_screenshot(str(shot))
    page.set_window_size(1280, 1000)
    width, height, rows = _pixels(shot.read_bytes())
    channels = len(rows[0]) // width
    pixels = [row[i:i + 3] for row in rows[::4] for i in range(0, len(row), channels * 4)]
    dark = sum(1 for p in pixels if sum(p) < 3 * 128)
    assert width >= 800 and len(set(pixels)) > 20 and dark > 0.005 * len(pixels)
