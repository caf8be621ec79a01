"""Sign-in, sign-out, roles and CSRF on the pages (no browser)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.web.conftest import csrf_of, sign_in
from tizim.api.keys import KeyStore


def test_pages_redirect_to_sign_in_without_a_session(client: TestClient) -> None:
    for path in ("/ui/", "/ui/lists", "/ui/screen", "/ui/entities/web-demo-org-1"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/ui/login?next=")


def test_sign_in_sets_strict_httponly_cookie_and_returns_to_next(client: TestClient, keys: dict[str, str]) -> None:
    form = client.get("/ui/login?next=/ui/entities/web-demo-org-1")
    assert 'name="next" value="/ui/entities/web-demo-org-1"' in form.text
    response = client.post(
        "/ui/login",
        data={"csrf": csrf_of(form.text), "key": keys["viewer"], "next": "/ui/entities/web-demo-org-1"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/entities/web-demo-org-1"
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    key_cookie = next(c for c in cookies if c.startswith("tizim_key="))
    assert "HttpOnly" in key_cookie and "SameSite=strict" in key_cookie and "Path=/ui" in key_cookie
    page = client.get("/ui/entities/web-demo-org-1")
    assert page.status_code == 200
    assert "viewer-user" in page.text


def test_wrong_key_is_refused(client: TestClient, keys: dict[str, str]) -> None:
    form = client.get("/ui/login")
    response = client.post("/ui/login", data={"csrf": csrf_of(form.text), "key": "tz_not-a-key"})
    assert response.status_code == 401
    assert "not valid" in response.text
    assert "tizim_key" not in client.cookies


def test_next_cannot_leave_the_pages(client: TestClient, keys: dict[str, str]) -> None:
    form = client.get("/ui/login")
    for target in ("https://evil.example/", "//evil.example/ui", "/docs", "/ui/../docs", "/uix", "/ui\\..\\docs"):
        client.cookies.delete("tizim_key")
        response = client.post(
            "/ui/login",
            data={"csrf": csrf_of(form.text), "key": keys["viewer"], "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/ui/", target
        form = client.get("/ui/login")  # the token is replaced at sign-in


def test_login_needs_the_csrf_token(client: TestClient, keys: dict[str, str]) -> None:
    client.get("/ui/login")
    response = client.post("/ui/login", data={"key": keys["viewer"]}, follow_redirects=False)
    assert response.status_code == 403
    assert "security token" in response.text
    response = client.post("/ui/login", data={"key": keys["viewer"], "csrf": "x" * 43}, follow_redirects=False)
    assert response.status_code == 403


def test_post_needs_token_matching_the_session_cookie(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("screener")
    token = csrf_of(client.get("/ui/screen").text)
    # A token taken from another session (another browser) does not pass.
    other = TestClient(client.app)
    foreign = csrf_of(other.get("/ui/login").text)
    assert foreign != token
    refused = client.post("/ui/screen", data={"csrf": foreign, "name": "Yuldashev"})
    assert refused.status_code == 403
    # JSON bodies are not forms: refused before the token is even read.
    refused = client.post("/ui/screen", json={"csrf": token, "name": "Yuldashev"})
    assert refused.status_code == 415


def test_sign_in_replaces_the_token(client: TestClient, keys: dict[str, str]) -> None:
    before = csrf_of(client.get("/ui/login").text)
    sign_in(client, keys["viewer"])
    after = csrf_of(client.get("/ui/lists").text)
    assert before != after


def test_sign_out_ends_the_session(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    token = csrf_of(client.get("/ui/lists").text)
    response = client.post("/ui/logout", data={"csrf": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login"
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_role_too_low_gets_403_page(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    response = client.get("/ui/screen")
    assert response.status_code == 403
    assert "needs &#39;screener&#39; or higher" in response.text
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui/lists"
    client = signed_in("screener")
    assert client.get("/ui/screen").status_code == 200
    assert client.get("/ui/", follow_redirects=False).headers["location"] == "/ui/screen"


def test_revoked_key_signs_out(signed_in: Callable[[str], TestClient]) -> None:
    client = signed_in("viewer")
    assert client.get("/ui/lists").status_code == 200
    KeyStore().revoke("viewer-user")
    from tizim.api.keys import get_key_store

    get_key_store()._cache.clear()  # the server's cache holds a key for a few seconds at most
    assert client.get("/ui/lists", follow_redirects=False).status_code == 303


def test_security_headers(signed_in: Callable[[str], TestClient]) -> None:
    response = signed_in("viewer").get("/ui/lists")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_navigation_offers_only_what_the_role_may_open(signed_in: Callable[[str], TestClient]) -> None:
    viewer = signed_in("viewer").get("/ui/lists").text
    assert 'href="/ui/screen"' not in viewer and 'href="/ui/cases"' not in viewer
    screener = signed_in("screener").get("/ui/lists").text
    assert 'href="/ui/screen"' in screener and 'href="/ui/cases"' not in screener
