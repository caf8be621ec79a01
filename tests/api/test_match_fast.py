"""POST /match's short path answers exactly as FastAPI's own handling of the endpoint does.

Every request is sent twice: as served (valid requests take the short path in
tizim.api.routers.match) and with the short path switched off, so FastAPI's generic handler,
its parameter and body validation and the response model answer. Status, headers that matter
and the JSON must be the same.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import LIST, ApiEnv
from tizim.api.routers import match as match_module

ONE = {"queries": {"q": {"schema": "Organization", "properties": {"name": ["Islamic Movement of Turkestan"]}}}}
TWO = {
    "queries": {
        "p": {"schema": "Person", "properties": {"name": "Tahir Yuldashev", "birthDate": ["1962"], "nationality": ["uz"]}},
        "o": {"schema": "Organization", "properties": {"name": ["Northern Liberation", None]}},
    }
}

# (body, query params, role, content type); the short path takes the first group.
VALID: list[tuple[Any, Any, str | None, str]] = [
    (ONE, {}, "screener", "application/json"),
    (ONE, {"limit": 1, "threshold": 0.5}, "admin", "application/json"),
    (TWO, {"threshold": 1.0, "algorithm": "logic-v1", "cutoff": 0.2}, "screener", "application/json; charset=utf-8"),
    (TWO, [("include_dataset", LIST), ("include_dataset", "other"), ("exclude_entity_ids", "tn-001")], "analyst", "application/json"),
    (ONE, [("limit", "2"), ("limit", "3"), ("unknown", "x")], "screener", "Application/JSON"),
    (ONE, {"exclude_dataset": LIST}, "screener", "application/json"),
    (ONE, {"include_dataset": "not-a-list"}, "screener", "application/json"),
    ({"queries": {"c": {"schema": "Organization", "properties": {"name": ["Исламское движение Туркестана"]}}}},
     {}, "screener", "application/json"),
]
# Left to FastAPI's handler (or refused by the code both paths share).
OTHERS: list[tuple[Any, Any, str | None, str]] = [
    (ONE, {}, None, "application/json"),
    (ONE, {}, "viewer", "application/json"),
    (ONE, {"threshold": 1.5}, "screener", "application/json"),
    (ONE, {"limit": "", "threshold": "x"}, "screener", "application/json"),
    (ONE, {"threshold": 2}, None, "application/json"),
    ("{not json", {}, None, "application/json"),
    ("{not json", {}, "screener", "application/json"),
    (ONE, {}, "screener", "text/plain"),
    (ONE, {}, "screener", "application/vnd.api+json"),
    ({"queries": {"q": {"properties": {"name": ["x"]}}}}, {}, "screener", "application/json"),
    ({"queries": {"q": {"schema": "Spaceship", "properties": {"name": ["x"]}}}}, {}, "screener", "application/json"),
    ({"queries": {}}, {}, "screener", "application/json"),
    ([1, 2], {}, "screener", "application/json"),
    ("", {}, "screener", "application/json"),
    (ONE, {"algorithm": "magic"}, "screener", "application/json"),
    (ONE, {"exclude_entity_ids": [f"id-{i}" for i in range(501)]}, "screener", "application/json"),
]


def _send(api: ApiEnv, body: Any, params: Any, role: str | None, content_type: str, scope: str = "default") -> Any:
    import json

    content = body if isinstance(body, str) else json.dumps(body)
    headers = {**api.headers(role), "Content-Type": content_type}
    return api.client.post(f"/match/{scope}", content=content, params=params, headers=headers)


def _both(api: ApiEnv, monkeypatch: pytest.MonkeyPatch, *args: Any, **kw: Any) -> tuple[Any, Any, bool]:
    took: list[bool] = []
    fast = match_module._fast_match

    async def watched(request: Any) -> Any:
        answer = await fast(request)
        took.append(answer is not None)
        return answer

    async def never(_request: Any) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(match_module, "_fast_match", watched)
        served = _send(api, *args, **kw)
    with monkeypatch.context() as patch:
        patch.setattr(match_module, "_fast_match", never)
        generic = _send(api, *args, **kw)
    return served, generic, any(took)


def _same(served: Any, generic: Any) -> None:
    assert served.status_code == generic.status_code, (served.text, generic.text)
    assert served.json() == generic.json()
    for header in ("content-type", "x-batch-size", "www-authenticate"):
        assert served.headers.get(header) == generic.headers.get(header), header


@pytest.mark.parametrize("case", range(len(VALID)))
def test_short_path_answers_as_fastapi(api: ApiEnv, monkeypatch: pytest.MonkeyPatch, case: int) -> None:
    served, generic, fast = _both(api, monkeypatch, *VALID[case])
    assert fast, "the short path should have answered"
    assert served.status_code == 200
    _same(served, generic)


@pytest.mark.parametrize("case", range(len(OTHERS)))
def test_other_requests_are_fastapis(api: ApiEnv, monkeypatch: pytest.MonkeyPatch, case: int) -> None:
    served, generic, fast = _both(api, monkeypatch, *OTHERS[case])
    assert not fast
    _same(served, generic)


def test_unknown_scope_is_404_on_both_paths(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    served, generic, _fast = _both(api, monkeypatch, ONE, {}, "screener", "application/json", scope="no-such-list")
    assert served.status_code == 404
    _same(served, generic)
    served, generic, fast = _both(api, monkeypatch, ONE, {}, "screener", "application/json", scope=LIST)
    assert fast and served.status_code == 200
    _same(served, generic)


def test_chunked_body_over_the_limit_is_413_on_both_paths(api: ApiEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from tizim import settings

    settings.override(max_body_bytes=1000)

    def send() -> Any:
        def chunks():  # type: ignore[no-untyped-def]
            for _ in range(5):
                yield b" " * 400

        headers = {**api.headers("screener"), "Content-Type": "application/json"}
        return api.client.post("/match/default", content=chunks(), headers=headers)

    served = send()
    with monkeypatch.context() as patch:

        async def never(_request: Any) -> None:
            return None

        patch.setattr(match_module, "_fast_match", never)
        generic = send()
    assert served.status_code == generic.status_code == 413
    assert served.json() == generic.json()


def test_short_path_logs_the_call(api: ApiEnv, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    with caplog.at_level(logging.INFO, logger="tizim.api"):
        assert _send(api, TWO, {}, "screener", "application/json").status_code == 200
    (record,) = (r for r in caplog.records if r.name == "tizim.api")
    logged = record.api  # type: ignore[attr-defined]
    assert logged["key"] == "user-screener" and logged["queries"] == 2 and logged["endpoint"] == "/match/{scope}"
    assert logged["status"] == 200
