"""People, sessions, roles and CSRF on the pages (no browser)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from tests.web.conftest import csrf_of, sign_in
from tizim.api.keys import KeyStore
from tizim.store import transaction
from tizim.web.accounts import Accounts
from tizim.web.render import safe_url
from tizim.web.tables import sessions


def _login(client: TestClient, name: str, password: str, next: str = "/ui/lists") -> object:
    form = client.get("/ui/login")
    return client.post("/ui/login", data={"csrf": csrf_of(form.text), "username": name, "password": password,
                                          "next": next}, follow_redirects=False)


def test_pages_redirect_to_sign_in_without_a_session(client: TestClient) -> None:
    for path in ("/ui/", "/ui/lists", "/ui/screen", "/ui/entities/web-demo-org-1", "/ui/account"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/login?next=")


def test_login_form_has_the_fields_other_tools_rely_on(client: TestClient) -> None:
    html = client.get("/ui/login").text
    assert 'name="username"' in html and 'name="password"' in html and 'type="submit"' in html


def test_sign_in_makes_a_server_side_session(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    name, password = users["viewer"]
    response = _login(client, name, password, "/ui/entities/web-demo-org-1")
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/entities/web-demo-org-1"
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith("tizim_session="))
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie and "Path=/ui" in session_cookie
    token = session_cookie.split("=", 1)[1].split(";", 1)[0]
    # A random id, neither the password nor an API key; the table keeps only its hash.
    assert password not in token and not token.startswith("tz_") and len(token) >= 40
    page = client.get("/ui/entities/web-demo-org-1")
    assert page.status_code == 200 and "viewer-user" in page.text


def test_wrong_password_and_disabled_user_are_refused(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    name, password = users["viewer"]
    response = _login(client, name, "not-the-password")
    assert response.status_code == 401 and "Wrong user name or password" in response.text  # type: ignore[attr-defined]
    assert _login(client, "nobody", password).status_code == 401  # type: ignore[attr-defined]
    Accounts().disable(name)
    assert _login(client, name, password).status_code == 401  # type: ignore[attr-defined]


def test_an_api_key_is_not_a_session(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    _principal, secret = KeyStore().create("robot", "admin")
    client.cookies.set("tizim_session", secret, path="/ui")
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_next_cannot_leave_the_pages(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    name, password = users["viewer"]
    for target in ("https://evil.example/", "//evil.example/ui", "/docs", "/ui/../docs", "/uix", "/ui\\..\\docs"):
        client.cookies.clear()
        response = _login(client, name, password, target)
        assert response.headers["location"] == "/ui/", target  # type: ignore[attr-defined]


def test_login_needs_the_csrf_token(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    name, password = users["viewer"]
    client.get("/ui/login")
    response = client.post("/ui/login", data={"username": name, "password": password}, follow_redirects=False)
    assert response.status_code == 403 and "security token" in response.text
    response = client.post("/ui/login", data={"username": name, "password": password, "csrf": "x" * 64},
                           follow_redirects=False)
    assert response.status_code == 403


def test_token_is_bound_to_the_session(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("screener")
    token = csrf_of(client.get("/ui/screen").text)
    # A token taken from another browser's session does not pass.
    other = TestClient(client.app)
    foreign = csrf_of(other.get("/ui/login").text)
    assert foreign != token
    assert client.post("/ui/screen", data={"csrf": foreign, "name": "Yuldashev"}).status_code == 403
    # JSON bodies are not forms: refused before the token is even read.
    assert client.post("/ui/screen", json={"csrf": token, "name": "Yuldashev"}).status_code == 415
    assert client.post("/ui/screen", data={"csrf": token, "name": "Yuldashev"}).status_code == 200


def test_sign_in_replaces_the_token(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    before = csrf_of(client.get("/ui/login").text)
    sign_in(client, users["viewer"])
    after = csrf_of(client.get("/ui/lists").text)
    assert before != after


def test_sign_out_ends_the_session_on_the_server(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    stolen = client.cookies.get("tizim_session")
    token = csrf_of(client.get("/ui/lists").text)
    response = client.post("/ui/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303
    # The old cookie, replayed, opens nothing: the session row is gone.
    replay = TestClient(client.app)
    replay.cookies.set("tizim_session", stolen or "", path="/ui")
    assert replay.get("/ui/lists", follow_redirects=False).status_code == 303


def test_sessions_expire(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    assert client.get("/ui/lists").status_code == 200
    with transaction() as conn:
        conn.execute(update(sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_new_password_and_disabling_end_sessions(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    Accounts().set_password("viewer-user", "another-password-2")
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303
    client = signed_in("analyst")
    Accounts().disable("analyst-user")
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_totp_second_step(client: TestClient, users: dict[str, tuple[str, str]]) -> None:
    name, password = users["analyst"]
    secret = pyotp.random_base32()
    Accounts().enable_totp(name, secret, pyotp.TOTP(secret).now())
    response = _login(client, name, password, "/ui/lists")
    assert response.headers["location"].startswith("/ui/login/otp")  # type: ignore[attr-defined]
    # Password right, code still due: not signed in.
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303
    form = client.get("/ui/login/otp?next=/ui/lists")
    assert 'name="code"' in form.text
    wrong = client.post("/ui/login/otp", data={"csrf": csrf_of(form.text), "code": "000000", "next": "/ui/lists"})
    assert wrong.status_code == 401
    right = client.post("/ui/login/otp", data={"csrf": csrf_of(form.text), "code": pyotp.TOTP(secret).now(),
                                               "next": "/ui/lists"}, follow_redirects=False)
    assert right.status_code == 303 and right.headers["location"] == "/ui/lists"
    assert client.get("/ui/lists").status_code == 200


def test_admin_creates_a_user_who_must_choose_a_password(signed_in: Callable[[str], TestClient]) -> None:
    admin = signed_in("admin")
    token = csrf_of(admin.get("/ui/admin/users").text)
    made = admin.post("/ui/admin/users", data={"csrf": token, "what": "create", "name": "dana", "role": "analyst"})
    assert made.status_code == 200
    one_time = made.text.split('<code class="secret">', 1)[1].split("<", 1)[0]
    admin.cookies.clear()
    assert _login(admin, "dana", one_time).status_code == 303  # type: ignore[attr-defined]
    forced = admin.get("/ui/cases", follow_redirects=False)
    assert forced.status_code == 303 and forced.headers["location"].startswith("/ui/account")
    form = admin.get("/ui/account")
    changed = admin.post("/ui/account", data={"csrf": csrf_of(form.text), "what": "password", "current": one_time,
                                             "new": "dana-own-password", "repeat": "dana-own-password"},
                         follow_redirects=False)
    assert changed.status_code == 303
    assert _login(admin, "dana", "dana-own-password").status_code == 303  # type: ignore[attr-defined]
    assert admin.get("/ui/cases").status_code == 200


def test_users_page_needs_admin(signed_in: Callable[[str], TestClient]) -> None:
    assert signed_in("supervisor").get("/ui/admin/users").status_code == 403
    assert signed_in("admin").get("/ui/admin/users").status_code == 200


def test_role_too_low_gets_403_page_with_headers(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    response = client.get("/ui/screen")
    assert response.status_code == 403
    assert "needs screener or higher" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    missing = client.get("/ui/no-such-page")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert missing.headers["x-frame-options"] == "DENY" and "default-src 'none'" in missing.headers["content-security-policy"]


def test_security_headers(signed_in: Callable[[str], TestClient]) -> None:
    response = signed_in("viewer").get("/ui/lists")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_only_http_links(signed_in: Callable[[str], TestClient]) -> None:
    assert safe_url("https://un.org/x") == "https://un.org/x"
    for bad in ("javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", " JAVASCRIPT:x", None):
        assert safe_url(bad) is None


def test_navigation_offers_only_what_the_role_may_open(signed_in: Callable[[str], TestClient]) -> None:
    viewer = signed_in("viewer").get("/ui/lists").text
    assert 'href="/ui/screen"' not in viewer and 'href="/ui/cases"' not in viewer
    screener = signed_in("screener").get("/ui/lists").text
    assert 'href="/ui/screen"' in screener and 'href="/ui/cases"' not in screener


def test_cli_creates_a_user_from_stdin(demo_db: str) -> None:
    from tizim.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["users", "create", "erlan", "--role", "supervisor", "--password-stdin"],
                           input="erlan's long password\n")
    assert result.exit_code == 0, result.output
    user = Accounts().verify_password("erlan", "erlan's long password")
    assert user is not None and user.role == "supervisor"
    result = runner.invoke(app, ["users", "create", "x", "--role", "analyst", "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    # nothing piped in: a one-time password, never an empty one
    result = runner.invoke(app, ["users", "create", "ana", "--role", "analyst", "--password-stdin"], input="")
    assert result.exit_code == 0, result.output
    one_time = result.output.strip().splitlines()[-1]
    assert Accounts().verify_password("ana", one_time) is not None and Accounts().get("ana").must_change_password


def test_totp_set_up_on_the_account_page(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("analyst")
    page = client.get("/ui/account")
    started = client.post("/ui/account", data={"csrf": csrf_of(page.text), "what": "totp-start"})
    secret = started.text.split('<code class="secret">', 1)[1].split("<", 1)[0]
    assert "otpauth://totp/" in started.text
    wrong = client.post("/ui/account", data={"csrf": csrf_of(started.text), "what": "totp-confirm",
                                            "secret": secret, "code": "000000"})
    assert wrong.status_code == 400 and Accounts().get("analyst-user").totp is False
    client.post("/ui/account", data={"csrf": csrf_of(started.text), "what": "totp-confirm", "secret": secret,
                                     "code": pyotp.TOTP(secret).now()})
    assert Accounts().get("analyst-user").totp is True


def test_ui_without_slash_is_the_dashboard(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    response = client.get("/ui")
    assert response.status_code == 200 and "<h1>Dashboard</h1>" in response.text
