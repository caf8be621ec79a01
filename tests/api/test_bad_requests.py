"""Every bad request is a 4xx (issue 19), on SQLite and PostgreSQL: ids beyond an integer
column's range, non-ASCII digits, NUL characters in the URL or a JSON body, half of a
surrogate pair, JSON nested 100,000 deep."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tizim.api.app import create_app
from tizim.api.keys import KeyStore
from tizim.api.middleware import json_body_problem

DEEP = ("[" * 100_000 + "]" * 100_000).encode()

# (method, path, JSON body or None)
BAD: list[tuple[str, str, Any]] = [
    ("GET", "/cases/99999999999999999999", None),
    ("GET", "/cases/2147483648", None),
    ("POST", "/cases/9223372036854775808/actions", {"action": "comment", "note": "x"}),
    ("GET", "/cases/2147483648/str", None),
    ("DELETE", "/keys/³", None),
    ("DELETE", "/keys/99999999999999999999", None),
    ("DELETE", "/keys/%00", None),
    ("GET", "/entities/ab%00cd", None),
    ("GET", "/lists/ab%00/versions", None),
    ("GET", "/search/default?q=ab%00cd", None),
    ("GET", "/cases?party=ab%00", None),
    ("GET", "/payments/ab%00", None),
    ("POST", "/keys", {"name": "a\u0000b", "role": "viewer"}),
    ("POST", "/keys", {"name": "a\ud800b", "role": "viewer"}),
    ("POST", "/match/default", {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ab\ud800 Cd"]}}}}),
    ("POST", "/match/default", {"queries": {"q": {"schema": "Person", "properties": {"name": ["Ab\u0000 Cd"]}}}}),
    ("POST", "/screen/text", {"text": "Ayman \udc00 al-Zawahiri"}),
]
DEEP_PATHS = ["/match/default", "/screen/text", "/keys", "/payments", "/cases/1/actions"]


@pytest.fixture
def client(db_url: str) -> tuple[TestClient, dict[str, str]]:
    key = KeyStore().create("probe", "admin")[1]
    return TestClient(create_app(), raise_server_exceptions=False), {"Authorization": f"Bearer {key}"}


def test_bad_requests_are_4xx(client: tuple[TestClient, dict[str, str]]) -> None:
    app, headers = client
    for method, path, body in BAD:
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs = {"content": json.dumps(body).encode(), "headers": {**headers, "content-type": "application/json"}}
        response = app.request(method, path, **kwargs)
        assert 400 <= response.status_code < 500, (method, path, response.status_code, response.text[:200])
        assert response.json()["detail"]
    for path in DEEP_PATHS:
        response = app.post(path, content=DEEP, headers={**headers, "content-type": "application/json"})
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])


def test_good_requests_still_pass(client: tuple[TestClient, dict[str, str]]) -> None:
    app, headers = client
    # a character past U+FFFF is a surrogate pair in JSON, and an escaped backslash is text
    created = app.post("/keys", content=json.dumps({"name": "emoji-\U0001F600 \\u0000", "role": "viewer"}).encode(),
                       headers={**headers, "content-type": "application/json"})
    assert created.status_code in (200, 201), created.text
    assert app.delete("/keys/" + str(created.json()["id"]), headers=headers).status_code == 200


def test_json_escapes_are_read_in_chunks() -> None:
    pair = b'{"name": "\\ud83d\\ude00"}'
    cut = pair.index(b"\\ude00")
    assert json_body_problem(pair[:cut], final=False) is None  # the low half comes next
    assert json_body_problem(pair[:cut], final=True) is not None
    assert json_body_problem(pair) is None
    assert json_body_problem(b'{"a": "\\\\u0000"}') is None
    assert json_body_problem(b'{"a": "\\\\\\u0000"}') is not None
