"""A match at freeze level that rests on one short or dictionary word opens a case, and freezes
nothing on the name alone; corroborated, or met on more of the name, it freezes."""

from __future__ import annotations

from pathlib import Path

from tests.customers.helpers import write_csv
from tests.monitoring.helpers import load_list
from tizim.customers.book import CustomerBook
from tizim.customers.freeze_policy import one_common_word
from tizim.customers.screen import screen_book
from tizim.registry.model import Designation, Entity, Name, ParsedList
from tizim.registry.service import Registry
from tizim.screening import reset_screeners


def test_one_short_or_translated_word_alone_is_named_and_more_is_not() -> None:
    short = {"tokens": [["ast", "ast", 1.0]], "features": ["alignment: 1 of 1 query parts met"],
             "translated": [["Шығыс", "east"]]}
    assert "one short word" in (one_common_word(short) or "")
    word = {"tokens": [["kapital", "kapital", 1.0]], "features": []}
    assert one_common_word(word) is None  # a longer word no lexicon translates: its score decides
    dictionary = {"tokens": [["muvamant", "muvamant", 1.0]], "translated": [["Движение", "movement"]]}
    assert "dictionary word" in (one_common_word(dictionary) or "")
    two = {"tokens": [["ast", "ast", 1.0], ["sea", "sea", 1.0]]}
    assert one_common_word(two) is None
    born = {**short, "birth_date": {"adjustment": 0.08, "detail": "exact: query 1970-01-01, listed 1970-01-01"}}
    assert one_common_word(born) is None
    same_id = {**short, "identifier": {"adjustment": 0.0, "floor": 0.95, "detail": "same bin"}}
    assert one_common_word(same_id) is None
    other_id = {**short, "identifier": {"adjustment": -0.10, "floor": 0.0, "detail": "different bin"}}
    assert one_common_word(other_id) is not None
    other_day = {**short, "birth_date": {"adjustment": -0.05, "detail": "same year, other day"}}
    assert one_common_word(other_day) is not None


def test_a_company_named_east_is_alerted_not_frozen_and_a_full_name_is_frozen(db_url: str, tmp_path: Path) -> None:
    load_list({"ast-jsc": ("Organization", "AST JSC", []),
               "sea-ship": ("Organization", "Karakum Sea Shipping Company", [])})
    rows = [{"customer_id": "K1", "type": "organization", "name": 'ТОО "Шығыс"', "accounts": "KZ231230000000000011"},
            {"customer_id": "K2", "type": "organization", "name": "Karakum Sea Shipping LLP",
             "accounts": "KZ231230000000000012"}]
    CustomerBook().import_file(write_csv(tmp_path / "east.csv", rows))
    screen_book(workers=1)
    k1 = CustomerBook().show("K1")
    assert k1["status"] == "alert" and not k1["accounts"][0]["frozen"]
    assert any(m["entity_id"].endswith("ast-jsc") and "not frozen: one short word met alone" in m["reason"]
               for m in k1["matches"])
    k2 = CustomerBook().show("K2")
    assert k2["status"] == "frozen" and k2["accounts"][0]["frozen"]


def _sanctions_list(entities: list[Entity]) -> None:
    for ent in entities:
        ent.designations.append(Designation(list_name="policy-list", reference=ent.id.upper()))
    Registry().import_parsed(ParsedList(list_name="policy-list", source_file="policy-list.json",
                                        file_hash="policy-list-1", entities=entities, kind="sanctions"))
    reset_screeners()


def test_a_match_whose_own_evidence_disagrees_opens_its_case_and_freezes_nothing(db_url: str,
                                                                                  tmp_path: Path) -> None:
    """Through the real engine, on both stores: a namesake whose father's name or birth date
    differs, or a company meeting part of a listed company's name, is alerted and not frozen;
    the same persons held shorter by the bank, or corroborated, and a company differing only
    in its legal form, are frozen."""
    _sanctions_list([
        Entity(id="p-bogdanov", schema="Person", names=[Name(full="Sergei Vladimirovich BOGDANOV")],
               birth_dates=["1970-05-01"]),
        Entity(id="p-umarov", schema="Person", names=[Name(full="Doku Khamatovich UMAROV")]),
        Entity(id="o-caspian", schema="Organization", names=[Name(full="CASPIAN AIRLINES")]),
        Entity(id="o-karakum", schema="Organization", names=[Name(full="Karakum Sea Shipping Company")]),
    ])
    rows = [
        {"customer_id": "F1", "type": "person", "name": "Богданов Сергей Максимович", "aliases": "Bogdanov Sergei"},
        {"customer_id": "F2", "type": "person", "name": "Bogdanov Sergei Vladimirovich", "birth_date": "1970-08-27"},
        {"customer_id": "F3", "type": "person", "name": "Богданов Сергей Владимирович", "birth_date": "1970-05-01"},
        {"customer_id": "F4", "type": "person", "name": "Умаров Доку"},
        {"customer_id": "F5", "type": "organization", "name": "ТОО «Каспий»", "aliases": "Caspian LLP"},
        {"customer_id": "F6", "type": "organization", "name": "Karakum Sea Shipping LLP"},
    ]
    for n, row in enumerate(rows, start=1):
        row["accounts"] = f"KZ{n:02d}1230000000000099"
    CustomerBook().import_file(write_csv(tmp_path / "policy.csv", rows))
    screen_book(workers=1)
    book = CustomerBook()

    def state(cid: str, entity: str) -> tuple[str, bool, str]:
        shown = book.show(cid)
        hit = next(m for m in shown["matches"] if m["entity_id"].endswith(entity))
        return shown["status"], any(a["frozen"] for a in shown["accounts"]), hit["reason"]

    status, frozen, reason = state("F1", "p-bogdanov")
    assert (status, frozen) == ("alert", False) and "not frozen: the names differ in a part" in reason
    status, frozen, reason = state("F2", "p-bogdanov")
    assert (status, frozen) == ("alert", False) and "not frozen: the birth date disagrees" in reason
    assert state("F3", "p-bogdanov")[:2] == ("frozen", True)
    assert state("F4", "p-umarov")[:2] == ("frozen", True)
    status, frozen, reason = state("F5", "o-caspian")
    assert (status, frozen) == ("alert", False) and "not frozen: the listed name's 'airlinas'" in reason
    assert state("F6", "o-karakum")[:2] == ("frozen", True)
    # every one of them has its case: the analyst decides within the same 24 hours
    assert all(m["case_id"] for cid in ("F1", "F2", "F5") for m in book.show(cid)["matches"])
