"""Shared helpers for monitoring tests: a tiny designation list in the real registry."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tizim.registry.model import Designation, Entity, Name, ParsedList
from tizim.registry.service import Registry

DESIGNATED = {
    "t-imu": ("Organization", "Islamic Movement of Uzbekistan", ["IMU"]),
    "t-asbat": ("Organization", "Asbat al-Ansar", []),
    "t-karimov": ("Person", "Rustam Karimov Abdullaevich", []),
}


def entity(eid: str, schema: str, name: str, aliases: list[str] | None = None) -> Entity:
    ent = Entity(id=eid, schema=schema, names=[Name(full=name)] + [Name(full=a, kind="alias") for a in aliases or []])
    ent.designations.append(Designation(list_name="test-list", reference=eid.upper()))
    return ent


def load_list(extra: dict[str, tuple[str, str, list[str]]] | None = None, published_at: str | None = None,
              kind: str = "sanctions", name: str = "test-list") -> Any:
    """The test list, declared a sanctions list (a list of no declared kind never freezes)."""
    entries = {**DESIGNATED, **(extra or {})}
    entities = [entity(eid, s, n, a) for eid, (s, n, a) in entries.items()]
    if name != "test-list":
        for e in entities:
            e.id = f"{name}-{e.id}"
            e.designations[0].list_name = name
    digest = hashlib.sha256(json.dumps(sorted(entries) if name == "test-list" else [name, *sorted(entries)])
                            .encode()).hexdigest()
    parsed = ParsedList(list_name=name, source_file=f"{name}.json", file_hash=digest,
                        published_at=published_at, entities=entities, kind=kind)
    result = Registry().import_parsed(parsed)
    from tizim.screening import reset_screeners

    reset_screeners()
    return result


def payment(i: int, creditor: str = "", debtor: str = "Corporation Z", creditor_country: str = "BR",
            creditor_account: str | None = None, **extra: Any) -> dict[str, Any]:
    """A JSONL-layout payment; the creditor name defaults to a unique harmless one."""
    data: dict[str, Any] = {
        "payment_id": f"P-{i:05d}",
        "msg_id": "MSG-1",
        "e2e_id": f"E2E-{i:05d}",
        "amount": "1000.00",
        "currency": "USD",
        "value_date": "2025-03-10",
        "created_at": f"2025-03-10T09:{(i // 60) % 60:02d}:{i % 60:02d}+00:00",
        "debtor": {"name": debtor, "account": "BE34001216371411", "country": "BE", "address": "Brussels"},
        "creditor": {"name": creditor or f"Corporation Y{i}",
                     "account": creditor_account or f"BR97003603050000100{i:05d}", "country": creditor_country},
    }
    data.update(extra)
    return data


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
