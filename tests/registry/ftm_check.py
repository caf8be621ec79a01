"""Checks of an FtM export with followthemoney itself, and a registry's content to compare.

Used by tests/registry/test_ftm_roundtrip.py; `python -m tests.registry.ftm_check EXPORT DB1 DB2`
runs the same checks on a whole registry (the figures in docs/api.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from followthemoney import model, registry
from sqlalchemy import select

from tizim.registry import tables as t
from tizim.store import transaction


def ftm_problems(path: Path) -> dict[str, Any]:
    """What followthemoney objects to in an export: values invalid for their property's type
    (or longer than it allows), unknown properties, references to no entity of the export,
    repeated ids, parties without the name FtM requires."""
    ids: Counter[str] = Counter()
    references: list[str] = []
    invalid: list[tuple[str, str, str]] = []
    unknown: list[tuple[str, str]] = []
    nameless: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            data = json.loads(line)
            ids[data["id"]] += 1
            schema = model.get(data["schema"])
            assert schema is not None, data["schema"]
            proxy = model.get_proxy(data, cleaned=False)  # FtM itself accepts the line
            assert proxy.id == data["id"]
            for required in schema.required:
                if not data["properties"].get(required):
                    nameless.append(data["id"])
            for key, values in data["properties"].items():
                prop = schema.get(key)
                if prop is None:
                    unknown.append((data["id"], key))
                    continue
                for value in values:
                    if prop.type == registry.entity:
                        references.append(value)
                    elif not prop.type.validate(value) or len(value) > prop.type.max_length:
                        invalid.append((data["id"], key, value))
    return {
        "entities": sum(ids.values()),
        "invalid": invalid,
        "unknown": unknown,
        "dangling": [r for r in references if r not in ids],
        "duplicate_ids": [i for i, n in ids.items() if n > 1],
        "missing_required": nameless,
    }


def registry_content(url: str) -> dict[str, Any]:
    """Everything a round trip must keep: lists (title, publisher, kind, and every version in
    order: its number, publication and import dates, file, digest, counts, whether history),
    current entities (their whole record: names with kinds, identifiers, designations with
    history..., and the version each first appeared in), and relationships."""
    with transaction(url) as conn:
        lists = {}
        for row in conn.execute(select(t.lists)):
            versions = [
                (v.seq, v.published_at, _instant(v.imported_at), v.file_hash, v.source_file, v.entity_count,
                 v.added, v.removed, v.changed, bool(v.history))
                for v in conn.execute(
                    select(t.list_versions).where(t.list_versions.c.list_name == row.name)
                    .order_by(t.list_versions.c.seq)
                )
            ]
            lists[row.name] = {
                "title": row.title,
                "publisher": row.publisher,
                "kind": row.kind,
                "versions": versions,
            }
        first_seq = t.list_versions.alias("first")
        entities = {
            r.id: (r.list_name, r.schema, bool(r.designated), r.data, r.first_seq)
            for r in conn.execute(
                select(t.entities, first_seq.c.seq.label("first_seq"))
                .join(first_seq, first_seq.c.id == t.entities.c.first_version_id)
                .where(t.entities.c.removed_version_id.is_(None))
            )
        }
        relationships = {
            (r.list_name, r.kind, r.source_id, r.target_id, r.start_date, r.end_date, r.note, json.dumps(r.citation, sort_keys=True))
            for r in conn.execute(select(t.relationships))
            if r.source_id in entities
        }
    return {"lists": lists, "entities": entities, "relationships": relationships}


def _instant(value: datetime) -> str:
    """An import time as one instant (SQLite gives it back without its zone, always UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Every way `after` differs from `before`, one line each (empty: the same)."""
    out: list[str] = []
    for name, facts in before["lists"].items():
        if after["lists"].get(name) != facts:
            out.append(f"list {name}: {facts} -> {after['lists'].get(name)}")
    out.extend(f"list {name} appeared" for name in set(after["lists"]) - set(before["lists"]))
    for eid, record in before["entities"].items():
        if after["entities"].get(eid) != record:
            out.append(f"entity {eid}: {record} -> {after['entities'].get(eid)}")
    out.extend(f"entity {eid} appeared" for eid in set(after["entities"]) - set(before["entities"]))
    out.extend(f"relationship lost: {r}" for r in before["relationships"] - after["relationships"])
    out.extend(f"relationship appeared: {r}" for r in after["relationships"] - before["relationships"])
    return out


if __name__ == "__main__":
    export, first, second = sys.argv[1:4]
    problems = ftm_problems(Path(export))
    print(json.dumps({k: (v if isinstance(v, int) else len(v)) for k, v in problems.items()}))
    diff = differences(registry_content(first), registry_content(second))
    print(f"round-trip differences: {len(diff)}")
    for line in diff[:20]:
        print(" ", line[:300])
