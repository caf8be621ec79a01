"""Bulk inserts on the transaction's own DBAPI connection.

SQLAlchemy's insert().values(list) costs ~20-40 us of Python per row (compiling, type
processing each JSON value); a decision batch writes hundreds of payment and audit rows.
PostgreSQL gets COPY, SQLite a plain executemany, anything else SQLAlchemy. JSON columns
are serialized here once (an empty list is the constant "[]"); the rows stay readable
through SQLAlchemy, which parses JSON columns on the way out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TypeVar

import orjson
from sqlalchemy import JSON, Connection, String, any_, bindparam, insert
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")


# orjson writes what json.dumps(ensure_ascii=False, separators=(",", ":"), default=str) writes
# for the values rows hold, five times faster; datetimes and dataclasses go through str() as
# before, and what orjson refuses (an integer past 64 bits) through json itself
_ORJSON = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _encode(value: Any) -> Any:
    if value is None:
        return None
    if not value and isinstance(value, list | dict):
        return "[]" if isinstance(value, list) else "{}"
    try:
        return orjson.dumps(value, default=str, option=_ORJSON).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def insert_rows(conn: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert dict rows; a column missing from the first row is left to its default."""
    if not rows:
        return
    columns = [c for c in table.columns if c.name in rows[0]]
    names = [c.name for c in columns]
    json_at = [i for i, c in enumerate(columns) if isinstance(c.type, JSON)]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        cells = [row.get(n) for n in names]
        for i in json_at:
            cells[i] = _encode(cells[i])
        values.append(tuple(cells))
    insert_values(conn, table, names, values)


def insert_values(conn: Connection, table: Any, names: list[str], values: list[tuple[Any, ...]]) -> None:
    """Insert rows given as tuples in the order of `names`, JSON cells already serialized
    (the fast path for a caller that made the JSON text itself)."""
    if not values:
        return
    dbapi = conn.connection.dbapi_connection
    if dbapi is not None and conn.dialect.name == "postgresql":
        quoted = ", ".join(f'"{n}"' for n in names)
        cursor: Any = dbapi.cursor()  # psycopg: has copy()
        with cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for item in values:
                copy.write_row(item)
        return
    if dbapi is not None and conn.dialect.name == "sqlite":
        sql = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
        cur = dbapi.cursor()
        try:
            cur.executemany(sql, values)
        finally:
            cur.close()
        return
    json_names = {c.name for c in table.columns if isinstance(c.type, JSON)}
    conn.execute(insert(table), [{n: (json.loads(v) if n in json_names and v is not None else v)
                                  for n, v in zip(names, row, strict=True)} for row in values])


def chunks(conn: Connection, values: list[T], size: int = 400) -> Iterator[list[T]]:
    """Values in groups for `in_values`: one group on PostgreSQL (a single array parameter),
    groups of `size` elsewhere (SQLite limits the number of parameters)."""
    step = (len(values) or 1) if conn.dialect.name == "postgresql" else size
    for start in range(0, len(values), step):
        yield values[start : start + step]


def in_values(conn: Connection, column: Any, values: list[str], name: str) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:array)`: one parameter, so the
    statement is compiled once and psycopg does not parse hundreds of placeholders."""
    if conn.dialect.name == "postgresql":
        return column == any_(bindparam(name, value=values, type_=ARRAY(String)))
    return column.in_(values)
