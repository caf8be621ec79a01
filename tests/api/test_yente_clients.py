"""yente clients, unmodified, against a real tizim server: nomenklatura's own YenteEnricher
(its match and expand steps, its HTTP session, its cache) pointed at `uvicorn` serving
tizim's app on a free local port; and the yente endpoints it and other clients read."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from followthemoney import Dataset, StatementEntity

from tests.api.conftest import LIST, load_fixture_lists
from tizim.api.app import create_app
from tizim.api.keys import KeyStore

nomenklatura = pytest.importorskip("nomenklatura", reason="nomenklatura is in the dev extra (pip install -e '.[dev]')")
from nomenklatura.cache import Cache  # noqa: E402
from nomenklatura.db import Session, get_engine  # noqa: E402
from nomenklatura.enrich import Enricher, EnrichmentException, make_enricher  # noqa: E402


@dataclass
class Server:
    url: str
    key: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(sqlite_url: str) -> Iterator[Server]:
    """tizim's app served by uvicorn in a thread, over the API fixture list."""
    load_fixture_lists()
    key = KeyStore().create("enricher", "screener")[1]
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not uv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Server(url=f"http://127.0.0.1:{port}/", key=key)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def enricher(server: Server, tmp_path: Path) -> Iterator[Enricher[Dataset]]:
    dataset = Dataset.make({"name": "client_data", "title": "A client's own entities"})
    session = Session(get_engine(f"sqlite:///{tmp_path / 'nomenklatura.db'}"))
    cache = Cache(session, dataset, create=True)
    config = {
        "type": "nomenklatura.enrich.yente:YenteEnricher",
        "api": server.url,
        "api_key": server.key,
        "cache_days": 0,
    }
    made = make_enricher(dataset, cache, config)
    try:
        yield made
    finally:
        made.close()
        session.close()


def _entity(dataset: Dataset, entity_id: str, schema: str, **props: list[str]) -> StatementEntity:
    return StatementEntity.from_data(dataset, {"id": entity_id, "schema": schema, "properties": props})


def test_yente_enricher_matches_and_expands(enricher: Enricher[Dataset]) -> None:
    ds = enricher.dataset
    queries = [
        _entity(ds, "c-person", "Person", name=["Tahir Yuldashev"], birthDate=["1962"], nationality=["uz"]),
        _entity(ds, "c-org", "Organization", name=["Islamic Movement of Turkestan"], country=["uz"]),
        _entity(ds, "c-vessel", "Vessel", name=["SEA FALCON"], imoNumber=["9123456"]),
        _entity(ds, "c-address", "Address", full=["1 Main Street, Tashkent"], city=["Tashkent"], country=["uz"]),
        _entity(ds, "c-position", "Position", name=["Minister of Finance"], country=["uz"]),
    ]
    matched: dict[str, list[Any]] = {}
    failed: list[str] = []
    for query in queries:
        try:
            matched[str(query.id)] = list(enricher.match_wrapped(query))
        except EnrichmentException:
            failed.append(str(query.id))
    # An Address or a Position is nothing tizim lists: 200 and no results, not a 400 the
    # enricher would retry four times (sleeping 1 + 4 + 9 s) and then fail on.
    assert failed == []
    assert matched["c-address"] == [] and matched["c-position"] == []

    person = matched["c-person"][0]
    assert person.id == "tn-003" and person.schema.name == "Person"
    assert "Tahir Karimovich Yuldashev" in person.get("name")
    assert any(url.endswith("/entities/tn-003") for url in person.get("sourceUrl"))
    assert matched["c-org"][0].id == "tn-001"
    assert matched["c-vessel"][0].id == "tn-004"

    # Expanding the person brings back the person, its Sanction and the organisation it
    # leads (through the Directorship), each a valid FtM entity.
    expanded = list(enricher.expand_wrapped(queries[0], person))
    by_schema: dict[str, list[Any]] = {}
    for item in expanded:
        by_schema.setdefault(item.schema.name, []).append(item)
    assert expanded[0].id == "tn-003"
    sanction = by_schema["Sanction"][0]
    assert sanction.get("entity") == ["tn-003"]
    assert sanction.get("authorityId") == ["TN-3"] and sanction.get("startDate") == ["2006-03-15"]
    directorship = by_schema["Directorship"][0]
    assert directorship.get("director") == ["tn-003"] and directorship.get("organization") == ["tn-001"]
    assert [e.id for e in by_schema["Organization"]] == ["tn-001"]

    vessel = list(enricher.expand_wrapped(queries[2], matched["c-vessel"][0]))
    assert [e.schema.name for e in vessel] == ["Vessel", "Sanction"]
    assert vessel[0].get("imoNumber") == ["9123456"] and vessel[1].get("entity") == ["tn-004"]


def _get(server: Server, path: str, **params: Any) -> Any:
    response = httpx.get(server.url + path, params=params, headers={"Authorization": f"ApiKey {server.key}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_yente_result_fields_and_endpoints(server: Server) -> None:
    body = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Tahir Yuldashev"], "wingspan": ["3m"]}}}}
    response = httpx.post(
        server.url + "match/default",
        json=body,
        params={"algorithm": "logic-v2"},
        headers={"Authorization": f"ApiKey {server.key}"},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["algorithm"], data["matcher"]) == ("logic-v2", "tizim")
    answer = data["responses"]["q"]
    assert answer["query"]["properties"] == {"name": ["Tahir Yuldashev"]}  # unknown property skipped
    top = answer["results"][0]
    assert top["id"] == "tn-003" and top["referents"] == [] and top["target"] is True
    assert top["datasets"] == [LIST]
    assert top["first_seen"] <= top["last_change"] <= top["last_seen"]
    assert "T" in top["first_seen"] and "+" not in top["first_seen"]  # yente: seconds, no zone
    name = top["explanations"]["name"]
    assert name["query"] == "Tahir Yuldashev" and 0 < name["score"] <= 1 and name["detail"]
    assert "features" not in top  # yente has `explanations`; nomenklatura reads no `features`

    for extra in ({"exclude_schema": "Person"}, {"topics": "role.pep"}, {"changed_since": "2999-01-01"}):
        got = httpx.post(server.url + "match/default", json=body, params=extra, headers={"Authorization": f"ApiKey {server.key}"})
        assert got.status_code == 200 and got.json()["responses"]["q"]["results"] == [], extra

    found = _get(server, f"search/{LIST}", q="Turkestan", schema="Thing")  # yente's default schema
    assert [r["id"] for r in found["results"]] == ["tn-001"]
    assert [r["id"] for r in _get(server, f"search/{LIST}", q="Falcon", schema="Thing")["results"]] == ["tn-004"]
    assert _get(server, f"search/{LIST}", q="Falcon", schema="LegalEntity")["results"] == []

    nested = _get(server, "entities/tn-003", nested="true")
    assert nested["id"] == "tn-003" and nested["schema"] == "Person"
    assert [s["properties"]["authorityId"] for s in nested["properties"]["sanctions"]] == [["TN-3"]]
    link = nested["properties"]["directorshipDirector"][0]
    assert link["properties"]["organization"][0]["id"] == "tn-001"

    catalog = _get(server, "catalog")
    names = {d["name"] for d in catalog["datasets"]}
    assert LIST in names and "default" in names and LIST in catalog["current"] and catalog["index_stale"] is False
    default = next(d for d in catalog["datasets"] if d["name"] == "default")
    assert LIST in default["children"]
    algorithms = _get(server, "algorithms")
    assert {"logic-v1", "logic-v2", "name-based", "tizim"} <= {a["name"] for a in algorithms["algorithms"]}
    assert algorithms["best"] == "tizim"
