"""Demo data for the workspace (`tizim workspace`, which `make run` ends with): a synthetic
customer book with a few listed persons planted in it, and a day of payments between the
book's customers and outside parties, a few of them to listed persons (true matches).

Everything follows from `seed`; it is written once per database (a marker row in
web_secrets), so restarting `make run` does not pile up payments.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from tizim.store import transaction
from tizim.web.tables import secrets_table

MARKER = "demo-data"
REMITTANCES = ("salary", "rent", "invoice 2026/11", "family support", "loan repayment", "goods supply contract",
               "tuition fee", "consulting services", "аренда офиса", "оплата по договору", "қарыз қайтару")
FOREIGN = (("TR", "TR330006100519786457841326"), ("AE", "AE070331234567890123456"),
           ("DE", "DE89370400440532013000"), ("GB", "GB29NWBK60161331926819"),
           ("UZ", "UZ0012345678901234567890"), ("RU", "RU0204452560040702810412345678901"))


def seeded(url: str | None = None) -> bool:
    with transaction(url) as conn:
        return conn.execute(select(secrets_table.c.name).where(secrets_table.c.name == MARKER)).first() is not None


def _mark(url: str | None, summary: dict[str, Any]) -> None:
    with transaction(url) as conn:
        conn.execute(insert(secrets_table).values(name=MARKER, value=json.dumps(summary)[:128]))


def customers_present() -> bool:
    return importlib.util.find_spec("tizim.customers.synthetic") is not None


def seed_demo(customers: int = 400, planted: int = 3, payments: int = 300, matches: int = 4,
              seed: int = 15, url: str | None = None) -> dict[str, Any]:
    """Write the demo book and payments into the database; returns what was made."""
    rng = random.Random(seed)
    summary: dict[str, Any] = {"customers": 0, "planted": 0, "payments": 0, "true_matches": 0}
    with tempfile.TemporaryDirectory(prefix="tizim-demo-") as tmp:
        folder = Path(tmp)
        parties: list[dict[str, str]] = []
        if customers_present() and customers:
            parties = _book(folder, customers, planted, seed, url, summary)
        listed = _listed(matches, seed, url)
        rows = _payments(rng, parties, listed, payments)
        path = folder / "demo-payments.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        from tizim.monitoring.runner import run_file

        result = run_file(path, url=url)
        summary["payments"] = result.get("decided", len(rows))
        summary["status"] = result.get("status")
        summary["true_matches"] = len(listed)
    _mark(url, {k: summary[k] for k in ("customers", "planted", "payments", "true_matches")})
    return summary


def _book(folder: Path, count: int, planted: int, seed: int, url: str | None,
          summary: dict[str, Any]) -> list[dict[str, str]]:
    from tizim.customers.book import CustomerBook
    from tizim.customers.synthetic import listed_from_registry, write_book

    listed = listed_from_registry(url, planted, seed) if planted else None
    path = folder / "demo-book.csv"
    truth = write_book(path, count, seed, len(listed or []), listed, fmt="csv")
    CustomerBook(url).import_file(path)
    from tizim.customers.screen import screen_book

    # Screening the new book freezes the accounts of the listed persons planted in it.
    summary["book_screening"] = screen_book(url)
    summary["customers"] = truth["customers"]
    summary["planted"] = len(truth["planted"])
    planted_ids = {p["customer_id"] for p in truth["planted"]}
    parties = []
    with path.open(encoding="utf-8", newline="") as fh:
        for record in csv.DictReader(fh):
            if record["customer_id"] in planted_ids:
                continue  # their accounts are frozen: payments from them would all freeze
            account = (record.get("accounts") or "").split(";")[0]
            if account:
                parties.append({"name": record["name"], "account": account, "country": "KZ",
                                "address": record.get("address") or ""})
    return parties


def _listed(n: int, seed: int, url: str | None) -> list[dict[str, Any]]:
    if n <= 0:
        return []
    if customers_present():
        from tizim.customers.synthetic import listed_from_registry

        return listed_from_registry(url, n, seed + 1)
    from tizim.registry.service import Registry

    out = []
    for entity in Registry(url).iter_entities():
        if entity.schema == "Person" and entity.designations:
            out.append({"entity_id": entity.id, "name": entity.caption, "nationalities": list(entity.nationalities)})
        if len(out) >= n:
            break
    return out


def _payments(rng: random.Random, parties: list[dict[str, str]], listed: list[dict[str, Any]],
              count: int) -> list[dict[str, Any]]:
    """`count` payments spread over the last 24 hours, a few of them to listed persons."""
    if not parties:
        parties = [{"name": f"Demo Customer {i}", "account": f"KZ{rng.randrange(10**18, 10**19)}", "country": "KZ",
                    "address": "Almaty"} for i in range(1, 41)]
    now = datetime.now(UTC)
    day = now.date().isoformat()
    rows: list[dict[str, Any]] = []
    targets = set(rng.sample(range(count), k=min(len(listed), count)))
    pick = iter(listed)
    for i in range(count):
        debtor = rng.choice(parties)
        if i in targets:
            person = next(pick)
            country, account = rng.choice(FOREIGN)
            creditor = {"name": person["name"], "account": account, "country": country}
        elif rng.random() < 0.2:
            country, account = rng.choice(FOREIGN)
            creditor = {"name": rng.choice(("Global Trade LLC", "Anadolu Tekstil A.S.", "Emirates Supply FZE",
                                            "Berlin Maschinenbau GmbH", "Northwind Ltd")),
                        "account": account, "country": country}
        else:
            creditor = rng.choice(parties)
            while creditor is debtor and len(parties) > 1:
                creditor = rng.choice(parties)
        amount = round(rng.lognormvariate(11.5, 1.3), 2)
        when = now - timedelta(minutes=rng.randrange(0, 24 * 60))
        rows.append({
            "payment_id": f"demo-{day}-{i + 1:05d}",
            "msg_id": f"DEMO-MSG-{i + 1:05d}",
            "e2e_id": f"DEMO-E2E-{i + 1:05d}",
            "amount": f"{amount:.2f}",
            "currency": "KZT",
            "value_date": day,
            "created_at": when.isoformat(timespec="seconds"),
            "debtor": {k: v for k, v in debtor.items() if v},
            "creditor": {k: v for k, v in creditor.items() if v},
            "remittance": rng.choice(REMITTANCES),
        })
    return rows
