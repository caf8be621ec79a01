"""A match at freeze level that rests on one short or dictionary word opens a case, and freezes
nothing on the name alone; corroborated, or met on more of the name, it freezes."""

from __future__ import annotations

from pathlib import Path

from tests.customers.helpers import write_csv
from tests.monitoring.helpers import load_list
from tizim.customers.book import CustomerBook
from tizim.customers.screen import one_common_word, screen_book


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
