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


def test_spark_and_local_agree(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    from tizim import settings
    from tizim.store import dispose_all

    load_list()
    CustomerBook().import_file(BOOK)
    local = screen_book(engine="local", workers=2)
    expected = _state()
    # the same book in a second database, screened on Spark
    other = tmp_path_factory.mktemp("spark") / "spark.db"
    import shutil

    dispose_all()
    url = f"sqlite:///{other}"
    shutil.copyfile(sqlite_url.removeprefix("sqlite:///"), other)
    settings.override(database_url=url, data_dir=None)
    from sqlalchemy import delete, update

    from tizim.customers import tables as t
    from tizim.monitoring import tables as mt
    from tizim.store import transaction

    with transaction() as conn:  # back to "imported, never screened"
        conn.execute(delete(t.matches))
        conn.execute(delete(t.tokens))
        conn.execute(delete(mt.alerts))
        conn.execute(delete(mt.cases))
        conn.execute(update(t.accounts).values(frozen=0, frozen_at=None, frozen_case_id=None))
        conn.execute(update(t.customers).values(status="unscreened", screened_version=None, screened_at=None))
    spark = screen_book(engine="spark")
    assert spark["engine"] == "spark" and spark["screened"] == local["screened"] == 6
    assert (spark["alerts"], spark["frozen"]) == (local["alerts"], local["frozen"])
    assert _state() == expected
