"""What yente says about every entity besides its properties: when it was first and last seen,
when it last changed, and its topics. Read from the registry's versions in one query and kept
per database until a list gets a new version (checked at most every few seconds), so a
/match response adds them without a query per result.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from tizim.registry import tables as t
from tizim.registry.service import Registry
from tizim.settings import get_settings
from tizim.store import transaction

_CHECK_SECONDS = 5.0

# tizim list kinds -> the FtM topic yente clients filter on.
KIND_TOPICS = {"sanctions": "sanction", "pep": "role.pep", "watchlist": "poi"}


@dataclass(frozen=True)
class Seen:
    first_seen: str | None
    last_seen: str | None
    last_change: str | None
    list_name: str
    designated: bool


def _iso(value: datetime | None) -> str | None:
    """yente's wire format: seconds, no time zone (tizim stores UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=None, microsecond=0).isoformat()


class _Facts:
    def __init__(self) -> None:
        self.token = ""
        self.checked = 0.0
        self.seen: dict[str, Seen] = {}
        self.kinds: dict[str, str] = {}


_cache: dict[str, _Facts] = {}
_lock = threading.Lock()


def _load(url: str) -> _Facts:
    facts = _Facts()
    with transaction(url) as conn:
        versions = {row.id: row.imported_at for row in conn.execute(select(t.list_versions.c.id, t.list_versions.c.imported_at))}
        changed = dict(
            conn.execute(
                select(t.entity_changes.c.entity_id, func.max(t.entity_changes.c.version_id)).group_by(
                    t.entity_changes.c.entity_id
                )
            ).all()
        )
        for row in conn.execute(
            select(
                t.entities.c.id,
                t.entities.c.list_name,
                t.entities.c.designated,
                t.entities.c.first_version_id,
                t.entities.c.last_version_id,
            ).where(t.entities.c.removed_version_id.is_(None))
        ):
            facts.seen[row.id] = Seen(
                first_seen=_iso(versions.get(row.first_version_id)),
                last_seen=_iso(versions.get(row.last_version_id)),
                last_change=_iso(versions.get(changed.get(row.id, row.first_version_id))),
                list_name=row.list_name,
                designated=bool(row.designated),
            )
        kind = t.lists.c.get("kind")
        if kind is not None:
            facts.kinds = {name: value for name, value in conn.execute(select(t.lists.c.name, kind)).all()}
    return facts


def current() -> _Facts:
    """The facts of the configured database, reloaded when a list changed."""
    url = get_settings().database_url
    now = time.monotonic()
    with _lock:
        facts = _cache.get(url)
        if facts is not None and now - facts.checked < _CHECK_SECONDS:
            return facts
        token = Registry().state_token()
        if facts is None or facts.token != token:
            facts = _load(url)
            facts.token = token
            _cache[url] = facts
        facts.checked = now
        return facts


def topics(facts: _Facts, member_ids: list[str]) -> list[str]:
    """FtM topics of an entity made of these list entries: the kinds of their lists."""
    found: list[str] = []
    linked = False
    for member in member_ids:
        seen = facts.seen.get(member)
        if seen is None:
            continue
        if not seen.designated:
            linked = True
            continue
        # A registry without list kinds holds sanctions lists only.
        topic = KIND_TOPICS.get(facts.kinds.get(seen.list_name, "sanctions"))
        if topic and topic not in found:
            found.append(topic)
    if not found and linked:
        found.append("sanction.linked")
    return found


def dates(facts: _Facts, member_ids: list[str]) -> dict[str, Any]:
    """first_seen (earliest), last_seen and last_change (latest) over the entries."""
    seen = [facts.seen[m] for m in member_ids if m in facts.seen]
    firsts = [s.first_seen for s in seen if s.first_seen]
    lasts = [s.last_seen for s in seen if s.last_seen]
    changes = [s.last_change for s in seen if s.last_change]
    return {
        "first_seen": min(firsts) if firsts else None,
        "last_seen": max(lasts) if lasts else None,
        "last_change": max(changes) if changes else None,
    }
