"""Registry reads over HTTP: lists, versions, diff, as-of, entities, adjacent, search; system."""

from __future__ import annotations

import logging

import pytest

from tests.api.conftest import LIST, ApiEnv


def test_lists_versions_diff_asof(api: ApiEnv) -> None:
    h = api.headers("viewer")
    lists = api.client.get("/lists", headers=h).json()
    assert [row["name"] for row in lists if row["name"] == LIST] == [LIST]
    ours = next(row for row in lists if row["name"] == LIST)
    assert ours["entities"] == 5 and ours["versions"] == 2

    versions = api.client.get(f"/lists/{LIST}/versions", headers=h).json()
    assert [v["version"] for v in versions] == [1, 2]

    diff = api.client.get(f"/lists/{LIST}/diff", params={"from": 1, "to": 2}, headers=h).json()
    assert [e["id"] for e in diff["added"]] == ["tn-005"]
    assert [e["id"] for e in diff["changed"]] == ["tn-002"]
    assert diff["removed"] == []

    # The default diff is the latest version against the one before.
    assert api.client.get(f"/lists/{LIST}/diff", headers=h).json()["added"] == diff["added"]

    asof = api.client.get(f"/lists/{LIST}/asof/2006-01-01", headers=h).json()
    assert [e["reference"] for e in asof["entries"]] == ["TN-2"]
    later = api.client.get(f"/lists/{LIST}/asof/2009-01-01", headers=h).json()
    assert sorted(e["reference"] for e in later["entries"]) == ["TN-1", "TN-2", "TN-3", "TN-4"]


@pytest.mark.parametrize(
    "path,status",
    [
        ("/lists/no-such-list/versions", 404),
        ("/lists/no-such-list/diff", 404),
        (f"/lists/{LIST}/diff?from=1&to=9", 404),
        (f"/lists/{LIST}/asof/yesterday", 422),
        ("/lists/no-such-list/asof/2006-01-01", 404),
        ("/entities/no-such-entity", 404),
        ("/entities/no-such-entity/adjacent", 404),
        ("/search/no-such-list?q=x", 404),
    ],
)
def test_not_found_and_bad_input(api: ApiEnv, path: str, status: int) -> None:
    response = api.client.get(path, headers=api.headers("viewer"))
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str)


def test_entity_with_designations_and_relationships(api: ApiEnv) -> None:
    data = api.client.get("/entities/tn-003", headers=api.headers("viewer")).json()
    assert data["caption"] == "Tahir Karimovich Yuldashev"
    assert data["schema"] == "Person"
    assert data["properties"]["birthDate"] == ["1962-04-01"]
    assert data["properties"]["passportNumber"] == ["AA1234567"]
    assert "Тахир Юлдашев" in data["properties"]["alias"]
    assert data["refs"] == {LIST: ["TN-3"]}
    designation = data["designations"][0]
    assert designation["reference"] == "TN-3"
    assert designation["citation"]["record"] == "TN-3"
    assert data["relationships"][0]["kind"] == "leader_of"
    assert data["relationships"][0]["other_id"] == "tn-001"
    assert set(data["names_by_script"]) == {"Latn", "Cyrl"}


def test_adjacent(api: ApiEnv) -> None:
    data = api.client.get("/entities/tn-001/adjacent", headers=api.headers("viewer")).json()
    assert data["entity"]["id"] == "tn-001"
    leaders = data["adjacent"]["leader_of"]
    assert leaders["total"] == {"value": 1, "relation": "eq"}
    assert leaders["results"][0]["entity"]["caption"] == "Tahir Karimovich Yuldashev"
    assert leaders["results"][0]["relationship"]["direction"] == "incoming"


def test_search_with_facets(api: ApiEnv) -> None:
    h = api.headers("viewer")
    found = api.client.get(f"/search/{LIST}", params={"q": "islamic turk"}, headers=h).json()
    assert [r["id"] for r in found["results"]] == ["tn-001"]
    assert found["total"]["value"] == 1
    # Cyrillic query finds the same entity through its Cyrillic alias.
    cyr = api.client.get(f"/search/{LIST}", params={"q": "движение"}, headers=h).json()
    assert [r["id"] for r in cyr["results"]] == ["tn-001"]

    everything = api.client.get(f"/search/{LIST}", params={"limit": 2}, headers=h).json()
    assert everything["total"]["value"] == 5 and len(everything["results"]) == 2
    facets = everything["facets"]
    assert {v["name"]: v["count"] for v in facets["schema"]["values"]} == {
        "Organization": 3,
        "Person": 1,
        "Vessel": 1,
    }
    assert {v["name"]: v["count"] for v in facets["countries"]["values"]}["kz"] == 2
    assert facets["lists"]["values"] == [{"name": LIST, "label": LIST, "count": 5}]

    only_kz = api.client.get(f"/search/{LIST}", params={"countries": "KZ"}, headers=h).json()
    assert sorted(r["id"] for r in only_kz["results"]) == ["tn-002", "tn-005"]
    people = api.client.get(f"/search/{LIST}", params={"schema": "Person"}, headers=h).json()
    assert [r["id"] for r in people["results"]] == ["tn-003"]
    nowhere = api.client.get("/search/default", params={"lists": "other"}, headers=h).json()
    assert nowhere["total"]["value"] == 0
    # The default scope covers every list (the bundled national list too, when loaded).
    anywhere = api.client.get("/search/default", params={"q": "sea falcon"}, headers=h).json()
    assert anywhere["results"][0]["id"] == "tn-004"


def test_health_ready_metrics(api: ApiEnv) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz", headers=api.headers("viewer")).json()
    assert ready["status"] == "ok" and ready["entities"] >= 5
    api.client.get("/lists", headers=api.headers("viewer"))
    text = api.client.get("/metrics", headers=api.headers("viewer")).text
    assert 'tizim_http_requests_total{method="GET",route="/lists",status="200"}' in text
    assert 'tizim_http_request_duration_seconds_bucket{le="0.035",method="GET",route="/lists"}' in text
    assert f'tizim_list_age_seconds{{list="{LIST}"}}' in text
    assert f'tizim_list_entities{{list="{LIST}"}} 5.0' in text
    assert "tizim_index_entities" in text


def test_every_call_is_logged_without_query_content(api: ApiEnv, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="tizim.api"):
        api.client.get("/search/default", params={"q": "Yuldashev"}, headers=api.headers("viewer"))
        api.client.get("/lists")
    records = [r for r in caplog.records if r.name == "tizim.api"]
    assert len(records) == 2
    first = records[0].api  # type: ignore[attr-defined]
    assert first["key"] == "user-viewer" and first["endpoint"] == "/search/{scope}"
    assert first["status"] == 200 and first["latency_ms"] >= 0
    assert "Yuldashev" not in records[0].getMessage() and "query" not in first
    assert records[1].api["status"] == 401 and records[1].api["key"] is None  # type: ignore[attr-defined]


def test_body_size_limit(api: ApiEnv) -> None:
    from tizim import settings

    settings.override(max_body_bytes=1000)
    big = {"queries": {"q": {"schema": "Person", "properties": {"name": ["x" * 2000]}}}}
    response = api.client.post("/match/default", json=big, headers=api.headers("screener"))
    assert response.status_code == 413
    assert "limit of 1000 bytes" in response.json()["detail"]

    # A chunked body declares no length; it is counted as it arrives.
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(5):
            yield b"x" * 400

    response = api.client.post(
        "/screen/text", content=chunks(), headers={**api.headers("screener"), "Content-Type": "application/json"}
    )
    assert response.status_code == 413
