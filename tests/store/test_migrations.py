"""The schema is built by Alembic alone, to the same heads on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from tizim.store import get_engine, init_db, metadata
from tizim.store.migrate import alembic_config, current_heads


def test_upgrade_reaches_every_head_and_creates_declared_tables(db_url: str) -> None:
    from alembic.script import ScriptDirectory

    engine = init_db(db_url)
    heads = set(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    assert current_heads(engine) == heads
    # Importing the packages declares their tables on the shared metadata.
    import tizim.registry.tables  # noqa: F401

    present = set(inspect(engine).get_table_names())
    assert {"lists", "list_versions", "entities", "designations", "relationships"} <= present
    declared = {name for name in metadata.tables if name in present}
    assert declared, "no declared table was created by the migrations"


def test_init_is_idempotent(db_url: str) -> None:
    init_db(db_url)
    engine = get_engine(db_url)
    before = current_heads(engine)
    from tizim.store.migrate import upgrade

    upgrade(engine)
    assert current_heads(engine) == before


def test_sqlite_file_uses_wal(sqlite_url: str) -> None:
    engine = init_db(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert Path(sqlite_url.removeprefix("sqlite:///")).exists()
