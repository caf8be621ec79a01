"""Every answer carries the security headers (issue 19), also the errors no page route
writes: Starlette's 405, an API 404, the body-limit 413, a refused URL; and the session
cookie is a server-side id, never an API key."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tizim import settings


def _has_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["x-content-type-options"] == "nosniff", headers
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in headers["content-security-policy"]


def test_errors_outside_the_pages_carry_the_headers(client: TestClient) -> None:
    _has_headers(client.put("/ui/login"))  # 405 from the router
    _has_headers(client.get("/no-such-endpoint"))  # 404 JSON
    _has_headers(client.get("/entities/x%00y"))  # 400 from the middleware
    settings.override(max_body_bytes=100)
    try:
        too_large = client.post("/match/default", content=b"{" + b" " * 500 + b"}",
                                headers={"content-type": "application/json"})
    finally:
        settings.override(max_body_bytes=2_000_000)
    assert too_large.status_code == 413
    _has_headers(too_large)


def test_the_session_cookie_is_a_server_side_id(signed_in: Callable[[str], TestClient]) -> None:
    from tizim.api.keys import KeyStore

    browser = signed_in("analyst")
    cookie = browser.cookies.get("tizim_session")
    assert cookie and len(cookie) >= 32
    # not a key the API accepts
    assert browser.get("/lists", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401
    assert KeyStore().authenticate(cookie) is None


def test_openapi_and_docs_are_open_as_the_api_description_says(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert "/docs" in spec.json()["info"]["description"] and "hold no" in spec.json()["info"]["description"]
    assert client.get("/lists").status_code == 401  # what the document lists needs a key
