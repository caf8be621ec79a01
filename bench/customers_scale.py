"""Customer book at scale against the issue's anchors (issue 13, "Scale"), on SQLite and PostgreSQL.

Anchors, for 1,000,000 customers on this 2-core machine: import <= 2 min; full screening
against all shared lists <= 10 min in-process, and with `--engine spark` within 1.5x of
in-process, with the same results; a list version adding 100 entries re-screens the book in
<= 30 s. Also: the synthetic book itself is written in under 60 s.

    .venv/bin/python bench/customers_scale.py [--count 1000000] [--stores sqlite,postgresql]
        [--engines local,spark] [--planted 200] [--new-entries 100]

Per store: a fresh database with every shared list (UN, OFAC SDN 2024, UK, EU) and version 1
of a synthetic national list in the AFM layout (2,400 made-up persons, Kazakh names with IINs:
the real AFM list is not in the shared data); a synthetic book of --count customers with
--planted listed persons of the sanctions lists and 20 of the list's next 100 persons planted
in varied spellings (written once, to $TIZIM_BENCH_DIR, with its truth file). Then, each a
`tizim` command in its own process and timed: `customers import`; `customers screen` (local
engine, 2 workers) and `customers screen --engine spark` on a copy of the imported database,
both after the screening index is built and cached (timed apart); `lists import` of the AFM
list's version 2, which adds the 100 persons and re-screens the book before it returns.
Hits of the local and Spark runs are compared customer by customer; the planted persons found
give recall, the other customers alerted the false-alert rate.

A run below 1,000,000 customers compares against the anchor scaled to its size (anchor x
count / 1,000,000) and prints the time projected to 1,000,000 (linear). The re-screen is
compared with its 30 s anchor unscaled. Ratios above 1 beat the anchor. Writes
bench/results/customers_scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
WORK = Path(os.environ.get("TIZIM_BENCH_DIR", "/tmp/tizim-bench-customers"))
RESULTS = ROOT / "bench" / "results"
TIZIM = str(ROOT / ".venv" / "bin" / "tizim")
PG_SERVER = os.environ.get("TIZIM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1/test")
LISTS = [
    (DATA / "un" / "UN_consolidated_moov_2026-02.xml", None),
    (DATA / "ofac" / "sdn_csv_2024-05-03" / "sdn.csv", "us-ofac-sdn"),
    (DATA / "uk" / "uk_sanctions_list_normalised_covyr", None),
    (DATA / "eu" / "opensanctions_eu_journal_sanctions" / "consolidated", None),
]
MILLION = 1_000_000
ANCHORS = {"generate": 60.0, "import": 120.0, "screen": 600.0, "rescreen": 30.0}
DELTA_PLANTED = 20


# ---- databases -------------------------------------------------------------------------------


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER, autocommit=True) as conn:
        conn.execute(sql)


def _pg_url(name: str) -> str:
    base, _, _ = PG_SERVER.rpartition("/")
    return f"{base}/{name}"


def fresh_db(store: str, name: str) -> str:
    """An empty database of `store`, migrated."""
    from tizim.store import dispose_all, init_db

    if store == "sqlite":
        path = WORK / f"{name}.db"
        for p in WORK.glob(f"{name}.db*"):
            p.unlink()
        url = f"sqlite:///{path}"
    else:
        dispose_all()
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = _pg_url(name)
    init_db(url)
    return url


def copy_db(store: str, url: str, name: str) -> str:
    """A copy of a database (the imported, unscreened book for the Spark run)."""
    from tizim.store import dispose_all

    dispose_all()
    if store == "sqlite":
        source = Path(url.removeprefix("sqlite:///"))
        target = WORK / f"{name}.db"
        for p in WORK.glob(f"{name}.db*"):
            p.unlink()
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return f"sqlite:///{target}"
    source_name = url.rsplit("/", 1)[1]
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{source_name}"')
    return _pg_url(name)


AFM_BASE = 2_400  # persons on the synthetic national list before the new version


def afm_xml(persons: list[dict[str, Any]]) -> str:
    """Persons in the AFM export layout (tizim/registry/importers/kz_afm.py reads it)."""
    from xml.sax.saxutils import escape

    rows = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<!-- Synthetic: made-up persons in the AFM layout (tizim.customers.synthetic). -->", "<root>"]
    for p in persons:
        y, m, d = p["birthdate"].split("-")
        rows.append(f"  <person><lname>{escape(p['lname'])}</lname><fname>{escape(p['fname'])}</fname>"
                    f"<mname>{escape(p['mname'])}</mname><birthdate>{d}.{m}.{y}</birthdate>"
                    f"<iin>{p['iin']}</iin><note></note><correction></correction>"
                    f"<added_to_list>{p.get('added', '01.06.2026')}</added_to_list></person>")
    rows.append("</root>")
    return "\n".join(rows) + "\n"


def afm_versions(new: int, seed: int) -> tuple[str, str, list[dict[str, Any]]]:
    """A synthetic national (AFM-layout) list: the text of version 1 (AFM_BASE persons) and of
    version 2 (`new` more); and the listed-person dicts of those new ones (for planting). Both
    are written to the same file, as the AFM's export keeps its name: the citation names the
    file, and a new name would change every entry."""
    from tizim.customers.synthetic import designated_persons
    from tizim.registry.importers.base import make_id

    persons = designated_persons(AFM_BASE + new, seed)
    for p in persons[AFM_BASE:]:
        p["added"] = "01.12.2026"
    v1, v2 = afm_xml(persons[:AFM_BASE]), afm_xml(persons)
    listed = [{"entity_id": make_id("kz-afm", p["iin"]), "name": f"{p['lname']} {p['fname']} {p['mname']}".strip(),
               "aliases": [], "schema": "Person", "birth_dates": [p["birthdate"]], "nationalities": ["kz"],
               "gender": "female" if p["sex"] == "F" else "male", "id_numbers": [p["iin"]]}
              for p in persons[AFM_BASE:]]
    return v1, v2, listed


AFM_FILE = WORK / "afm" / "xml_category_1.xml"


def load_lists(url: str, afm_v1: str) -> float:
    """Every shared list into the registry, and version 1 of the synthetic AFM list."""
    from tizim.registry.importers import load
    from tizim.registry.service import Registry

    started = time.perf_counter()
    registry = Registry(url)
    for path, source in LISTS:
        registry.import_parsed(load(path, source))
    AFM_FILE.parent.mkdir(parents=True, exist_ok=True)
    AFM_FILE.write_text(afm_v1, encoding="utf-8")
    registry.import_parsed(load(AFM_FILE, "kz-afm"))
    return time.perf_counter() - started


def build_index(url: str) -> float:
    """The screening index of every list, built and cached on disk (as `tizim` keeps it)."""
    env = dict(os.environ, TIZIM_DATABASE_URL=url, TIZIM_DATA_DIR=str(WORK / "no-data"))
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import sys; from tizim.screening.index import load_index; "
                    "load_index(sys.argv[1])", url], check=True, env=env, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


# ---- steps -----------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


CPU: dict[str, float] = {}  # the last command's CPU seconds (its process and children)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tizim(url: str, *args: str) -> tuple[float, Any]:
    """Run a `tizim` command in its own process; (wall seconds, its --json output). Its CPU
    seconds (with its worker processes; not Spark's JVM) go to CPU["last"]."""
    log("tizim " + " ".join(args))
    cpu_before = _children_cpu()
    env = dict(os.environ, TIZIM_DATABASE_URL=url, TIZIM_DATA_DIR=str(WORK / "no-data"), NO_COLOR="1",
               SPARK_LOCAL_IP="127.0.0.1")
    started = time.perf_counter()
    out = subprocess.run([TIZIM, "--db", url, *args, "--json"], env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    CPU["last"] = _children_cpu() - cpu_before
    log(f"  {seconds:.1f} s ({CPU['last']:.1f} CPU s): {' '.join(out.stdout.split())[:300]}")
    if out.returncode:
        raise SystemExit(f"tizim {' '.join(args)} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return seconds, json.loads(out.stdout)


def hits_and_statuses(url: str) -> tuple[set[tuple[str, str, str, float]], dict[str, str]]:
    from sqlalchemy import select

    from tizim.customers import tables as t
    from tizim.store import dispose_all, transaction

    with transaction(url) as conn:
        hits = {(r.customer_id, r.entity_id, r.via, round(float(r.score), 3)) for r in conn.execute(
            select(t.matches.c.customer_id, t.matches.c.entity_id, t.matches.c.via, t.matches.c.score))}
        statuses = dict(conn.execute(select(t.customers.c.customer_id, t.customers.c.status)
                                     .where(t.customers.c.status != "clear")).all())
    dispose_all()
    return hits, statuses


def found(truth: list[dict[str, Any]], statuses: dict[str, str], hits: set[tuple[str, str, str, float]]
          ) -> dict[str, Any]:
    by_customer: dict[str, set[str]] = {}
    for cid, eid, _, _ in hits:
        by_customer.setdefault(cid, set()).add(eid)
    alerted = [p for p in truth if statuses.get(p["customer_id"]) in ("alert", "frozen")]
    frozen = [p for p in truth if statuses.get(p["customer_id"]) == "frozen"]
    same = [p for p in truth if p["entity_id"] in by_customer.get(p["customer_id"], set())]
    variants: dict[str, list[int]] = {}
    for p in truth:
        row = variants.setdefault(p["variant"], [0, 0])
        row[1] += 1
        row[0] += p in alerted
    return {"planted": len(truth), "alerted": len(alerted), "frozen": len(frozen), "same_entity": len(same),
            "recall": round(len(alerted) / max(len(truth), 1), 3),
            "by_variant": {k: f"{a}/{n}" for k, (a, n) in sorted(variants.items())}}


def write_book_once(count: int, seed: int, listed: list[dict[str, Any]]) -> tuple[Path, dict[str, Any], float]:
    from tizim.customers.synthetic import write_book

    path = WORK / f"customers_book_{count}_{seed}.csv"
    started, cpu = time.perf_counter(), time.process_time()
    truth = write_book(path, count, seed, planted=len(listed), listed=listed)
    CPU["generate"] = time.process_time() - cpu
    return path, truth, time.perf_counter() - started


_ENGINES_ON_A_SAMPLE = """
import json, sys, time
from tizim import settings
url, n = sys.argv[1], int(sys.argv[2])
settings.override(database_url=url)
from sqlalchemy import select
from tizim.customers import tables as t
from tizim.customers.model import Customer
from tizim.customers.matching import SparkMatcher, jobs_for, match_local
from tizim.customers.screen import customers_among
from tizim.screening import get_screener
from tizim.store import transaction
with transaction(url) as conn:
    rows = conn.execute(select(t.customers.c.data).order_by(t.customers.c.customer_id).limit(n)).all()
customers = [Customer.from_stored(r.data) for r in rows]
known = customers_among(url, {ln.ref for c in customers for ln in [*c.owners, *c.directors]})
jobs = [j for c in customers for j in jobs_for(c, known)]
screener = get_screener()
started = time.perf_counter()
local = match_local(screener, jobs, 2)
local_s = time.perf_counter() - started
spark = SparkMatcher(url, screener)
started = time.perf_counter()
remote = spark.submit(jobs).result()
spark_s = time.perf_counter() - started
spark.close()
def key(res):
    return [sorted((r["entity_id"], round(r["score"], 4)) for r in found) for found, _ in res]
kl, ks = key(local), key(remote)
print(json.dumps({"customers": len(customers), "jobs": len(jobs), "local_seconds": round(local_s, 1),
                  "spark_seconds": round(spark_s, 1), "jobs_differing": sum(a != b for a, b in zip(kl, ks)),
                  "folds_differing": sum(a[1] != b[1] for a, b in zip(local, remote)),
                  "hits_local": sum(map(len, kl)), "hits_spark": sum(map(len, ks))}))
"""


def engines_on_a_sample(url: str, n: int) -> dict[str, Any]:
    """The same jobs through both engines in one process, one after the other (the working
    tree's code cannot change between them): every job's hits must be the same."""
    log(f"local and spark matching on the first {n} customers")
    env = dict(os.environ, TIZIM_DATABASE_URL=url, TIZIM_DATA_DIR=str(WORK / "no-data"),
               SPARK_LOCAL_IP="127.0.0.1")
    out = subprocess.run([sys.executable, "-c", _ENGINES_ON_A_SAMPLE, url, str(n)], env=env, cwd=ROOT,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"engine comparison failed:\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    log(f"  {result}")
    return result


# ---- the run ---------------------------------------------------------------------------------


def prepare_store(store: str, afm_v1: str) -> tuple[str, float]:
    """A fresh database of `store` holding every shared list and the AFM list's version 1."""
    url = fresh_db(store, f"tizim_bench_customers_{store}")
    log(f"{store}: loading the lists")
    return url, load_lists(url, afm_v1)


def run_store(store: str, url: str, args: argparse.Namespace, book: Path, truth: dict[str, Any],
              new_ids: set[str], afm_v2: str) -> dict[str, Any]:
    out: dict[str, Any] = {"store": store}
    planted_now = [p for p in truth["planted"] if p["entity_id"] not in new_ids]
    planted_new = [p for p in truth["planted"] if p["entity_id"] in new_ids]

    seconds, summary = tizim(url, "customers", "import", str(book))
    out["import"] = {"seconds": round(seconds, 1), "cpu_seconds": round(CPU["last"], 1), **summary}
    spark_url = copy_db(store, url, f"tizim_bench_customers_{store}_spark") if "spark" in args.engines else None

    out["index_build_seconds"] = round(build_index(url), 1)
    log(f"index built in {out['index_build_seconds']} s")
    if "local" in args.engines:
        seconds, report = tizim(url, "customers", "screen", "--workers", str(args.workers))
        hits, statuses = hits_and_statuses(url)
        others = args.count - len(truth["planted"])
        planted_ids = {p["customer_id"] for p in truth["planted"]}
        false_alerts = sum(1 for cid in statuses if cid not in planted_ids)
        # the customers frozen in error: accounts blocked, the costliest mistake for the customer
        false_freezes = sum(1 for cid, status in statuses.items() if status == "frozen" and cid not in planted_ids)
        out["screen_local"] = {"seconds": round(seconds, 1), "cpu_seconds": round(CPU["last"], 1), **report,
                               "hits": len(hits), "planted": found(planted_now, statuses, hits),
                               "new_found_before_listed": found(planted_new, statuses, hits)["alerted"],
                               "false_alert_rate": round(false_alerts / max(others, 1), 5),
                               "false_freezes": false_freezes,
                               "false_freeze_rate": round(false_freezes / max(others, 1), 5)}
    if spark_url is not None:
        out["index_build_seconds_spark_copy"] = round(build_index(spark_url), 1)
        seconds, report = tizim(spark_url, "customers", "screen", "--engine", "spark")
        s_hits, s_statuses = hits_and_statuses(spark_url)
        out["screen_spark"] = {"seconds": round(seconds, 1), "cpu_seconds_driver": round(CPU["last"], 1), **report}
        if "local" in args.engines:
            out["screen_spark"]["same_hits_as_local"] = s_hits == hits
            out["screen_spark"]["hits_only_local"] = len(hits - s_hits)
            out["screen_spark"]["hits_only_spark"] = len(s_hits - hits)
            out["screen_spark"]["same_statuses_as_local"] = s_statuses == statuses
        if store == "postgresql":
            from tizim.store import dispose_all

            dispose_all()
            _pg_admin(f'DROP DATABASE IF EXISTS "tizim_bench_customers_{store}_spark" WITH (FORCE)')

    if args.sample:
        out["engines_on_a_sample"] = engines_on_a_sample(url, args.sample)
    if "local" in args.engines:
        AFM_FILE.write_text(afm_v2, encoding="utf-8")
        seconds, imported = tizim(url, "lists", "import", str(AFM_FILE), "--source", "kz-afm")
        result = imported[0] if isinstance(imported, list) else imported
        followup = result.get("customers", {})
        hits, statuses = hits_and_statuses(url)
        out["delta"] = {"command_seconds": round(seconds, 1), "command_cpu_seconds": round(CPU["last"], 1),
                        "added": result.get("added"),
                        "rescreen_seconds": followup.get("seconds"), "candidates": followup.get("candidates"),
                        "alerts": followup.get("alerts"), "frozen": followup.get("frozen"),
                        "new_planted": found(planted_new, statuses, hits)}
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=MILLION)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--planted", type=int, default=200)
    parser.add_argument("--new-entries", type=int, default=100)
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--engines", default="local,spark")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=2000,
                        help="customers matched by both engines in one process (0: none)")
    args = parser.parse_args()
    args.stores = [s for s in args.stores.split(",") if s]
    args.engines = [e for e in args.engines.split(",") if e]
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "no-data").mkdir(exist_ok=True)
    load_before = os.getloadavg()
    from tizim.screening import compiled

    if not compiled.is_current():
        # a stale build runs the engine from source, about twice the CPU a customer: the
        # figures would measure that, not the engine `make install` ships
        raise SystemExit("the compiled screening engine is older than its source: run `make install` first")

    from tizim import settings
    from tizim.customers.synthetic import listed_from_registry

    afm_v1, afm_v2, new_listed = afm_versions(args.new_entries, args.seed)
    new_ids = {e["entity_id"] for e in new_listed}
    stores = []
    book: Path | None = None
    truth: dict[str, Any] = {}
    gen_seconds = 0.0
    for store in args.stores:
        url, lists_seconds = prepare_store(store, afm_v1)
        settings.override(database_url=url, data_dir=None)
        if book is None:
            # planted: persons of the sanctions lists as loaded, and some the next version adds
            listed = listed_from_registry(url, args.planted, args.seed)
            rng = random.Random(f"delta:{args.seed}")
            listed += rng.sample(new_listed, min(DELTA_PLANTED, len(new_listed)))
            book, truth, gen_seconds = write_book_once(args.count, args.seed, listed)
            log(f"book of {args.count} written in {gen_seconds:.1f} s")
        report = run_store(store, url, args, book, truth, new_ids, afm_v2)
        report["lists_load_seconds"] = round(lists_seconds, 1)
        stores.append(report)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "customers_scale.partial.json").write_text(json.dumps(stores, indent=2, default=str))
    load_after = os.getloadavg()

    scale = args.count / MILLION
    result = {"customers": args.count, "planted": len(truth["planted"]), "seed": args.seed,
              "generate_seconds": round(gen_seconds, 1), "generate_cpu_seconds": round(CPU.get("generate", 0), 1),
              "anchors_for_1m": ANCHORS, "stores": stores,
              "cpu_count": os.cpu_count(), "load_average_before": load_before, "load_average_after": load_after}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "customers_scale.json").write_text(json.dumps(result, indent=2, default=str))

    print(f"customer book of {args.count:,} ({len(truth['planted'])} planted); anchors scaled x{scale:g}"
          f"{' (projected to 1M: linear)' if args.count != MILLION else ''}")
    print(f"{'measure':44} {'seconds':>9} {'anchor':>8} {'ratio':>7} {'@1M proj':>9} {'CPU s':>8}")

    def line(label: str, seconds: float | None, anchor: float, scaled: bool = True,
             cpu: float | None = None) -> None:
        if seconds is None:
            print(f"{label:44} {'-':>9}")
            return
        target = anchor * scale if scaled else anchor
        proj = seconds / scale if scaled else seconds
        cpu_text = f"{cpu:8.1f}" if cpu is not None else ""
        print(f"{label:44} {seconds:9.1f} {target:8.1f} {target / max(seconds, 1e-9):7.2f} {proj:9.0f} {cpu_text}")
        if cpu is not None and scaled:
            # wall time on a shared machine says little; CPU seconds, spread over its cores, less so
            cores = os.cpu_count() or 1
            print(f"{'  ... CPU per customer, and at 1M on all cores':44} {cpu / args.count * 1000:8.3f} ms"
                  f" {cpu / scale / cores:>21.0f} s")

    line("write the synthetic book", gen_seconds, ANCHORS["generate"], cpu=CPU.get("generate"))
    for s in stores:
        name = s["store"]
        print(f"{name}: index of every list built and cached in {s.get('index_build_seconds')} s (apart)")
        line(f"{name}: customers import", s["import"]["seconds"], ANCHORS["import"], cpu=s["import"]["cpu_seconds"])
        local = s.get("screen_local")
        spark = s.get("screen_spark")
        if local:
            line(f"{name}: screen, in-process ({args.workers} workers)", local["seconds"], ANCHORS["screen"],
                 cpu=local["cpu_seconds"])
        if spark:
            line(f"{name}: screen, --engine spark (local[*])", spark["seconds"], ANCHORS["screen"])
        if local and spark:
            ratio = spark["seconds"] / max(local["seconds"], 1e-9)
            print(f"{name + ': spark / in-process (anchor <= 1.5)':44} {ratio:9.2f} {1.5:8.1f} {1.5 / ratio:7.2f}"
                  f"   same hits: {spark.get('same_hits_as_local')}"
                  f" (only local {spark.get('hits_only_local')}, only spark {spark.get('hits_only_spark')})")
        sample = s.get("engines_on_a_sample")
        if sample:
            print(f"  same jobs through both engines ({sample['jobs']} jobs of {sample['customers']} customers): "
                  f"{sample['jobs_differing']} differ; hits local {sample['hits_local']}, spark {sample['hits_spark']}; "
                  f"{sample['local_seconds']} s local, {sample['spark_seconds']} s spark")
        delta = s.get("delta")
        if delta:
            line(f"{name}: +{delta['added']} entries, re-screen the book", delta["rescreen_seconds"],
                 ANCHORS["rescreen"], scaled=False, cpu=delta["command_cpu_seconds"])
            print(f"{'  ... the whole lists import command':44} {delta['command_seconds']:9.1f}"
                  f"   candidates {delta['candidates']}, alerts {delta['alerts']}, frozen {delta['frozen']}")
        if local:
            p = local["planted"]
            print(f"  planted found {p['alerted']}/{p['planted']} (recall {p['recall']}, frozen {p['frozen']}, "
                  f"same entity {p['same_entity']}), false-alert rate {local['false_alert_rate']:.3%}, "
                  f"frozen in error {local['false_freezes']} ({local['false_freeze_rate']:.3%}); "
                  f"by spelling {p['by_variant']}")
        if delta:
            d = delta["new_planted"]
            print(f"  planted persons the new version lists, found by its re-screen: {d['alerted']}/{d['planted']} "
                  f"(frozen {d['frozen']}); found before they were listed: "
                  f"{local['new_found_before_listed'] if local else '-'}")
    print(f"load average before {load_before}, after {load_after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
