"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL.

PostgreSQL tests use a throw-away schema in the server named by TIZIM_TEST_POSTGRES_URL
(default postgresql://postgres@127.0.0.1/test). They skip, saying why, only when no server
answers and CI is unset; under CI a missing server fails them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tizim import settings
from tizim.store import dispose_all

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"
SEEDS = SHARED / "seeds"
FIXTURES = Path(__file__).parent / "fixtures"
POSTGRES_URL = os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")

_pg_state: dict[str, object] = {}


def postgres_available() -> str | None:
    """None when the server answers, else the reason it does not."""
    if "reason" not in _pg_state:
        try:
            import psycopg

            with psycopg.connect(POSTGRES_URL, connect_timeout=3) as conn:
                conn.execute("select 1")
            _pg_state["reason"] = None
        except Exception as exc:  # any failure to connect is a reason to skip
            _pg_state["reason"] = f"{type(exc).__name__}: {exc}".strip()
    return _pg_state["reason"]  # type: ignore[return-value]


def require_postgres() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but PostgreSQL at {POSTGRES_URL} does not answer: {reason}")
    pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer ({reason}); set CI to make this fail")


def _prepare(url: str) -> None:
    """Migrate a database and load the bundled lists: the state every test starts from."""
    from tizim.registry.service import Registry
    from tizim.store import init_db

    init_db(url)
    Registry(url)._ensure_bundled()
    dispose_all()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    _prepare(url)
    import sqlite3

    with sqlite3.connect(path) as conn:  # fold the WAL into the file so a copy is whole
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str | None]:
    """A migrated template database; tests get copies (CREATE DATABASE ... TEMPLATE).

    Yields None when the server refuses CREATE DATABASE; tests then use fresh schemas.
    """
    if postgres_available() is not None:
        yield None
        return
    import psycopg

    name = f"tizim_tpl_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        yield None
        return
    try:
        _prepare(_database_url(name))
        yield name
    finally:
        dispose_all()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_url(name: str) -> str:
    base, _, query = POSTGRES_URL.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


def _postgres_url(template: str | None) -> Iterator[str]:
    import psycopg

    require_postgres()
    if template is not None:
        name = f"tizim_t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield _database_url(name)
        finally:
            dispose_all()
            with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        dispose_all()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database (migrated, bundled lists loaded), installed as the process's setting."""
    if request.param == "sqlite":
        path = tmp_path / "tizim.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
        settings.override(database_url=url, data_dir=None)
        try:
            yield url
        finally:
            dispose_all()
            settings.reset()
    else:
        require_postgres()
        for url in _postgres_url(request.getfixturevalue("_postgres_template")):
            settings.override(database_url=url, data_dir=None)
            try:
                yield url
            finally:
                settings.reset()


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> Iterator[str]:
    """SQLite only, for tests whose subject is not the store."""
    shutil.copyfile(_sqlite_template, tmp_path / "tizim.db")
    url = f"sqlite:///{tmp_path / 'tizim.db'}"
    settings.override(database_url=url, data_dir=None)
    try:
        yield url
    finally:
        dispose_all()
        settings.reset()


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data; skip (naming it) when the shared folder is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but shared data file {path} is missing")
        pytest.skip(f"shared data file {path} is not present")
    return path
