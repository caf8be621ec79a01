"""The workspace in a real browser, through an analyst's day: Chromium (Debian's
/usr/bin/chromium, driven by Playwright) against `uvicorn` serving the app in a subprocess,
on a temporary SQLite database holding the demo list, people of every role, the fixture
payments, the fixture customer book and an intelligence note.

One server and one browser for the module; each person gets a browser context of their
own. axe-core (installed from the npm registry into assets/node_modules by `make install`)
checks every page in every language for serious or critical violations. Screenshots go to
`$TIZIM_SCREENSHOTS` when set (docs/img for the docs), else to the test's tmp folder.

Skips when /usr/bin/chromium (or axe-core) is missing and CI is unset; fails under CI.
Playwright never downloads a browser here: it is pointed at the system binary.
"""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.web.conftest import (
    create_users,
    freeze_customer_by_list_update,
    load_demo_list,
    load_payments,
)
from tests.web.test_list_history import import_two_versions
from tizim import settings
from tizim.store import dispose_all

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "assets" / "node_modules" / "axe-core" / "axe.min.js"
FIXTURES = ROOT / "tests" / "fixtures"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMEOUT_MS = 20_000
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-GB"}
# A word each language's dashboard shows, from its catalogue.
DASHBOARD_HEADING = {"kk": "Шолу", "ru": "Сводка", "en": "Dashboard"}
CUSTOMERS = importlib.util.find_spec("tizim.customers.book") is not None


def _require(path: Path | str, what: str) -> None:
    if Path(path).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what} is missing ({path})")
    pytest.skip(f"{what} is missing ({path}); set CI to make this fail")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fill(root: Path) -> dict[str, Any]:
    """The day's data, written in this process before the server opens the database."""
    from tizim.intel.service import Intel

    load_demo_list()
    users = create_users()
    load_payments()
    from tizim.monitoring.runner import run_file

    run_file(FIXTURES / "web" / "observe.jsonl")  # two OBSERVE cases: texts naming a listed group
    facts: dict[str, Any] = {"users": users, "customer": None}
    Intel().ingest(FIXTURES / "web" / "intel-note.txt")
    if CUSTOMERS:
        facts["customer"] = freeze_customer_by_list_update()
    import_two_versions()  # a UN-format list in two versions: the diff viewer's subject
    return facts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A uvicorn process serving tizim on a free port, and who may sign in."""
    _require(CHROMIUM, "Chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    root = tmp_path_factory.mktemp("web-server")
    url = f"sqlite:///{root / 'tizim.db'}"
    settings.override(database_url=url, data_dir=None, password_profile="CHEAPEST")
    try:
        facts = _fill(root)
    finally:
        dispose_all()
        settings.reset()
    port = _free_port()
    env = {**os.environ, "TIZIM_DATABASE_URL": url, "TIZIM_PASSWORD_PROFILE": "CHEAPEST",
           "TIZIM_GOAML_RENTITY_ID": "4711"}
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tizim.api.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}: {(root / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not answer within 60 s: {(root / 'server.log').read_text()}")
            time.sleep(0.1)
        yield {"base": base, **facts}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("TIZIM_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Person:
    """One person's browser context, signed in through the form; collects CSP and script errors."""

    def __init__(self, browser: Any, server: dict[str, Any], who: str, language: str = "en",
                 start: str = "/ui/", bypass_csp: bool = False) -> None:
        self.base = server["base"]
        self.errors: list[str] = []
        self.context = browser.new_context(locale=LOCALES[language], viewport={"width": 1280, "height": 900},
                                           bypass_csp=bypass_csp, accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.base + start)
        assert "/ui/login" in self.page.url
        name, password = server["users"][who]
        self.page.fill("input[name=username]", name)
        self.page.fill("input[name=password]", password)
        self.page.click("form.stack button[type=submit]")
        self.page.wait_for_load_state()
        assert "/ui/login" not in self.page.url, self.page.content()

    def go(self, path: str) -> Any:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def close(self) -> None:
        self.context.close()


def test_the_day_freeze_released_under_four_eyes(browser: Any, server: dict[str, Any], shots: Path) -> None:
    analyst = Person(browser, server, "analyst")
    page = analyst.page
    # The landing page is the dashboard, its chart drawn by the shipped Chart.js.
    assert page.locator("h1").inner_text() == "Dashboard"
    page.wait_for_function("document.getElementById('activity-chart').getAttribute('width') > 0")
    assert "FREEZE" in page.locator("section.card").first.inner_text()
    page.screenshot(path=str(shots / "web-dashboard.png"), full_page=True)

    # The queue: a table, FREEZE first, severity written in the row.
    page = analyst.go("/ui/cases")
    first = page.locator("table.cases tbody tr").first
    assert "FREEZE" in first.inner_text()
    row = page.locator("table.cases tbody tr", has_text="Rustam Yuldashev")
    assert "FREEZE" in row.inner_text()
    # Keyboard: j focuses the first case, Enter opens it.
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.closest('tr') !== null")
    page.screenshot(path=str(shots / "web-queue.png"), full_page=True)
    row.locator("td.name a").click()
    page.wait_for_selector("form.action-release")
    # The match side by side, the met words highlighted.
    card = page.locator("article.match").first
    assert card.locator("mark").count() >= 2
    assert "Rustam Yuldashev" in card.inner_text()
    assert page.locator("dd.hold").first.inner_text() == "held"
    assert page.locator("form.action-approve-release").count() == 0
    page.screenshot(path=str(shots / "web-case.png"), full_page=True)
    page.fill("form.action-release textarea[name=note]", "namesake: different birth year")
    page.click("form.action-release button")
    page.wait_for_selector("p.notice")
    assert page.locator("dd.status").inner_text() == "release requested"
    case_path = page.url.split(server["base"], 1)[1].split("?", 1)[0]

    supervisor = Person(browser, server, "supervisor", start=case_path)
    sp = supervisor.page
    sp.click("form.action-approve-release button")
    sp.wait_for_selector("p.notice")
    assert sp.locator("dd.status").inner_text() == "released"
    assert sp.locator("dd.hold").first.inner_text() == "released"
    history = sp.locator("ol.events").inner_text()
    assert "analyst-user: release requested" in history and "supervisor-user: release approved" in history

    # The payment page, with every field.
    sp.click("article.payment h3 a")
    sp.wait_for_url("**/ui/payments/**")
    text = sp.locator("main").inner_text()
    assert "KZ86125KZT5004100100" in text and "family support" in text and "Abay Ave 10, Almaty" in text
    sp.screenshot(path=str(shots / "web-payment.png"), full_page=True)
    assert analyst.errors == [] and supervisor.errors == [], analyst.errors + supervisor.errors
    supervisor.close()
    analyst.close()


@pytest.mark.skipif(not CUSTOMERS, reason="the customers package is not installed")
def test_customer_frozen_by_a_list_update_and_str_downloaded(browser: Any, server: dict[str, Any],
                                                            shots: Path, tmp_path: Path) -> None:
    analyst = Person(browser, server, "analyst")
    page = analyst.go(f"/ui/customers/{server['customer']}")
    assert "frozen" in page.locator("h1").inner_text()
    assert "web-update-person-1" in page.locator("main").inner_html()
    page.screenshot(path=str(shots / "web-customer.png"), full_page=True)
    case_link = page.locator("table a[href^='/ui/cases/']").first
    case_link.click()
    page.wait_for_selector("form.action-confirm")
    page.fill("form.action-confirm textarea[name=note]", "true match: same birth date and IIN")
    page.click("form.action-confirm button")
    page.wait_for_selector("p.notice")
    assert page.locator("dd.status").inner_text() == "confirmed"
    # The customer's STR as JSON, readable (a goAML report needs a transaction: her case has none).
    with page.expect_download() as json_download:
        page.click("a[href$='/str.json']")
    json_path = tmp_path / "str.json"
    json_download.value.save_as(json_path)
    assert "Нұрланова" in json_path.read_text(encoding="utf-8")  # readable, not \u-escaped

    # A payment case confirmed: its STR downloads as goAML XML.
    page = analyst.go("/ui/cases?q=Temirova")
    page.locator("table.cases tbody tr td.name a").first.click()
    page.wait_for_selector("form.action-confirm")
    page.click("form.action-confirm button")
    page.wait_for_selector("p.notice")
    page.screenshot(path=str(shots / "web-str.png"), full_page=True)
    with page.expect_download() as xml_download:
        page.click("a[href$='/str.xml']")
    xml_path = tmp_path / "str.xml"
    xml_download.value.save_as(xml_path)
    assert xml_path.read_bytes().lstrip().startswith(b"<?xml") and b"<report" in xml_path.read_bytes()
    assert analyst.errors == [], analyst.errors
    analyst.close()


def test_entity_graph_and_intelligence_review(browser: Any, server: dict[str, Any], shots: Path) -> None:
    supervisor = Person(browser, server, "supervisor")
    page = supervisor.go("/ui/entities/web-demo-person-1")
    assert page.locator("h1").inner_text() == "Рустам Каримович Юлдашев"
    # cytoscape draws the ties on canvases inside the graph box.
    page.wait_for_selector("#graph canvas")
    assert page.locator("ol.timeline li").count() >= 1
    page.screenshot(path=str(shots / "web-entity.png"), full_page=True)
    # Clicking the organisation in the table of ties opens its page.
    page.click("table.rels a")
    page.wait_for_url("**/ui/entities/web-demo-org-1")

    page = supervisor.go("/ui/intel")
    fact = page.locator("article.fact").first
    assert fact.locator("mark").count() >= 1
    page.screenshot(path=str(shots / "web-intel.png"), full_page=True)
    fact.locator("button[value=accept]").click()
    page.wait_for_load_state()
    page = supervisor.go("/ui/intel?status=accepted")
    assert "accepted" in page.locator("article.fact").first.inner_text()
    assert supervisor.errors == [], supervisor.errors
    supervisor.close()


def test_list_versions_compared_field_by_field(browser: Any, server: dict[str, Any], shots: Path) -> None:
    analyst = Person(browser, server, "analyst")
    page = analyst.go("/ui/lists/un-sc")
    page.click("a[href='/ui/lists/un-sc/diff?from=1&to=2']")
    page.wait_for_selector("article.diff-entry")
    assert "Changed" in page.locator("nav.tabs a[aria-current=page]").inner_text()
    person = page.locator("article#e-un-sc-qdi-910")
    births = person.locator("tr[data-field=birth_dates]")
    assert births.locator("del").inner_text() == "1967-10-02" and births.locator("ins").inner_text() == "1968-10-02"
    assert "AB7654321" in person.locator("tr[data-field=identifiers] ins").inner_text()
    page.screenshot(path=str(shots / "web-lists-diff.png"), full_page=True)
    page.click("nav.tabs a:has-text('Added')")
    page.wait_for_selector("article#e-un-sc-qdi-913")
    page.click("article#e-un-sc-qdi-913 h3 a")
    page.wait_for_url("**/ui/entities/un-sc-qdi-913")
    assert analyst.errors == [], analyst.errors
    analyst.close()


def test_api_explorer_works_offline(browser: Any, server: dict[str, Any], shots: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server["base"]) else None)
    page.goto(server["base"] + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=TIMEOUT_MS)
    assert outside == []
    page.screenshot(path=str(shots / "web-docs.png"))
    context.close()


PAGES = ("/ui/", "/ui/cases", "/ui/cases/1", "/ui/payments/web-pay-1", "/ui/entities/web-demo-person-1",
         "/ui/lists", "/ui/lists/web-demo", "/ui/lists/web-demo/diff?from=1&to=2", "/ui/lists/un-sc/diff?from=1&to=2",
         "/ui/entities/un-sc-qdi-910", "/ui/entities/un-sc-qdi-910?version=1",
         "/ui/lists/web-demo/asof?date=2006-12-01", "/ui/screen", "/ui/intel", "/ui/intel/documents/1",
         "/ui/audit?verify=1", "/ui/admin/users", "/ui/account")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_page_in_each_language_has_no_serious_accessibility_violation(
    browser: Any, server: dict[str, Any], shots: Path, language: str
) -> None:
    _require(AXE, "axe-core (make install: npm ci --prefix assets)")
    # bypass_csp lets the test inject axe-core; the pages' own scripts are the same files.
    admin = Person(browser, server, "admin", language=language, bypass_csp=True)
    pages = list(PAGES) + (["/ui/customers", f"/ui/customers/{server['customer']}"] if CUSTOMERS else [])
    found: dict[str, list[str]] = {}
    for path in pages:
        page = admin.go(path)
        assert page.locator("html").get_attribute("lang") == language, path
        if path == "/ui/":
            assert page.locator("h1").inner_text() == DASHBOARD_HEADING[language]
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                               .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
        }""")
        if result:
            found[path] = result
        if language != "en" and path in ("/ui/", "/ui/cases/1"):
            name = "dashboard" if path == "/ui/" else "case"
            page.screenshot(path=str(shots / f"web-{name}-{language}.png"), full_page=True)
    assert found == {}, found
    assert not [e for e in admin.errors if "Content Security Policy" in e], admin.errors
    admin.close()


def test_escaped_name_does_not_run(browser: Any, server: dict[str, Any]) -> None:
    viewer = Person(browser, server, "viewer", start="/ui/entities/web-demo-org-2")
    dialogs: list[str] = []
    viewer.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    viewer.page.reload()
    assert viewer.page.locator("h1").inner_text() == "<script>alert('x')</script> Southern Front"
    assert dialogs == []
    assert re.search(r"script-src 'self'", viewer.page.evaluate("document.contentType") or "") is None
    viewer.close()
