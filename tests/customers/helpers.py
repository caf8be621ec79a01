"""Shared helpers for customer tests: the fixture book and small writers."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from tests.conftest import FIXTURES
from tizim.customers.synthetic import designated_persons
from tizim.registry.model import Designation, Entity, Name

BOOK = FIXTURES / "customers" / "book.csv"
HEADER = ["customer_id", "type", "name", "aliases", "birth_date", "nationality", "country", "id_number",
          "address", "accounts", "owners", "directors"]


def book_rows() -> list[dict[str, str]]:
    with BOOK.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in HEADER})
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def designated_entities(count: int = 30, seed: int = 5) -> tuple[list[Entity], list[dict[str, Any]]]:
    """Synthetic designated persons as listed entities, and as the generator plants them."""
    entities = [Entity(id=f"t-{i}", schema="Person",
                       names=[Name(f"{p['lname']} {p['fname']} {p['mname']}".strip())],
                       designations=[Designation(list_name="test-list", reference=f"T{i}")],
                       birth_dates=[p["birthdate"]])
                for i, p in enumerate(designated_persons(count, seed=seed))]
    listed = [{"entity_id": e.id, "name": e.names[0].full, "aliases": [], "schema": "Person",
               "birth_dates": e.birth_dates} for e in entities]
    return entities, listed
