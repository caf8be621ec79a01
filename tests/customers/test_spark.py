"""`tizim customers screen --engine spark` gives the in-process results (PySpark local mode)."""

from __future__ import annotations

import pytest

from tests.customers.helpers import BOOK
from tests.monitoring.helpers import load_list
from tizim.customers.book import CustomerBook
from tizim.customers.screen import screen_book

pytestmark = pytest.mark.spark


def _state() -> dict[str, tuple[str, list[tuple[str, float, str]]]]:
    return {c["customer_id"]: (c["status"], sorted((m["entity_id"], m["score"], m["via"]) for m in c["matches"]))
            for c in CustomerBook().list(matches=True)}


def _back_to_unscreened() -> None:
    """The book as imported and never screened: no matches, alerts, cases or freezes."""
    from sqlalchemy import delete, update

    from tizim.customers import tables as t
    from tizim.monitoring import tables as mt
    from tizim.store import transaction

    with transaction() as conn:
        conn.execute(delete(t.matches))
        conn.execute(delete(t.tokens))
        conn.execute(delete(mt.alerts))
        conn.execute(delete(mt.cases))
        conn.execute(update(t.accounts).values(frozen=0, frozen_at=None, frozen_case_id=None))
        conn.execute(update(t.customers).values(status="unscreened", screened_version=None, screened_at=None))


def test_spark_and_local_agree(db_url: str) -> None:
    """On SQLite and on PostgreSQL: PySpark's workers fork from a daemon that loaded the
    index from the store (spark_daemon.py), so on PostgreSQL this is also the test that no
    database session crosses that fork."""
    load_list()
    CustomerBook().import_file(BOOK)
    local = screen_book(engine="local", workers=2)
    expected = _state()
    assert any(status == "frozen" for status, _ in expected.values())
    _back_to_unscreened()
    assert {status for status, _ in _state().values()} == {"unscreened"}
    spark = screen_book(engine="spark")
    assert spark["engine"] == "spark" and spark["screened"] == local["screened"] == 6
    assert (spark["alerts"], spark["frozen"]) == (local["alerts"], local["frozen"])
    assert _state() == expected


def test_spark_sends_no_name_twice_that_reaches_nothing(sqlite_url: str) -> None:
    """The driver learns from one batch which names reach nothing and leaves them out of the
    next: the second batch's hits and folds are the first's, and the local engine's."""
    from tests.customers.helpers import book_rows
    from tizim.customers.matching import SparkMatcher, jobs_for, match_local
    from tizim.customers.model import parse_customer
    from tizim.screening import get_screener

    load_list()
    customers = [parse_customer(row, {"line": n}) for n, row in enumerate(book_rows(), start=2)]
    jobs = [j for c in customers for j in jobs_for(c, set())]
    screener = get_screener()
    local = match_local(screener, jobs, 1)
    assert any(found for found, _ in local)
    spark = SparkMatcher(sqlite_url, screener)
    try:
        first = spark.submit(jobs).result()
        kept_before = spark.memo.names_kept
        second = spark.submit(jobs).result()
    finally:
        spark.close()
    assert spark.memo.names_dropped > 0 and spark.memo.names_kept - kept_before < kept_before
    assert first == second == local
