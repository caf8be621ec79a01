"""The pages in a real browser: Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against `uvicorn` serving the app in a subprocess, on a temporary SQLite database holding
the demo list and the fixture payments.

Skips when /usr/bin/chromium is missing and CI is unset; fails under CI. Playwright never
downloads a browser here: it is pointed at the system binary.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import create_keys, load_demo_list, load_payments
from tizim import settings
from tizim.store import dispose_all

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {CHROMIUM} is missing (apt-get install chromium)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set CI to make this fail")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A uvicorn process serving tizim on a free port, and the keys it accepts."""
    _require_chromium()
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    root = tmp_path_factory.mktemp("web-server")
    url = f"sqlite:///{root / 'tizim.db'}"
    # Fill the database in this process, then let the server open it.
    settings.override(database_url=url, data_dir=None)
    try:
        load_demo_list()
        keys = create_keys()
        has_cases = _monitoring_present()
        if has_cases:
            load_payments()
    finally:
        dispose_all()
        settings.reset()
    port = _free_port()
    env = {**os.environ, "TIZIM_DATABASE_URL": url}
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tizim.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}: {(root / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not answer within 30 s: {(root / 'server.log').read_text()}")
            time.sleep(0.1)
        yield {"base": base, "keys": keys, "cases": has_cases}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _monitoring_present() -> bool:
    import importlib.util

    return importlib.util.find_spec("tizim.monitoring.cases") is not None


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() gives every run a fresh, throw-away profile (user-data dir).
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _signed_in_page(browser: Any, server: dict[str, Any], who: str, start: str = "/ui/") -> Any:
    """A new browser context (its own cookies) signed in through the form as `who`."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(server["base"] + start)
    assert "/ui/login" in page.url
    page.fill("input[name=key]", server["keys"][who])
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    assert "/ui/login" not in page.url, page.content()
    return page


def test_sign_in_screen_cyrillic_name_open_entity(browser: Any, server: dict[str, Any], tmp_path: Path) -> None:
    page = _signed_in_page(browser, server, "screener")
    assert page.url.endswith("/ui/screen")
    assert page.locator("header .who").inner_text().startswith("screener-user")

    page.fill("input[name=name]", "Рустам Юлдашев")
    page.select_option("select[name=schema]", "Person")
    page.click("form.grid button[type=submit]")
    page.wait_for_selector("table.results")
    first = page.locator("table.results > tbody > tr").first
    assert "WD-002" in first.inner_text()
    assert "match" in (first.get_attribute("class") or "")
    explanation = first.locator("td").nth(3).inner_text()
    assert "Рустам Юлдашев" in explanation and " met " in explanation and "name score" in explanation
    page.screenshot(path=str(tmp_path / "screen.png"), full_page=True)

    first.locator("td.name a").first.click()
    page.wait_for_url("**/ui/entities/web-demo-person-1")
    assert page.locator("h1").inner_text() == "Рустам Каримович Юлдашев"
    headings = page.locator("section h3").all_inner_texts()
    assert any(h.startswith("Cyrillic") for h in headings) and any(h.startswith("Latin") for h in headings)
    quote = page.locator("article.designation blockquote").first
    assert quote.inner_text() == "Рустам Юлдашев руководил вербовкой членов организации."
    assert "demo-decision-2006.txt" in page.locator("article.designation figcaption").first.inner_text()
    # The relationship leads on to the organisation, whose Arabic name renders as text.
    page.click("table.rels a")
    page.wait_for_url("**/ui/entities/web-demo-org-1")
    assert page.get_by_text("الحركة الإسلامية لتركستان").is_visible()
    shot = tmp_path / "entity.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    page.context.close()


def test_escaped_name_does_not_run(browser: Any, server: dict[str, Any]) -> None:
    page = _signed_in_page(browser, server, "viewer", "/ui/entities/web-demo-org-2")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.reload()
    assert page.locator("h1").inner_text() == "<script>alert('x')</script> Southern Front"
    assert dialogs == []
    page.context.close()


def test_frozen_payment_needs_four_eyes_release(browser: Any, server: dict[str, Any], tmp_path: Path) -> None:
    if not server["cases"]:
        pytest.skip("the monitoring package is not installed: no cases pages")
    analyst = _signed_in_page(browser, server, "analyst", "/ui/cases")
    row = analyst.locator("table.cases tbody tr", has_text="Rustam Yuldashev")
    assert "FREEZE" in row.inner_text() and "left" in row.inner_text()
    analyst.screenshot(path=str(tmp_path / "cases.png"), full_page=True)
    row.locator("a").first.click()
    analyst.wait_for_selector("form.action-release")
    assert analyst.locator("td.hold").first.inner_text() == "held"
    # An analyst is offered no approval.
    assert analyst.locator("form.action-approve-release").count() == 0
    analyst.fill("form.action-release textarea[name=note]", "namesake: different birth year")
    analyst.click("form.action-release button")
    analyst.wait_for_selector("p.notice")
    assert analyst.locator("dd.status").inner_text() == "release requested"
    assert analyst.locator("td.hold").first.inner_text() == "held"
    case_path = analyst.url.split(server["base"], 1)[1].split("?", 1)[0]

    supervisor = _signed_in_page(browser, server, "supervisor", case_path)
    supervisor.click("form.action-approve-release button")
    supervisor.wait_for_selector("p.notice")
    assert supervisor.locator("dd.status").inner_text() == "released"
    assert supervisor.locator("td.hold").first.inner_text() == "released"
    history = supervisor.locator("ol.events").inner_text()
    assert "analyst-user: release" in history and "supervisor-user: approve-release" in history
    shot = tmp_path / "case-released.png"
    supervisor.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
    supervisor.context.close()
    analyst.context.close()
