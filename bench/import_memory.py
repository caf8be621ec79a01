"""Memory of a list import against the file's size (issue 19: ~45 bytes of memory per byte of
file; a 200 MB national CSV ran out past 7 GB). Generates national CSVs of the given sizes,
imports each into a fresh database (SQLite and PostgreSQL) in a child process, as `tizim lists
import` does (the entities streamed into the registry), and reports the child's peak RSS above
what it held before the import, per byte of file. Streaming means the peak does not grow with
the file: the figures for 20 MB and 200 MB are nearly equal.

    .venv/bin/python bench/import_memory.py --mb 20 200 [--db sqlite postgresql]

PostgreSQL: TIZIM_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1/test); the bench
creates and drops its own database `tizim_bench_import` there.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "list,reference,schema,name,aliases,birth_dates,nationalities,programme,authority,listed_on,quote\n"
SYL = ["ab", "al", "an", "ar", "ba", "da", "di", "el", "fa", "ha", "ib", "ka", "ma", "mu", "na", "ra", "sa", "ta", "ul", "za"]
BENCH_DB = "tizim_bench_import"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYL) for _ in range(rng.randint(2, 4))).capitalize()


def generate(path: Path, megabytes: float) -> int:
    rng = random.Random(19)
    target = int(megabytes * 1_000_000)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER)
        size = len(HEADER)
        while size < target:
            rows += 1
            person = rng.random() < 0.6
            name = " ".join(_word(rng) for _ in range(3 if person else 4))
            aliases = ";".join(" ".join(_word(rng) for _ in range(3)) for _ in range(rng.randint(0, 3)))
            born = f"19{rng.randint(40, 99):02d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if person else ""
            line = (f"bench-national,BN-{rows:08d},{'Person' if person else 'Organization'},{name},{aliases},"
                    f"{born},"
                    f"kz,Terrorism,Supreme Court,2020-0{rng.randint(1, 9)}-1{rng.randint(0, 9)},"
                    f"\"{name} is recognised as a banned organization by the decision of the court\"\n")
            out.write(line)
            size += len(line.encode())
    return rows


def _rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def child(path: str, db: str) -> None:
    from tizim import settings
    from tizim.registry.importers import open_list
    from tizim.registry.service import Registry
    from tizim.store import init_db

    settings.override(database_url=db, data_dir=None)
    init_db(db)
    registry = Registry(db)
    registry.summary()  # the bundled national list goes in first: not part of the measured import
    before = _rss()
    cpu = time.process_time()
    start = time.perf_counter()
    result = registry.import_parsed(open_list(Path(path)))
    print(json.dumps({"entities": result.entity_count, "import_s": time.perf_counter() - start,
                      "cpu_s": time.process_time() - cpu, "rss_before": before, "peak_rss": _rss()}))


def _postgres_db(base: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {BENCH_DB}"))
        conn.execute(sa.text(f"CREATE DATABASE {BENCH_DB}"))
    engine.dispose()
    return base.rsplit("/", 1)[0] + f"/{BENCH_DB}"


def measure(path: Path, db_kind: str, tmp: str) -> dict[str, float]:
    if db_kind == "sqlite":
        db = f"sqlite:///{tmp}/bench-{time.monotonic_ns()}.db"
    else:
        db = _postgres_db(os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test"))
    proc = subprocess.run([sys.executable, __file__, "--child", str(path), db],
                          capture_output=True, text=True, check=False)
    if proc.returncode:
        raise SystemExit(proc.stderr[-3000:])
    got: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return got


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, nargs="+", default=[20.0, 200.0])
    parser.add_argument("--db", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'db':<11} {'file MB':>8} {'entities':>9} {'import s':>9} {'CPU s':>7} {'RSS before':>11} "
          f"{'peak RSS':>9} {'grown':>8} {'bytes/byte':>10}")
    with tempfile.TemporaryDirectory(prefix="tizim-bench-") as tmp:
        for megabytes in args.mb:
            path = Path(tmp) / f"national-{megabytes:g}mb.csv"
            generate(path, megabytes)
            size = path.stat().st_size
            for db_kind in args.db:
                got = measure(path, db_kind, tmp)
                grown = got["peak_rss"] - got["rss_before"]
                print(f"{db_kind:<11} {size / 1e6:>8.1f} {int(got['entities']):>9} {got['import_s']:>9.1f} "
                      f"{got['cpu_s']:>7.1f} {got['rss_before'] / 1e6:>9.0f}MB {got['peak_rss'] / 1e6:>7.0f}MB "
                      f"{grown / 1e6:>6.0f}MB {grown / size:>10.2f}", flush=True)
            path.unlink()
    print("anchor: ~45 bytes of memory per byte of file before streaming (19 at the last stop); "
          "streamed, the peak RSS should not grow with the file")


if __name__ == "__main__":
    main()
