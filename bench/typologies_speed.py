"""Typology detection speed at the monitor's throughput (issue 17 anchor: >= 2,000 payments/s).

Two figures:
- the engine alone (account graph + typology rules + score, in memory) over the first N
  payments of AMLSim 20K, in time order;
- the whole decision path (tizim.monitoring.decide.Decider.decide_batch: parties' screening
  against an empty registry, the monitoring rules, typologies, durable writes of payments,
  alerts, cases and the audit chain) in batches of 500 on SQLite (WAL) and PostgreSQL, with the
  typologies on and off, so the ratio says what they cost; a customer book holds every account
  (persons and organizations), so the typologies read the holders' profiles as in a bank.

    .venv/bin/python bench/typologies_speed.py [--payments 5000] [--no-postgres]

Writes bench/results/typologies_speed.json. The machine may be shared: the load averages
are recorded beside each figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tizim import settings  # noqa: E402
from tizim.monitoring.model import Party, Payment  # noqa: E402
from tizim.typologies.engine import TypologyEngine  # noqa: E402
from tizim.typologies.graph import DAY  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "aml_transactions" / "ibm_amlsim_20K_fanin200cycle200" / "transactions.csv"
ANCHOR = 2000.0
BASE = datetime(2025, 1, 1, tzinfo=UTC).timestamp()


def rows(n: int) -> list[tuple[float, str, str, float]]:
    out = [(float(r["time"]), r["sourceNodeId"], r["targetNodeId"], float(r["value"]))
           for r in csv.DictReader(DATA.open())]
    out.sort(key=lambda x: x[0])
    return out[:n]


def engine_rate(data: list[tuple[float, str, str, float]]) -> tuple[float, float]:
    """(payments per second, payments per CPU-second of this process)."""
    engine = TypologyEngine()
    start = time.perf_counter()
    cpu = time.process_time()
    for i, (day, d, c, amount) in enumerate(data):
        engine.assess(d, c, day * DAY, amount, payment_id=str(i))
        engine.add(str(i), d, c, day * DAY, amount)
    return len(data) / (time.perf_counter() - start), len(data) / (time.process_time() - cpu)


def payments(data: list[tuple[float, str, str, float]]) -> list[Payment]:
    return [Payment(amount=Decimal(str(a)), currency="USD", explicit_id=f"S{i}",
                    created_at=datetime.fromtimestamp(BASE + day * DAY + i % 86400, UTC).isoformat(),
                    debtor=Party(account=f"KZ{d}"), creditor=Party(account=f"KZ{c}"))
            for i, (day, d, c, a) in enumerate(data)]


def _book(data: list[tuple[float, str, str, float]]) -> None:
    """A customer book holding every account of the bench (persons of all ages and some
    organizations), so that the decisions read the holders' profiles as in a bank."""
    from tizim.customers.book import CustomerBook
    from tizim.customers.model import Customer

    accounts = sorted({a for _, d, c, _ in data for a in (d, c)}, key=int)
    CustomerBook().upsert([Customer(f"C{a}", "organization" if int(a) % 7 == 0 else "person", f"Holder {a}",
                                    birth_date=None if int(a) % 7 == 0 else f"{1950 + int(a) % 55}-01-01",
                                    country="KZ", accounts=[f"KZ{a}"]) for a in accounts], source="bench")


def decide_rate(url: str, data: list[tuple[float, str, str, float]], typologies: bool,
                book: bool = True) -> dict[str, Any]:
    from tizim.monitoring.decide import Decider
    from tizim.store import init_db

    settings.override(database_url=url)
    init_db(url)
    if book:
        _book(data)
    decider = Decider(url)
    decider.typologies.enabled = typologies
    batch = payments(data)
    start = time.perf_counter()
    cpu = time.process_time()
    for k in range(0, len(batch), 500):
        decider.decide_batch(batch[k:k + 500])
    wall = time.perf_counter() - start
    return {"payments_per_s": round(len(batch) / wall), "per_cpu_second": round(len(batch) / (time.process_time() - cpu)),
            "load": [round(x, 2) for x in os.getloadavg()]}


def _fresh_postgres(base: str, name: str) -> str | None:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
        return base.rsplit("/", 1)[0] + "/" + name
    except Exception as exc:  # noqa: BLE001 - a bench without a server reports it and goes on
        print(f"postgres unavailable: {exc}", file=sys.stderr)
        return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--payments", type=int, default=5000)
    ap.add_argument("--engine-payments", type=int, default=40000)
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-book", action="store_true", help="no customer book (no profiles to read)")
    args = ap.parse_args()
    results: dict[str, Any] = {"anchor_payments_per_s": ANCHOR}
    rate, per_cpu = engine_rate(rows(args.engine_payments))
    results["engine_in_memory"] = {"payments": args.engine_payments, "payments_per_s": round(rate),
                                   "per_cpu_second": round(per_cpu),
                                   "ratio_to_anchor": round(rate / ANCHOR, 2),
                                   "load": [round(x, 2) for x in os.getloadavg()]}
    data = rows(args.payments)
    with tempfile.TemporaryDirectory() as tmp:
        pg_base = os.environ.get("TIZIM_BENCH_PG", "postgresql://postgres@127.0.0.1/test")
        targets = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
        for name in targets:
            for on in (False, True):
                # a fresh database for each run (else the second run replays stored decisions)
                if name == "sqlite":
                    url: str | None = f"sqlite:///{tmp}/bench{int(on)}.db"
                else:
                    url = _fresh_postgres(pg_base, f"tizim_typ_bench_{os.getpid()}_{int(on)}")
                if url is None:
                    continue
                r = decide_rate(url, data, on, not args.no_book)
                r["ratio_to_anchor"] = round(r["payments_per_s"] / ANCHOR, 2)
                results[f"decide_{name}_typologies_{'on' if on else 'off'}"] = r
                print(name, "typologies", "on" if on else "off", r, file=sys.stderr, flush=True)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "typologies_speed.json").write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
