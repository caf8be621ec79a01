"""The authorization matrix: every endpoint x every role x no key (401 / 403 / 2xx)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.conftest import LIST, ApiEnv
from tests.conftest import FIXTURES
from tizim.api.app import create_app
from tizim.api.keys import ROLES, role_rank


def _screening_ready() -> bool:
    try:
        module = importlib.import_module("tizim.screening")
    except ImportError:
        return False
    return hasattr(module, "get_screener") and hasattr(module, "Query")


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route template, to check the table covers every route
    url: str
    role: str | None  # least role admitted; None = no key needed
    body: Any = None
    screening: bool = False
    content: bytes | None = None  # a raw request body (a list file)

    def __str__(self) -> str:
        return f"{self.method} {self.url}"


MATCH_BODY = {"queries": {"q1": {"schema": "Organization", "properties": {"name": ["Islamic Movement of Turkestan"]}}}}

CALLS = [
    Call("GET", "/healthz", "/healthz", None),
    Call("GET", "/readyz", "/readyz", "viewer"),
    Call("GET", "/metrics", "/metrics", "viewer"),
    Call("GET", "/lists", "/lists", "viewer"),
    Call("GET", "/lists/{name}/versions", f"/lists/{LIST}/versions", "viewer"),
    Call("GET", "/lists/{name}/diff", f"/lists/{LIST}/diff?from=1&to=2", "viewer"),
    Call("GET", "/lists/{name}/asof/{day}", f"/lists/{LIST}/asof/2009-01-01", "viewer"),
    Call("POST", "/lists/import", "/lists/import?filename=example.yaml", "admin",
         content=(FIXTURES / "registry" / "national" / "example.yaml").read_bytes()),
    Call("GET", "/search/{scope}", "/search/default?q=sea", "viewer"),
    Call("GET", "/entities/{entity_id}", "/entities/tn-003", "viewer"),
    Call("GET", "/entities/{entity_id}/adjacent", "/entities/tn-001/adjacent", "viewer"),
    Call("GET", "/catalog", "/catalog", "viewer"),
    Call("GET", "/algorithms", "/algorithms", "viewer"),
    Call("POST", "/match/{scope}", "/match/default", "screener", MATCH_BODY, screening=True),
    Call("POST", "/screen/text", "/screen/text", "screener", {"text": "paid to Sea Falcon"}, screening=True),
    Call("GET", "/keys", "/keys", "admin"),
    Call("POST", "/keys", "/keys", "admin", {"name": "new-key", "role": "viewer"}),
    Call("DELETE", "/keys/{ident}", "/keys/user-viewer", "admin"),
]

# Routes other packages mount (monitoring's payments and cases, customers and freezes, the web
# pages) test their own roles (tests/monitoring/test_http.py, tests/customers/test_http.py).
FOREIGN_PREFIXES = ("/payments", "/cases", "/customers", "/freezes", "/ui")


def test_matrix_covers_every_route() -> None:
    app = create_app()
    # The OpenAPI document lists every mounted route, wherever its router was included.
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if not path.startswith(FOREIGN_PREFIXES)
        for method in operations
    }
    assert routes == {(c.method, c.route) for c in CALLS}


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_matrix(api: ApiEnv, call: Call) -> None:
    if call.screening and not _screening_ready():
        pytest.skip("the screening package (get_screener, Query) is not there yet")
    for role in (None, *ROLES):
        # DELETE revokes the key it names: give it a fresh victim each time.
        if call.method == "DELETE":
            api.client.post("/keys", json={"name": "user-viewer-2", "role": "viewer"}, headers=api.headers("admin"))
            url = "/keys/user-viewer-2"
        else:
            url = call.url
        if call.method == "POST" and call.url == "/keys":
            body = {"name": f"new-key-{role}", "role": "viewer"}
        else:
            body = call.body
        if call.content is not None:
            response = api.client.request(call.method, url, content=call.content, headers=api.headers(role))
        else:
            response = api.client.request(call.method, url, json=body, headers=api.headers(role))
        if call.role is None:
            expected = "2xx"
        elif role is None:
            expected = "401"
        elif role_rank(role) < role_rank(call.role):
            expected = "403"
        else:
            expected = "2xx"
        got = "2xx" if 200 <= response.status_code < 300 else str(response.status_code)
        assert got == expected, f"{call} as {role or 'no key'}: {response.status_code} {response.text[:200]}"
        if got != "2xx":
            assert isinstance(response.json()["detail"], str)
        if got == "401":
            assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer tz_not-a-key", "Token abc", "ApiKey"],
)
def test_bad_authorization_headers_are_401(api: ApiEnv, header: str) -> None:
    response = api.client.get("/lists", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["detail"]


def test_yente_apikey_scheme_and_case(api: ApiEnv) -> None:
    for scheme in ("ApiKey", "apikey", "Bearer", "bearer"):
        response = api.client.get("/lists", headers=api.headers("viewer", scheme=scheme))
        assert response.status_code == 200, scheme


def test_revoked_key_is_refused(api: ApiEnv) -> None:
    assert api.client.get("/lists", headers=api.headers("viewer")).status_code == 200
    revoked = api.client.delete("/keys/user-viewer", headers=api.headers("admin"))
    assert revoked.status_code == 200 and len(revoked.json()["revoked"]) == 1
    # Same process: the key store's cache is cleared on revocation.
    assert api.client.get("/lists", headers=api.headers("viewer")).status_code == 401


def test_key_created_over_http_works(api: ApiEnv) -> None:
    created = api.client.post("/keys", json={"name": "svc", "role": "screener"}, headers=api.headers("admin"))
    assert created.status_code == 201
    secret = created.json()["key"]
    assert api.client.get("/lists", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = api.client.get("/keys", headers=api.headers("admin")).text
    assert secret not in listing and '"svc"' in listing
    bad = api.client.post("/keys", json={"name": "x", "role": "root"}, headers=api.headers("admin"))
    assert bad.status_code == 400 and "unknown role" in bad.json()["detail"]
