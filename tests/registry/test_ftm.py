"""FollowTheMoney JSON lines in (OpenSanctions exports) and out (round trip through the registry)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from followthemoney import model

from tests.conftest import FIXTURES, shared_file
from tizim.errors import InputError
from tizim.registry.ftm_export import export_ftm
from tizim.registry.importers import detect, ftm, load
from tizim.registry.service import Registry

KZ = Path(__file__).resolve().parents[2] / "tizim" / "registry" / "data" / "kz_supreme_court.yaml"


def test_yente_zala_cluster() -> None:
    path = shared_file("opensanctions", "yente_fixtures", "zala_entities.ftm.json")
    assert detect(path)[0] is ftm
    parsed = load(path, "zala")
    assert len(parsed.entities) == 17  # 11 companies + 6 persons
    designations = [d for e in parsed.entities for d in e.designations]
    from_targets = [d for d in designations if (d.note or "").startswith("FtM target")]
    assert len(designations) - len(from_targets) == 41  # one per Sanction entity
    assert len(from_targets) == 12  # targets the cluster holds no Sanction for
    assert Counter(r.kind for r in parsed.relationships) == {"affiliated_with": 14, "tied_to": 4, "leader_of": 3}
    sanctioned = next(e for e in parsed.entities if len(e.designations) > 3)
    assert all(d.list_name == "zala" and d.authority for d in sanctioned.designations)


def test_dataset_export_layout() -> None:
    path = shared_file("opensanctions", "wd_peps_sa_2024-03", "entities.ftm.json")
    assert ftm.sniff(path, path.read_bytes()[:65536]) == "os-sa-wiki-peps-v2"
    for other in ("index.json", "statistics.json"):
        sibling = path.parent / other
        assert ftm.sniff(sibling, sibling.read_bytes()[:65536]) is None
    parsed = load(path)
    assert len(parsed.entities) == 607
    assert sum(1 for e in parsed.entities if e.designations) == 423  # the export's targets
    assert Counter(r.kind for r in parsed.relationships) == {"tied_to": 756}  # Family links
    assert any(e.properties.get("position") for e in parsed.entities)  # Occupancy -> Position


def test_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.ftm.json"
    good = '{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n'
    path.write_text(good + '{"id": "b", "schema": "Person", "prop', encoding="utf-8")
    with pytest.raises(InputError, match="truncated") as err:
        load(path, "t")
    assert err.value.line == 2
    path.write_text(good + '{"id": "b", "schema": "Unicorn", "properties": {}}\n', encoding="utf-8")
    with pytest.raises(InputError, match="unknown FtM schema") as err:
        load(path, "t")
    assert (err.value.line, err.value.field) == (2, "schema")


def test_export_validates_and_round_trips(sqlite_url: str, tmp_path: Path) -> None:
    registry = Registry(sqlite_url)
    registry.import_parsed(load(KZ))
    registry.import_parsed(load(FIXTURES / "registry" / "uk" / "small"))
    lines = list(export_ftm(registry, None))
    for obj in lines:  # every line is a valid FtM entity
        proxy = model.get_proxy(obj)
        assert proxy.id == obj["id"]
    schemata = Counter(obj["schema"] for obj in lines)
    designations = sum(len(e.designations) for e in registry.iter_entities())
    assert schemata["Sanction"] == designations and schemata["Organization"] >= 19

    out = tmp_path / "kz.ftm.json"
    out.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in export_ftm(registry, ["kz-supreme-court"])), encoding="utf-8")
    again = load(out, "kz-supreme-court")
    before = {e.id: e for e in registry.iter_entities(["kz-supreme-court"])}
    after = {e.id: e for e in again.entities}
    assert set(after) == set(before)
    for eid, old in before.items():
        new = after[eid]
        assert new.schema == old.schema
        assert {n.full for n in new.names} == {n.full for n in old.names}
        assert new.names[0].full == old.names[0].full
        assert [(d.reference, d.listed_on, d.authority, d.programme) for d in new.designations] == [
            (d.reference, d.listed_on, d.authority, d.programme) for d in old.designations]
        if old.designations and old.designations[0].citation and old.designations[0].citation.quote:
            assert new.designations[0].citation is not None
            assert new.designations[0].citation.quote == old.designations[0].citation.quote
    rels = {(r["kind"], r["source_id"], r["target_id"]) for r in registry.iter_relationships() if r["list_name"] == "kz-supreme-court"}
    assert {(r.kind, r.source_id, r.target_id) for r in again.relationships} == rels
    # Re-importing the export as the same list keeps every entity (no removals, no additions).
    result = registry.import_parsed(again)
    assert (result.added, result.removed) == (0, 0)
