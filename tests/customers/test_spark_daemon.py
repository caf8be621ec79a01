"""The Spark daemon module loads the screening index before PySpark forks its workers, and
never writes to stdout (where PySpark's daemon tells the JVM its port)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.monitoring.helpers import load_list
from tizim.customers import matching
from tizim.customers.spark_daemon import preload


@pytest.fixture(autouse=True)
def _no_kept_screener() -> Iterator[None]:
    matching._spark_screeners.clear()
    yield
    matching._spark_screeners.clear()


def test_preload_keeps_the_screener_the_workers_look_up(sqlite_url: str, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    load_list()
    monkeypatch.setenv(matching.INDEX_URL_VARIABLE, sqlite_url)
    assert preload() is True
    kept = list(matching._spark_screeners.values())
    assert len(kept) == 1 and kept[0].url == sqlite_url
    # a forked worker asks for the same URL and lists: it gets the daemon's screener
    assert matching.spark_screener(sqlite_url) is kept[0]
    assert capsys.readouterr().out == ""


def test_without_the_variable_nothing_is_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(matching.INDEX_URL_VARIABLE, raising=False)
    assert preload() is False
    assert matching._spark_screeners == {}


def test_an_index_that_cannot_be_loaded_leaves_it_to_the_workers(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(matching.INDEX_URL_VARIABLE, "nosuchstore://nowhere/tizim")
    assert preload() is False
    out = capsys.readouterr()
    assert out.out == ""
    assert "could not load the screening index" in out.err and "each worker loads it" in out.err
    assert matching._spark_screeners == {}


def _in_a_forked_worker(url: str) -> int:
    """What a PySpark worker forked from the daemon does with the store: its exit status."""
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        status = 1
        try:
            from tizim.registry.service import Registry

            for _ in range(8):  # past psycopg's prepare threshold: named statements
                Registry(url).state_token()
            status = 0 if matching.spark_screener(url) is not None else 1
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_no_database_session_crosses_the_fork(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon closes its connections before PySpark forks from it; else on PostgreSQL the
    workers share its server session and collide on their prepared statements."""
    from tizim import store

    load_list()
    monkeypatch.setenv(matching.INDEX_URL_VARIABLE, db_url)
    assert preload() is True
    assert store._engines == {}
    assert [_in_a_forked_worker(db_url) for _ in range(3)] == [0, 0, 0]
