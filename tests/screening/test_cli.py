"""The CLI on small fixture lists written to a throw-away SQLite database."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import FIXTURES
from tests.screening.conftest import sample_entities, sample_relationships
from tizim.cli import app
from tizim.registry.model import ParsedList
from tizim.registry.service import Registry

FIX = FIXTURES / "screening"
runner = CliRunner()


def load_sample(url: str) -> None:
    by_list: dict[str, list] = defaultdict(list)
    for e in sample_entities():
        lst = e.designations[0].list_name if e.designations else "kz-fixture"
        by_list[lst].append(e)
    for lst, ents in sorted(by_list.items()):
        rels = [r for r in sample_relationships() if r.source_id.startswith(lst.split("-")[0])]
        Registry(url).import_parsed(
            ParsedList(list_name=lst, source_file=f"{lst}.fixture", file_hash=f"h-{lst}",
                       entities=ents, relationships=rels)
        )


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    load_sample(sqlite_url)
    return sqlite_url


def test_screen_input_output_shape(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    res = runner.invoke(app, ["screen", "--input", str(FIX / "queries.jsonl"), "--output", str(out),
                              "--workers", "1"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(rows) == {"q1", "q2", "q3", "q4"}
    top = rows["q1"]["results"][0]
    assert list(top) == ["entity_id", "caption", "schema", "score", "match", "lists", "refs", "explanation"]
    # the bundled national list names the IMU too: one cluster, every list's reference
    assert top["refs"]["un-sc"] == ["QDe.010"] and top["refs"]["us-ofac-sdn"] == ["6725"]
    assert top["match"]
    assert rows["q2"]["results"][0]["refs"]["un-sc"] == ["QDi.006"]
    assert not any(r["match"] for r in rows["q3"]["results"])
    assert rows["q4"]["results"][0]["refs"] == {"kz-fixture": ["P1"]}


def test_screen_lists_threshold_limit(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    res = runner.invoke(app, ["screen", "--input", str(FIX / "queries.jsonl"), "--output", str(out),
                              "--lists", "us-ofac-sdn", "--limit", "1", "--threshold", "0.99"])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["q1"]["results"][0]["refs"] == {"us-ofac-sdn": ["6725"]}
    assert all(len(r["results"]) <= 1 for r in rows.values())
    assert rows["q4"]["results"] == []


def test_screen_bad_line_is_one_line_error(loaded: str, tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "schema": "Person", "name": "X"}\n{"id": "b", "schema": "Spaceship", "name": "Y"}\n')
    res = runner.invoke(app, ["screen", "--input", str(bad)])
    assert res.exit_code != 0
    assert "line 2" in str(res.exception) and "Spaceship" in str(res.exception)


def test_screen_name_table(loaded: str) -> None:
    res = runner.invoke(app, ["screen", "--name", "IMU", "--schema", "Organization"])
    assert res.exit_code == 0, res.output
    assert "QDe.010" in res.output and "6725" in res.output


def test_compare_file(loaded: str, tmp_path: Path) -> None:
    out = tmp_path / "c.jsonl"
    res = runner.invoke(app, ["compare", "--input", str(FIX / "pairs.jsonl"), "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert list(rows["p1"]) == ["id", "score", "match", "explanation"]
    assert rows["p1"]["match"] and rows["p2"]["match"] and rows["p4"]["match"]
    assert not rows["p3"]["match"]


def test_screen_text_cli(loaded: str) -> None:
    res = runner.invoke(app, ["screen-text", "--input", str(FIX / "remittance.txt")])
    assert res.exit_code == 0, res.output
    spans = json.loads(res.output)["spans"]
    texts = [s["text"] for s in spans]
    assert "ISLAMIC MOVEMENT OF UZBEKISTAN" in texts
    assert any("Zawahiri" in t for t in texts)


def test_dismiss_cli(loaded: str) -> None:
    from tizim import settings
    from tizim.api.keys import KeyStore

    args = ["dismiss", "--subject", "cust-1", "--entity", "un-sc:QDe.010", "--reason", "different party"]
    # who decides is the holder of TIZIM_API_KEY, a supervisor: outside a case there are no four eyes
    settings.override(api_key=KeyStore().create("bob", "analyst")[1])
    refused = runner.invoke(app, args)
    assert refused.exit_code != 0 and "supervisor" in str(refused.exception)
    settings.override(api_key=KeyStore().create("ana", "supervisor")[1])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    # stored under the cluster id, whichever member was named
    stored = json.loads(res.output)
    assert stored["subject_key"] == "cust-1" and stored["user"] == "ana"
    assert stored["entity_id"] <= "un-sc:QDe.010"
