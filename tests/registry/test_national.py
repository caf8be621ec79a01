"""The national-list format (YAML and CSV): the worked example, strict errors, property tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from tizim.errors import InputError
from tizim.registry.importers import detect, load, national
from tizim.registry.service import Registry

HERE = FIXTURES / "registry" / "national"


def test_yaml_example_parses_with_events_criticism_and_relationships() -> None:
    parsed = load(HERE / "example.yaml")
    assert parsed.list_name == "demo-national"
    assert parsed.published_at == "2024-05-01"
    by_id = {e.id: e for e in parsed.entities}
    front = by_id["demo-national-nf-001"]
    assert [(n.full, n.kind) for n in front.names][:2] == [("Northern Front", "primary"), ("NF", "alias")]
    assert front.names[3].script == "Cyrl"
    assert front.countries == ["kz"]
    desig = front.designations[0]
    assert (desig.listed_on, desig.authority, desig.legal_basis) == (
        "2021-06-01", "Supreme Court (demo)", "Law on Countering Extremism, Article 9 (demo)")
    actions = [(ev.action, ev.date) for ev in desig.events]
    assert actions == [("requested", "2021-03"), ("added", "2021-06-01"), ("reaffirmed", None),
                       ("contested", "2021-07"), ("reply", None)]
    assert desig.events[3].authority == "Human rights observers"
    person = by_id["demo-national-person-001"]
    assert person.birth_dates == ["1970-02-03"]
    assert person.designations[0].delisted_on == "2023-04-01"
    assert not by_id["demo-national-old-friends"].designations
    kinds = {(r.kind, r.source_id, r.target_id) for r in parsed.relationships}
    assert ("same_as", "demo-national-nf-001", "un-sc-qde-999") in kinds
    assert ("leader_of", "demo-national-person-001", "demo-national-nf-001") in kinds
    assert parsed.events[0].count == 1


def test_csv_variant() -> None:
    path = HERE / "example.csv"
    assert national.sniff(path, path.read_bytes()) == "demo-csv"
    parsed = load(path)
    first, second = parsed.entities
    assert first.id == "demo-csv-1" and [n.kind for n in first.names] == ["primary", "alias", "alias"]
    assert first.designations[0].citation is not None
    assert first.designations[0].citation.quote == "The Northern Front is recognised as a terrorist organization."
    assert second.birth_dates == ["1970-02-03"] and second.identifiers[0].type == "iin"
    assert [n.kind for n in second.names] == ["primary", "alias", "weak_alias"]
    assert second.designations[0].citation is not None and second.designations[0].citation.record == "line 3"


def test_source_option_renames_the_list() -> None:
    parsed = load(HERE / "example.yaml", "my-list")
    assert parsed.list_name == "my-list"
    assert parsed.entities[0].id == "my-list-nf-001"
    assert parsed.entities[0].designations[0].list_name == "my-list"


def _write(tmp_path: Path, text: str, name: str = "list.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """list:
  name: t
entities:
  - reference: a
    schema: Organization
    names:
      - {name: Alpha, kind: primary}
    designation:
      listed_on: 2020-01-01
"""


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ("kind: primary", "kind: nickname", "entities[0].names[0].kind", 7, "unknown name kind"),
        ("schema: Organization", "schema: Club", "entities[0].schema", 5, "unknown schema"),
        ("listed_on: 2020-01-01", "listed_on: soon", "entities[0].designation.listed_on", 9, "not a date"),
        ("listed_on: 2020-01-01", "listd_on: 2020-01-01", "entities[0].designation.listd_on", 9, "unknown key"),
        ("listed_on: 2020-01-01", "events:\n        - {action: banned, date: 2020}", "entities[0].designation.events[0].action", 10, "unknown action"),
        ("listed_on: 2020-01-01", "events:\n        - {action: added}", "entities[0].designation.events[0].date", 10, "is required"),
        ("listed_on: 2020-01-01", "events:\n        - {action: added, date: null}", "entities[0].designation.events[0].date", 10, "null date needs a note"),
    ],
)
def test_errors_name_field_and_line(tmp_path: Path, old: str, new: str, field: str, line: int, words: str) -> None:
    path = _write(tmp_path, BASE.replace(old, new))
    with pytest.raises(InputError) as err:
        load(path, "t")
    assert err.value.field == field
    assert err.value.line == line
    assert words in err.value.reason
    assert str(path) in str(err.value)


def test_dangling_relationship_and_broken_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE + "relationships:\n  - {kind: tied_to, from: a, to: b}\n")
    with pytest.raises(InputError, match="no entity with reference 'b'") as err:
        load(path, "t")
    assert err.value.line == 11
    broken = _write(tmp_path, BASE.replace("names:", "names: [", 1), "broken.yaml")
    with pytest.raises(InputError, match="not valid YAML") as err2:
        load(broken, "t")
    assert err2.value.line is not None


def test_csv_errors(tmp_path: Path) -> None:
    good = (HERE / "example.csv").read_text(encoding="utf-8")
    path = _write(tmp_path, good.replace("2022-01-15", "someday"), "bad.csv")
    with pytest.raises(InputError, match="not a date") as err:
        load(path)
    assert (err.value.line, err.value.field, err.value.record) == (3, "listed_on", "2")
    truncated = _write(tmp_path, good[: good.index("Сидоров") + 3], "cut.csv")
    with pytest.raises(InputError, match="values for"):
        load(truncated)


def test_sniff_is_precise(tmp_path: Path) -> None:
    other = _write(tmp_path, "name: x\nitems: [1, 2]\n", "config.yaml")
    assert national.sniff(other, other.read_bytes()) is None
    tx = _write(tmp_path, "Date,Time,Sender_account,Amount\n2024-01-01,10:00,1,5\n", "tx.csv")
    assert national.sniff(tx, tx.read_bytes()) is None
    assert detect(HERE / "example.yaml")[1] == "demo-national"


def test_imports_through_registry(db_url: str) -> None:
    registry = Registry(db_url)
    result = registry.import_parsed(load(HERE / "example.yaml"))
    assert result.entity_count == 2  # designated entities; the parent group is related only
    assert [r["id"] for r in registry.asof("demo-national", "2022-06-01")] == [
        "demo-national-nf-001", "demo-national-person-001"]
    assert [r["id"] for r in registry.asof("demo-national", "2023-04-01")] == ["demo-national-nf-001"]
    shown = registry.entity("demo-national-nf-001")
    assert {r["kind"] for r in shown["relationships"]} == {"leader_of", "affiliated_with", "same_as"}


# ---- property tests -------------------------------------------------------------------

_word = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters="-'.", max_codepoint=0x4FF),
    min_size=1, max_size=12,
)
_text = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_date = st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(2999, 12, 31)).map(lambda d: d.isoformat())
_partial = st.one_of(_date, _date.map(lambda d: d[:7]), _date.map(lambda d: d[:4]))


@st.composite
def _documents(draw: st.DrawFn) -> dict:
    count = draw(st.integers(min_value=1, max_value=5))
    entities = []
    for i in range(count):
        names = draw(st.lists(_text, min_size=1, max_size=4, unique=True))
        kinds = ["primary"] + [draw(st.sampled_from(national.NAME_KINDS)) for _ in names[1:]]
        events = [
            {"action": draw(st.sampled_from(national.EVENT_ACTIONS)), "date": draw(_partial)}
            for _ in range(draw(st.integers(0, 3)))
        ]
        entities.append({
            "reference": f"r{i}",
            "schema": draw(st.sampled_from(["Person", "Organization", "LegalEntity"])),
            "names": [{"name": n, "kind": k} for n, k in zip(names, kinds, strict=True)],
            "designation": {"listed_on": draw(_partial), "events": events},
        })
    return {"list": {"name": "prop"}, "entities": entities}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents())
def test_property_round_trip(tmp_path: Path, doc: dict) -> None:
    path = _write(tmp_path, yaml.safe_dump(doc, allow_unicode=True))
    parsed = national.parse(path, "prop")
    assert len(parsed.entities) == len(doc["entities"])
    for entity, raw in zip(parsed.entities, doc["entities"], strict=True):
        assert [(n.full, n.kind) for n in entity.names] == [(n["name"], n["kind"]) for n in raw["names"]]
        assert entity.designations[0].listed_on == raw["designation"]["listed_on"]
        assert [(e.action, e.date) for e in entity.designations[0].events] == [
            (e["action"], e["date"]) for e in raw["designation"]["events"]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=_documents(), data=st.data())
def test_property_bad_kind_is_reported_at_its_path(tmp_path: Path, doc: dict, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(doc["entities"]) - 1))
    j = data.draw(st.integers(0, len(doc["entities"][i]["names"]) - 1))
    bad = data.draw(_text.filter(lambda s: s not in national.NAME_KINDS))
    doc["entities"][i]["names"][j]["kind"] = bad
    path = _write(tmp_path, yaml.safe_dump(doc, allow_unicode=True, default_flow_style=False))
    with pytest.raises(InputError) as err:
        national.parse(path, "prop")
    assert err.value.field == f"entities[{i}].names[{j}].kind"
    assert err.value.line is not None
    assert path.read_text(encoding="utf-8").splitlines()[err.value.line - 1].strip().lstrip("- ").startswith("kind:")
