"""The screener on the real UN consolidated list: the contract names and names of the region.

The list is parsed and the screener built once for the module (no database needed)."""

from __future__ import annotations

import pytest

from tests.conftest import shared_file
from tizim.registry.importers import load
from tizim.screening import Query, Screener


@pytest.fixture(scope="module")
def un() -> Screener:
    parsed = load(shared_file("un", "UN_consolidated_moov_2026-02.xml"))
    same_as = [(r.source_id, r.target_id) for r in parsed.relationships if r.kind == "same_as"]
    return Screener.from_entities(parsed.entities, same_as)


def best(screener: Screener, schema: str, name: str, **kw: object):
    res = screener.match(Query(schema=schema, names=[name], **kw))  # type: ignore[arg-type]
    return res[0] if res else None


def test_acronym_imu(un: Screener) -> None:
    r = best(un, "Organization", "IMU")
    assert r is not None and r.match and r.refs["un-sc"] == ["QDe.010"]


def test_zawahiri_with_birth_date(un: Screener) -> None:
    r = best(un, "Person", "Aiman al-Zawahiri", birth_dates=["1951-06-19"])
    assert r is not None and r.match and r.refs["un-sc"] == ["QDi.006"]
    assert r.explanation["birth_date"]["adjustment"] > 0


def test_cyrillic_query(un: Screener) -> None:
    r = best(un, "Person", "Айман аз-Завахири")
    assert r is not None and r.match and r.refs["un-sc"] == ["QDi.006"]


def test_transposed_arabic_name(un: Screener) -> None:
    r = best(un, "Person", "Zawahiri, Aiman Mohamed Rabie")
    assert r is not None and r.match and r.refs["un-sc"] == ["QDi.006"]
    assert ["rabia", "rabia", 1.0] in r.explanation["tokens"]


@pytest.mark.parametrize("name", ["Jane Q. Nobody", "Abd al-Aziz", "Mohammed", "Nursultan Nazarbayev"])
def test_not_listed(un: Screener, name: str) -> None:
    # a made-up name, a bare given name, one very common name part, a person not on the list
    assert not any(r.match for r in un.match(Query(schema="Person", names=[name])))


def test_generic_words_do_not_match(un: Screener) -> None:
    for name in ("Limited Liability Company", "Islamic Group", "Trading Company LLC"):
        assert not any(r.match for r in un.match(Query(schema="Organization", names=[name])))


def test_compare_kazakh_cyrillic(un: Screener) -> None:
    r = un.compare(Query(schema="Person", names=["Нұрсұлтан Назарбаев"]),
                   Query(schema="Person", names=["Nursultan Nazarbayev"]))
    assert r.match and r.score >= 0.95
