"""What the per-entity content history (tizim/registry/history.py) costs on a real list.

OFAC SDN as published in 2021-07 (8,976 entries), then the 2024-05-03 file (14,965: +6,870,
8,095 changed, -881: another export format, so most entries read differently), then a
routine update: the 2024 file again with 50 entries changed (birth dates, 10 new aliases).
For each import: CPU seconds of the whole import and of the history's part, history rows and
bytes; then the diff page's work (20 changed entries field by field) on the 15,000-entry list.
The anchor is the issue's: "cheap for a 15,000-entry list re-imported often; store only what
changed". CPU seconds, so the machine's load does not enter the figures.

    .venv/bin/python bench/list_history.py   (needs ../shared/data/ofac)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from tizim import settings
from tizim.registry import history
from tizim.registry import service as registry_service
from tizim.registry import tables as t
from tizim.registry.importers import load
from tizim.registry.service import Registry
from tizim.store import transaction

OFAC = Path(__file__).resolve().parents[2] / "shared" / "data" / "ofac"
spent = {"cpu": 0.0, "rows": 0}


def timed_record(conn: Connection, version_id: int, entities: Any) -> int:
    started = time.process_time()
    rows = history.record(conn, version_id, entities)
    spent["cpu"] += time.process_time() - started
    spent["rows"] += rows
    return rows


def history_bytes(version_id: int | None = None) -> int:
    h = history.entity_history
    query = select(func.coalesce(func.sum(func.length(h.c.previous.cast(t.entities.c.caption.type))), 0))
    if version_id is not None:
        query = query.where(h.c.version_id == version_id)
    with transaction() as conn:
        return int(conn.execute(query).scalar_one())


def run(label: str, parsed: Any, registry: Registry, allow_shrink: bool = False) -> dict[str, Any]:
    cpu, rows = spent["cpu"], spent["rows"]
    started = time.process_time()
    result = registry.import_parsed(parsed, allow_shrink=allow_shrink)
    total = time.process_time() - started
    with transaction() as conn:
        version_id = conn.execute(select(func.max(t.list_versions.c.id))).scalar_one()
    return {"import": label, "entities": result.entity_count, "added": result.added, "changed": result.changed,
            "removed": result.removed, "import_cpu_s": round(total, 3),
            "history_cpu_s": round(spent["cpu"] - cpu, 3), "history_rows": spent["rows"] - rows,
            "history_bytes": history_bytes(version_id)}


def main() -> int:
    if not OFAC.exists():
        print(f"skipped: {OFAC} is absent", file=sys.stderr)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="tizim-history-"))
    settings.override(database_url=f"sqlite:///{folder / 'h.db'}", data_dir=None)
    registry_service.record_replaced = timed_record  # type: ignore[attr-defined]
    registry = Registry()
    out = [run("2021-07", load(OFAC / "legacy_csv_2021-07"), registry),
           run("2024-05-03", load(OFAC / "sdn_csv_2024-05-03"), registry, allow_shrink=True)]
    routine = load(OFAC / "sdn_csv_2024-05-03")
    for i, entity in enumerate(routine.entities[:50]):
        entity.birth_dates = ["1970-01-01"]
        if i < 10:
            entity.add_name(f"Extra Alias {i}", kind="alias")
    routine.file_hash, routine.published_at = "routine-update", "2024-05-10"
    out.append(run("routine update, 50 changed", routine, registry))
    name = routine.list_name
    started = time.process_time()
    diff = registry.diff(name, 2, 3)
    first_page = registry.diff(name, 1, 2)["changed"][:20]
    with transaction() as conn:
        page = history.changed_entries(conn, name, 1, 2, first_page)
    out.append({"diff_page": "20 changed entries of 8,095, field by field, plus both diffs",
                "cpu_s": round(time.process_time() - started, 3), "recorded": sum(e["recorded"] for e in page),
                "routine_diff_changed": len(diff["changed"])})
    for line in out:
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
