"""`tizim customers import` alone, at scale (issue 13: 1,000,000 customers in <= 2 min on this
2-core machine, on SQLite and PostgreSQL), with the CPU it costs on each side.

The machine is shared, so wall time alone says little: each import runs in a child process
(as `tizim customers import` runs: the book's worker processes check the records, the child
stores them) and reports its wall seconds, its CPU seconds with its workers', and its peak
memory; for PostgreSQL the bench also adds up the CPU of the server's processes serving the
bench database (sampled from /proc while the import runs) and of its background writers
(checkpointer, background writer, WAL writer: shared, but mostly the import's while it runs).

    .venv/bin/python bench/customers_import.py [--count 300000] [--stores sqlite,postgresql]
        [--rounds 1] [--again] [--trees /tmp/before,.]

Each round imports the book into a fresh database of each store (and, with --again, imports
the same file a second time: every customer unchanged). --trees runs the same measurements
with other checkouts of tizim (PYTHONPATH), alternately, round by round: before and after a
change, in the same minutes of the same machine. The book (tizim.customers.synthetic, CSV) is
written once to $TIZIM_BENCH_DIR (default /tmp/tizim-bench-customers) and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("TIZIM_BENCH_DIR", "/tmp/tizim-bench-customers"))
PG_SERVER = os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
BENCH_DB = "tizim_bench_customer_import"
MILLION = 1_000_000
ANCHOR = 120.0  # seconds for 1,000,000 customers
TICKS = os.sysconf("SC_CLK_TCK")

CHILD = """
import json, resource, sys, time
from pathlib import Path
from tizim import settings
url, book, rounds = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
settings.override(database_url=url, data_dir=None)
from tizim.customers.book import CustomerBook
from tizim.store import init_db
init_db(url)
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime
for _ in range(rounds):
    started, before = time.perf_counter(), cpu()
    summary = CustomerBook(url).import_file(book)
    print(json.dumps({"seconds": time.perf_counter() - started, "cpu": cpu() - before, **summary.to_dict(),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "workers_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}), flush=True)
"""


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql)


def fresh_db(store: str) -> str:
    if store == "sqlite":
        for p in WORK.glob(f"{BENCH_DB}.db*"):
            p.unlink()
        return f"sqlite:///{WORK / BENCH_DB}.db"
    _pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{BENCH_DB}"')
    return PG_SERVER.rpartition("/")[0] + f"/{BENCH_DB}"


def _proc_cpu(pid: str) -> float:
    """User + system CPU seconds of a live process (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


class ServerCpu:
    """CPU of the PostgreSQL processes that serve `database`, and of its background writers,
    while the import runs: /proc sampled every 0.2 s (a backend's last sample counts)."""

    BACKGROUND = ("checkpointer", "background writer", "walwriter")

    def __init__(self, database: str) -> None:
        self.database = database
        self.backends: dict[str, float] = {}
        self.background_start = self._background()
        self.background = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _background(self) -> dict[str, float]:
        return {pid: cpu for pid, title, cpu in self._postgres() if any(b in title for b in self.BACKGROUND)}

    @staticmethod
    def _postgres() -> list[tuple[str, str, float]]:
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if title.startswith("postgres:"):
                    found.append((pid, title, _proc_cpu(pid)))
            except OSError:
                continue
        return found

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            for pid, title, cpu in self._postgres():
                # its backend, and the workers of its parallel index builds
                if f" {self.database} " in title or "parallel worker" in title:
                    self.backends[pid] = cpu

    def __enter__(self) -> ServerCpu:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        end = self._background()
        self.background = sum(end[p] - c for p, c in self.background_start.items() if p in end)


def measure(tree: Path, store: str, book: Path, again: bool) -> list[dict[str, Any]]:
    url = fresh_db(store)
    env = dict(os.environ, PYTHONPATH=str(tree), TIZIM_DATA_DIR=str(WORK / "no-data"))
    command = [sys.executable, "-c", CHILD, url, str(book), "2" if again else "1"]
    if store == "postgresql":
        with ServerCpu(BENCH_DB) as server:
            out = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
        server_cpu: dict[str, float] | None = {"server_cpu": sum(server.backends.values()),
                                               "server_background_cpu": server.background}
    else:
        out = subprocess.run(command, env=env, cwd=tree, capture_output=True, text=True)
        server_cpu = None
    if out.returncode:
        raise SystemExit(f"import failed ({tree}, {store}):\n{out.stderr[-3000:]}")
    runs = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    if server_cpu is not None:
        # the server's CPU is one figure for the child's whole life (both imports with --again)
        runs[-1].update(server_cpu)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--again", action="store_true", help="import the same file a second time too")
    parser.add_argument("--trees", default=str(ROOT), help="checkouts of tizim to compare, comma-separated")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "no-data").mkdir(exist_ok=True)
    book = WORK / f"customers_book_{args.count}_{args.seed}.csv"
    if not book.exists():
        sys.path.insert(0, str(ROOT))
        from tizim.customers.synthetic import write_book

        started = time.perf_counter()
        write_book(book.with_suffix(".tmp.csv"), args.count, args.seed)
        book.with_suffix(".tmp.csv").rename(book)
        print(f"book of {args.count:,} written in {time.perf_counter() - started:.0f} s: {book}", flush=True)
    trees = [Path(t).resolve() for t in args.trees.split(",") if t]
    scale = args.count / MILLION
    results: list[dict[str, Any]] = []
    print(f"{args.count:,} customers, {book.stat().st_size / 1e6:.0f} MB; anchor {ANCHOR * scale:.1f} s at this size "
          f"({ANCHOR:.0f} s at 1M); load average {os.getloadavg()[0]:.1f}")
    print(f"{'tree':28} {'store':10} {'run':6} {'wall s':>7} {'CPU s':>7} {'server':>7} {'bg':>5} {'1M proj':>8} "
          f"{'RSS MB':>7} {'workers':>7}  summary")
    for _ in range(args.rounds):
        for store in [s for s in args.stores.split(",") if s]:
            for tree in trees:
                runs = measure(tree, store, book, args.again)
                for label, run in zip(("first", "again"), runs, strict=False):
                    server = run.get("server_cpu")
                    bg = run.get("server_background_cpu")
                    print(f"{str(tree)[-28:]:28} {store:10} {label:6} {run['seconds']:7.1f} {run['cpu']:7.1f} "
                          f"{'' if server is None else f'{server:.1f}':>7} {'' if bg is None else f'{bg:.1f}':>5} "
                          f"{run['seconds'] / scale:8.0f} {run['rss_mb']:7.0f} {run['workers_rss_mb']:7.0f}  "
                          f"{run['imported']}/{run['updated']}/{run['unchanged']}", flush=True)
                    results.append({"tree": str(tree), "store": store, "run": label, **run})
    print(f"load average after {os.getloadavg()[0]:.1f}")
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "customers_import.json").write_text(json.dumps(
        {"customers": args.count, "cpu_count": os.cpu_count(), "runs": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
