"""Screening volume kept in the store: names screened per hour and per way in (the API, the
workspace's screening form, `tizim screen`, customer screening), summed across processes.

A process that answers many small requests (the API: thousands a second) adds to a
counter in memory and writes it every few seconds and at exit (`count`), one upsert per
hour and way in, never one per request; a batch already inside a transaction adds its count
there (`add`), so it is counted exactly when its work commits. The dashboard reads the
table (`per_day`, days in the reader's time zone), after writing this process's pending counts.

Payments are not counted here: each decided payment is a row of its own table.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter
from datetime import UTC, datetime, tzinfo

import sqlalchemy as sa
from sqlalchemy import Connection, select

from tizim.settings import get_settings
from tizim.store import get_engine, metadata

log = logging.getLogger(__name__)

SOURCES = ("api", "web", "cli", "customers")
FLUSH_SECONDS = 2.0

screening_volume = sa.Table(
    "screening_volume",
    metadata,
    # the UTC hour, YYYY-MM-DDTHH: a reader's day in any whole-hour time zone is whole hours
    sa.Column("hour", sa.String(13), primary_key=True),
    sa.Column("source", sa.String(16), primary_key=True),
    sa.Column("count", sa.BigInteger, nullable=False),
)

# (database url, hour, source) -> names screened in this process, not yet written
_pending: Counter[tuple[str, str, str]] = Counter()
_lock = threading.Lock()
_timer: threading.Timer | None = None


def _this_hour() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H")


def add(conn: Connection, source: str, n: int, hour: str | None = None) -> None:
    """Add `n` names screened by `source` to the store, inside the caller's transaction."""
    if n <= 0:
        return
    table = screening_volume
    values = {"hour": hour or _this_hour(), "source": source, "count": n}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(table).values(**values)
        conn.execute(pg.on_conflict_do_update(index_elements=[table.c.hour, table.c.source],
                                              set_={"count": table.c.count + pg.excluded["count"]}))
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite = sqlite_insert(table).values(**values)
    conn.execute(lite.on_conflict_do_update(index_elements=[table.c.hour, table.c.source],
                                            set_={"count": table.c.count + lite.excluded["count"]}))


def count(source: str, n: int = 1) -> None:
    """Count `n` names screened by `source` in this process; written within FLUSH_SECONDS."""
    global _timer
    if n <= 0:
        return
    key = (get_settings().database_url, _this_hour(), source)
    with _lock:
        _pending[key] += n
        if _timer is None:
            _timer = threading.Timer(FLUSH_SECONDS, _flush_later)
            _timer.daemon = True
            _timer.start()


def _flush_later() -> None:
    global _timer
    with _lock:
        _timer = None
    flush()


def flush(url: str | None = None) -> None:
    """Write this process's pending counts (for one database, or all)."""
    with _lock:
        taken = {k: v for k, v in _pending.items() if url is None or k[0] == url}
        for key in taken:
            del _pending[key]
    by_url: dict[str, list[tuple[str, str, int]]] = {}
    for (db, hour, source), n in taken.items():
        by_url.setdefault(db, []).append((hour, source, n))
    for db, rows in by_url.items():
        try:
            # the engine alone, never init_db: a flush from the timer thread must not run
            # migrations beside another thread's (Alembic's context is process-global)
            with get_engine(db).begin() as conn:
                for hour, source, n in rows:
                    add(conn, source, n, hour)
        except Exception as exc:  # the database is unreachable: these counts are lost, said so
            log.warning("screening volume: %s names screened not counted (%s: %s)",
                        sum(n for _, _, n in rows), type(exc).__name__, exc)


atexit.register(flush)


def per_day(conn: Connection, since: datetime, zone: tzinfo = UTC) -> dict[str, dict[str, int]]:
    """Local day (in `zone`) -> source -> names screened, for the hours from `since` on."""
    out: dict[str, dict[str, int]] = {}
    first = since.astimezone(UTC).strftime("%Y-%m-%dT%H")
    for hour, source, n in conn.execute(
        select(screening_volume.c.hour, screening_volume.c.source, screening_volume.c.count)
        .where(screening_volume.c.hour >= first)
    ):
        day = datetime.strptime(hour, "%Y-%m-%dT%H").replace(tzinfo=UTC).astimezone(zone).date().isoformat()
        by_source = out.setdefault(day, {})
        by_source[source] = by_source.get(source, 0) + int(n)
    return out
