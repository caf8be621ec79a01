"""Memory of a list import per byte of file (issue 19: ~45 bytes per byte; a 200 MB national
CSV ran out past 7 GB). Generates a national CSV of --mb megabytes, imports it into a fresh
SQLite database in a child process and reports its peak RSS, parse and import separately.

    .venv/bin/python bench/import_memory.py --mb 50
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "list,reference,schema,name,aliases,birth_dates,nationalities,programme,authority,listed_on,quote\n"
SYL = ["ab", "al", "an", "ar", "ba", "da", "di", "el", "fa", "ha", "ib", "ka", "ma", "mu", "na", "ra", "sa", "ta", "ul", "za"]


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


def child(path: str, db: str, mode: str) -> None:
    from tizim import settings
    from tizim.registry.importers import load
    from tizim.registry.service import Registry
    from tizim.store import init_db

    settings.override(database_url=db, data_dir=None)
    init_db(db)
    start = time.perf_counter()
    parsed = load(Path(path))
    parsed_at = time.perf_counter()
    parse_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    entities = len(parsed.entities)
    if mode == "import":
        Registry(db).import_parsed(parsed)
    done = time.perf_counter()
    print(json.dumps({"entities": entities, "parse_s": parsed_at - start, "import_s": done - parsed_at,
                      "peak_rss_parse": parse_rss,
                      "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=50.0)
    parser.add_argument("--mode", choices=["parse", "import"], default="import")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="tizim-bench-") as tmp:
        path = Path(tmp) / "national.csv"
        rows = generate(path, args.mb)
        size = path.stat().st_size
        baseline = subprocess.run([sys.executable, "-c", "import resource, tizim.registry.service, tizim.registry.importers.national;"
                                   "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)"],
                                  capture_output=True, text=True, check=True)
        base = int(baseline.stdout.strip())
        proc = subprocess.run([sys.executable, __file__, "--child", str(path), f"sqlite:///{tmp}/bench.db", args.mode],
                              capture_output=True, text=True, check=True)
        got = json.loads(proc.stdout.strip().splitlines()[-1])
    grown_parse = got["peak_rss_parse"] - base
    grown = got["peak_rss"] - base
    print(f"file: {size / 1e6:.1f} MB, {rows} rows, {got['entities']} entities")
    print(f"parse: {got['parse_s']:.1f} s, peak RSS {got['peak_rss_parse'] / 1e6:.0f} MB "
          f"(+{grown_parse / 1e6:.0f} MB over the interpreter = {grown_parse / size:.1f} bytes per byte of file)")
    if args.mode == "import":
        print(f"import: {got['import_s']:.1f} s, peak RSS {got['peak_rss'] / 1e6:.0f} MB "
              f"(+{grown / 1e6:.0f} MB = {grown / size:.1f} bytes per byte of file; anchor: ~45 bytes per byte before streaming)")


if __name__ == "__main__":
    main()
