"""The database: one engine per URL, SQLite (WAL) by default, PostgreSQL in production.

Schema changes go through Alembic only (`init_db` runs every pending migration), so a
SQLite file made by an older tizim and a production PostgreSQL schema move the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import Connection, make_url

from tizim.settings import get_settings

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_engines: dict[str, Engine] = {}
_initialised: set[str] = set()
_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Use psycopg 3 for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # BEGIN IMMEDIATE takes the write lock up front: concurrent writers queue instead of
    # failing half-way with "database is locked" on lock upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or get_settings().database_url)
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            _engines[url] = engine
    return engine


def _make_engine(url: str) -> Engine:
    if is_sqlite(url):
        parsed = make_url(url)
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_txn(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is lazy).
            dbapi_conn.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a server that does not answer is an error within seconds, not a hang
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20,
                         connect_args={"connect_timeout": 10} if url.startswith("postgresql+psycopg") else {})


def init_db(url: str | None = None) -> Engine:
    """Create or upgrade the schema to the newest migration; cheap when already current."""
    engine = get_engine(url)
    key = str(engine.url)
    if key in _initialised:
        return engine
    from tizim.store.migrate import upgrade

    upgrade(engine)
    _initialised.add(key)
    return engine


@contextmanager
def transaction(url: str | None = None) -> Iterator[Connection]:
    """One database transaction: everything inside commits together or not at all."""
    engine = init_db(url)
    with engine.begin() as conn:
        yield conn


def dispose_all() -> None:
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
        _initialised.clear()


T = TypeVar("T")


def per_database(factory: Callable[[str], T]) -> Callable[[], T]:
    """One long-lived object (a cache, an index) per configured database URL.

    Tests and the CLI's `--db` switch databases within one process; each URL keeps its own.
    """
    instances: dict[str, T] = {}
    lock = threading.Lock()

    def get() -> T:
        url = get_settings().database_url
        with lock:
            instance = instances.get(url)
            if instance is None:
                instance = instances[url] = factory(url)
        return instance

    get.__doc__ = f"The {getattr(factory, '__name__', 'object')} for the configured database."
    return get
