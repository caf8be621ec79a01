"""Loading many rows into empty tables: their indexes are built once at the end.

A B-tree filled row by row (random keys, such as account numbers) costs far more than the
same index built once from the loaded rows (one sort). `indexes_built_after` drops the
secondary indexes of the given tables (on PostgreSQL also their primary and unique keys
when no foreign key refers to them) and builds them again when the block ends, inside the
caller's transaction: DDL is transactional on both stores, so a failed load rolls back to
the tables as they were, indexes included, and a key the rows break still fails the load.
Only for tables the caller knows are empty: other sessions wait on their lock meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# PostgreSQL's memory for one index build (its default, 64 MB, sorts a million-row index on disk)
BUILD_MEMORY = "256MB"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _drop_sqlite(conn: Connection, table: str) -> list[str]:
    """SQLite: the secondary indexes (its key indexes belong to the table: they stay)."""
    rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                             "AND sql IS NOT NULL"), {"t": table}).all()
    for name, _ in rows:
        conn.exec_driver_sql(f"DROP INDEX {_quote(name)}")
    return [sql for _, sql in rows]


def _drop_postgresql(conn: Connection, table: str) -> list[str]:
    oid = conn.execute(text("SELECT to_regclass(:t)::oid"), {"t": _quote(table)}).scalar()
    if oid is None:
        return []
    referenced = conn.execute(text("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = :o"),
                              {"o": oid}).scalar()
    keys = [] if referenced else conn.execute(text(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = :o AND contype IN ('p', 'u') "
        "ORDER BY conname"), {"o": oid}).all()
    indexes = conn.execute(text(
        "SELECT c.relname, pg_get_indexdef(c.oid) FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid "
        "WHERE x.indrelid = :o AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) "
        "ORDER BY c.relname"), {"o": oid}).all()
    rebuild: list[str] = []
    for name, definition in keys:
        conn.exec_driver_sql(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
        rebuild.append(f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}")
    for name, definition in indexes:
        conn.exec_driver_sql(f"DROP INDEX {_quote(name)}")
        rebuild.append(definition)
    return rebuild


@contextmanager
def indexes_built_after(conn: Connection, tables: list[str]) -> Iterator[None]:
    """Drop the indexes of `tables` (empty ones), build them again when the block ends well."""
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        yield
        return
    drop = _drop_sqlite if dialect == "sqlite" else _drop_postgresql
    rebuild = [sql for table in tables for sql in drop(conn, table)]
    yield
    if dialect == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    for sql in rebuild:
        conn.exec_driver_sql(sql)
