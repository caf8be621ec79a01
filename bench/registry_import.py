"""Import time and peak memory for the UN XML and the full SDN CSV, on SQLite and PostgreSQL.

Each case runs in a fresh subprocess (a fresh database: a new SQLite file or a new
PostgreSQL schema), so peak RSS (ru_maxrss) is that case's alone. Times are split into
parse (file -> ParsedList) and write (Registry.import_parsed), and set beside the issue's
targets (UN <= 2 s, SDN <= 10 s) as a ratio; below 1.0 meets the target. The one-off cost of
loading the country tables (followthemoney) is measured apart as "warm-up", since a
long-running process pays it once.

    .venv/bin/python bench/registry_import.py [--repeat N]

Writes bench/results/registry_import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
POSTGRES_URL = os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
CASES = [
    ("UN XML (1,003)", DATA / "un" / "UN_consolidated_moov_2026-02.xml", "un-sc", 2.0),
    ("SDN CSV (14,965)", DATA / "ofac" / "sdn_csv_2024-05-03" / "sdn.csv", "us-ofac-sdn", 10.0),
]

# Runs inside the child: one import into a fresh database, timings and peak RSS as JSON.
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from tizim import settings
settings.override(database_url=sys.argv[1], data_dir=None)
from tizim.registry.countries import country_code
from tizim.registry.importers import load
from tizim.registry.service import Registry
from tizim.store import init_db
init_db()
t1 = time.perf_counter()
country_code("Egypt")  # loads the country tables once per process
t2, c2 = time.perf_counter(), time.process_time()
parsed = load(Path(sys.argv[2]), sys.argv[3])
t3 = time.perf_counter()
result = Registry().import_parsed(parsed)
t4, c4 = time.perf_counter(), time.process_time()
assert result.created and result.entity_count == len(parsed.entities)
print(json.dumps({"startup_s": t1 - t0, "warmup_s": t2 - t1, "parse_s": t3 - t2, "write_s": t4 - t3,
                  "import_s": t4 - t2, "import_cpu_s": c4 - c2, "entities": result.entity_count,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _postgres_schema() -> tuple[str, str] | None:
    try:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except Exception as exc:  # no server: the PostgreSQL rows say so
        print(f"PostgreSQL at {POSTGRES_URL} unavailable: {exc}", file=sys.stderr)
        return None
    sep = "&" if "?" in POSTGRES_URL else "?"
    return schema, f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def run_case(path: Path, source: str, backend: str) -> dict[str, float] | None:
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        schema = None
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/tizim.db"
        else:
            made = _postgres_schema()
            if made is None:
                return None
            schema, url = made
        try:
            proc = subprocess.run([sys.executable, "-c", CHILD, url, str(path), source],
                                  capture_output=True, text=True, cwd=ROOT, check=False)
        finally:
            if schema:
                _drop_schema(schema)
        if proc.returncode:
            raise SystemExit(f"{source} on {backend} failed:\n{proc.stderr[-2000:]}")
        result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best time is reported")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows: list[dict[str, object]] = []
    for label, path, source, target in CASES:
        if not path.exists():
            print(f"skipping {label}: {path} is absent", file=sys.stderr)
            continue
        for backend in ("sqlite", "postgres"):
            runs = [r for r in (run_case(path, source, backend) for _ in range(args.repeat)) if r]
            if not runs:
                continue
            best = min(runs, key=lambda r: r["import_s"])
            rows.append({
                "case": label, "list": source, "backend": backend, "target_s": target,
                "import_s": round(best["import_s"], 3), "parse_s": round(best["parse_s"], 3),
                "write_s": round(best["write_s"], 3), "import_cpu_s": round(best["import_cpu_s"], 3), "warmup_s": round(best["warmup_s"], 3),
                "cold_total_s": round(best["import_s"] + best["warmup_s"] + best["startup_s"], 3),
                "ratio_to_target": round(best["import_s"] / target, 3),
                "cold_ratio_to_target": round((best["import_s"] + best["warmup_s"] + best["startup_s"]) / target, 3),
                "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
                "entities": best["entities"], "runs": len(runs),
            })
    header = ["case", "backend", "import s", "cpu s", "parse s", "write s", "target s", "ratio", "cold s", "cold ratio", "peak MB"]
    table: list[list[object]] = [[r["case"], r["backend"], r["import_s"], r["import_cpu_s"], r["parse_s"], r["write_s"], r["target_s"],
              r["ratio_to_target"], r["cold_total_s"], r["cold_ratio_to_target"], r["peak_rss_mb"]] for r in rows]
    lines: list[list[object]] = [list(header), *table]
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=False)))
    out = ROOT / "bench" / "results" / "registry_import.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "what": "tizim lists import: parse + write into a fresh database; best of N runs per case",
        # A busy machine stretches wall times; the load average and the client CPU time say how much.
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "notes": "ratio = import_s (wall) / target (<1 meets it); import_cpu_s is the client's CPU time (PostgreSQL server time not included); cold adds interpreter/package start-up and the "
                 "one-off country-table load, as a fresh `tizim lists import` pays them",
        "results": rows,
    }, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
