"""POST /match and /screen/text: yente's request examples and response shape, limits."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.api.conftest import LIST, ApiEnv
from tizim import settings

# The request example from yente's documentation of POST /match/{dataset}.
YENTE_EXAMPLE = {
    "queries": {
        "entity1": {
            "schema": "Person",
            "properties": {"name": ["John Doe"], "birthDate": ["1975-04-21"], "nationality": ["us"]},
        },
        "entity2": {
            "schema": "Company",
            "properties": {
                "name": ["Brilliant Amazing Limited"],
                "jurisdiction": ["hk"],
                "registrationNumber": ["84BA99810"],
            },
        },
    }
}

# yente's ScoredEntityResponse keys (nomenklatura reads `explanations`, not the old `features`),
# and tizim's own `refs` and `explanation`.
RESULT_KEYS = {"id", "caption", "schema", "properties", "datasets", "referents", "target", "first_seen",
               "last_seen", "last_change", "score", "match", "explanations", "refs", "explanation"}


def _match(api: ApiEnv, body: dict[str, Any], scope: str = "default", **params: Any) -> Any:
    return api.client.post(f"/match/{scope}", json=body, params=params, headers=api.headers("screener"))


def _one(name: str, schema: str = "Organization", **props: list[str]) -> dict[str, Any]:
    return {"queries": {"q": {"schema": schema, "properties": {"name": [name], **props}}}}


def test_yente_documented_example_shape(api: ApiEnv) -> None:
    response = _match(api, YENTE_EXAMPLE, threshold=0.7, limit=5, algorithm="logic-v1")
    assert response.status_code == 200
    assert response.headers["x-batch-size"] == "2"
    data = response.json()
    assert data["limit"] == 5 and set(data["responses"]) == {"entity1", "entity2"}
    for key, answer in data["responses"].items():
        assert answer["status"] == 200
        assert answer["total"]["relation"] == "eq" and answer["total"]["value"] == len(answer["results"])
        assert answer["query"]["id"] == key
        assert answer["query"]["schema"] == YENTE_EXAMPLE["queries"][key]["schema"]
        # Made-up parties: nothing on the fixture list is a match.
        assert not any(r["match"] for r in answer["results"])


def test_match_result_shape_and_refs(api: ApiEnv) -> None:
    data = _match(api, _one("Islamic Movement of Turkestan")).json()
    top = data["responses"]["q"]["results"][0]
    assert set(top) >= RESULT_KEYS
    assert top["id"] == "tn-001" and top["match"] is True and top["score"] >= 0.9
    assert top["refs"] == {LIST: ["TN-1"]} and top["datasets"] == [LIST]
    assert top["properties"]["name"] == ["Islamic Movement of Turkestan"]
    assert isinstance(top["explanation"], dict) and top["explanation"]

    # A yente client may send a bare string instead of a list of values.
    person = {"queries": {"p": {"schema": "Person", "properties": {"name": "Tahir Yuldashev", "birthDate": "1962"}}}}
    top = _match(api, person).json()["responses"]["p"]["results"][0]
    assert top["id"] == "tn-003" and top["match"] is True


def test_scope_and_dataset_filters(api: ApiEnv) -> None:
    body = _one("Islamic Movement of Turkestan")
    assert _match(api, body, scope=LIST).json()["responses"]["q"]["results"][0]["id"] == "tn-001"
    assert _match(api, body, scope="no-such-list").status_code == 404
    for params in ({"exclude_dataset": LIST}, {"include_dataset": "other-list"}, {"exclude_entity_ids": "tn-001"}):
        results = _match(api, body, **params).json()["responses"]["q"]["results"]
        assert "tn-001" not in [r["id"] for r in results], params
    assert _match(api, body, include_dataset=LIST).json()["responses"]["q"]["results"][0]["id"] == "tn-001"


def test_threshold_decides_match_flag(api: ApiEnv) -> None:
    body = _one("Northern Liberation")
    low = _match(api, body, threshold=0.5).json()["responses"]["q"]["results"]
    high = _match(api, body, threshold=1.0).json()["responses"]["q"]["results"]
    assert low and low[0]["id"] == "tn-002" and low[0]["match"] is True
    assert all(not r["match"] for r in high if r["score"] < 1.0)


@pytest.mark.parametrize(
    "body,params,status,fragment",
    [
        (_one("x"), {"threshold": 1.5}, 422, "threshold"),
        (_one("x"), {"threshold": -0.1}, 422, "threshold"),
        (_one("x"), {"limit": 0}, 422, "limit"),
        (_one("x", schema="Spaceship"), {}, 400, "unknown schema"),
        ({"queries": {}}, {}, 400, "no queries"),
        ({"queries": {"q": {"properties": {"name": ["x"]}}}}, {}, 422, "schema"),
        ({"query": {}}, {}, 422, "queries"),
        (_one("x"), {"algorithm": "magic"}, 400, "algorithm"),
    ],
)
def test_match_limits(api: ApiEnv, body: dict[str, Any], params: dict[str, Any], status: int, fragment: str) -> None:
    response = _match(api, body, **params)
    assert response.status_code == status, response.text
    assert fragment in response.text


def test_batch_limit(api: ApiEnv) -> None:
    settings.override(max_batch_queries=3)
    queries = {f"q{i}": {"schema": "Person", "properties": {"name": [f"Person {i}"]}} for i in range(4)}
    response = _match(api, {"queries": queries})
    assert response.status_code == 400 and "too many queries" in response.json()["detail"]
    queries.pop("q3")
    assert _match(api, {"queries": queries}).status_code == 200


def test_query_content_logged_only_when_configured(api: ApiEnv, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tizim.api"):
        _match(api, _one("Secret Person Name"))
        settings.override(log_queries=True)
        _match(api, _one("Secret Person Name"))
    first, second = (r.api for r in caplog.records if r.name == "tizim.api")  # type: ignore[attr-defined]
    assert first["key"] == "user-screener" and first["queries"] == 1 and first["endpoint"] == "/match/{scope}"
    assert "query" not in first and "Secret" not in caplog.records[0].getMessage()
    assert second["query"] == {"q": {"name": ["Secret Person Name"]}}


def test_screen_text(api: ApiEnv) -> None:
    text = "Transfer to the Northern Liberation Front, vessel Sea Falcon."
    response = api.client.post("/screen/text", json={"text": text}, headers=api.headers("screener"))
    assert response.status_code == 200
    data = response.json()
    found = {r["id"] for span in data["spans"] for r in span["results"]}
    assert {"tn-002", "tn-004"} <= found
    for span in data["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert data["matches"] >= 2
    bad = api.client.post("/screen/text", json={"text": "x", "threshold": 2}, headers=api.headers("screener"))
    assert bad.status_code == 422
