"""Remembered "not a match" decisions, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.screening.test_cli import load_sample
from tizim.errors import InputError, NotFound
from tizim.registry.model import ParsedList
from tizim.registry.service import Registry
from tizim.screening import Query, Screener, get_screener, reset_screeners
from tizim.screening.decisions import decisions

IMU = Query(schema="Organization", names=["Islamic Movement of Uzbekistan"])


def test_dismissal_suppresses_until_entity_changes(db_url: str) -> None:
    load_sample(db_url)
    screener = Screener.from_registry(db_url)
    first = screener.match(IMU, subject_key="cust-1")[0]
    assert "un-sc:QDe.010" in first.members
    screener.dismiss("cust-1", first.entity_id, "ana", "other party, different country")
    assert all(r.entity_id != first.entity_id for r in screener.match(IMU, subject_key="cust-1"))
    # another subject still sees it, and so does a screening without a subject
    assert screener.match(IMU, subject_key="cust-2")[0].entity_id == first.entity_id
    assert screener.match(IMU)[0].entity_id == first.entity_id
    rows = decisions(db_url, "cust-1")
    assert rows[0]["user"] == "ana" and rows[0]["decision"] == "not_match"

    # OFAC amends its entry: the listing changed, the alert comes back
    sdn = [e for e in _sample_list("us-ofac-sdn")]
    for e in sdn:
        if e.id == "us-ofac-sdn:6725":
            e.add_name("IMU", kind="alias")
    Registry(db_url).import_parsed(ParsedList(list_name="us-ofac-sdn", source_file="sdn2",
                                              file_hash="h-sdn-2", entities=sdn))
    fresh = Screener.from_registry(db_url)
    assert fresh.match(IMU, subject_key="cust-1")[0].entity_id == first.entity_id


def test_dismiss_needs_known_entity_and_reason(db_url: str) -> None:
    load_sample(db_url)
    screener = Screener.from_registry(db_url)
    with pytest.raises(NotFound):
        screener.dismiss("cust-1", "no-such-id", "ana", "x")
    with pytest.raises(InputError):
        screener.dismiss("cust-1", "un-sc:QDe.010", "ana", "")


def test_get_screener_follows_the_registry(db_url: str) -> None:
    reset_screeners()
    who = Query(schema="Person", names=["Zhumabek Seitkaliev"])
    before = get_screener()
    assert not any(r.match for r in before.match(who))
    load_sample(db_url)
    # the import fired on_list_changed: the next call rebuilds without waiting
    again = get_screener()
    assert again is not before and again.match(who)[0].refs == {"kz-fixture": ["P1"]}
    assert get_screener() is again
    reset_screeners()


def _sample_list(name: str):
    from tests.screening.conftest import sample_entities

    return [e for e in sample_entities() if e.designations and e.designations[0].list_name == name]
