"""Matching customers' queries against the lists: in worker processes sharing the index
(`local`), or on Spark (`spark`), with the same results.

A run keeps one matcher for all its batches: the local workers are forked once, after the
index is loaded, so they share it page for page and pay for no start-up per batch; a Spark
worker keeps the index it loaded from the on-disk cache for the next tasks. `submit()` starts
a batch and returns at once, so the run writes one batch's results while the next is matched.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from tizim.customers.freezes import party_key
from tizim.customers.model import Customer
from tizim.settings import get_settings

CHUNK = 250  # queries per worker task
MAX_FOLD = 64
Found = tuple[list[dict[str, Any]], list[str]]  # one query's hits (plain data) and its name folds


@dataclass(frozen=True)
class Job:
    """One query of one customer: its own names, or an owner or director given by name."""

    customer_id: str
    via: str
    schema: str
    names: tuple[str, ...]
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()
    share: float | None = None  # an owner's share, when the book gives it

    def passes_freeze(self) -> bool:
        """A hit on the customer's own names freezes; through an owner of more than half
        (or of an unstated share) too, as funds owned or controlled by a designated person
        are frozen; through a director or a minority owner it alerts."""
        if self.via == "name":
            return True
        return self.via.startswith("owner:") and (self.share is None or self.share > 50)

    def query(self) -> Any:
        from tizim.screening import Query

        return Query(schema=self.schema, names=list(self.names), birth_dates=list(self.birth_dates),
                     countries=list(self.countries), identifiers=list(self.identifiers),
                     id=party_key(self.customer_id))


def jobs_for(customer: Customer, customer_ids: set[str]) -> list[Job]:
    """The queries of one customer; owners and directors that are customers of the book are
    screened as themselves and reach the organization through owner_hits()."""
    countries = tuple(dict.fromkeys(c for c in (customer.nationality, customer.country) if c))
    ids = ((customer.id_kind(), customer.id_number),) if customer.id_number else ()
    out = [Job(customer.customer_id, "name", customer.schema, tuple(customer.names),
               (customer.birth_date,) if customer.birth_date else (), countries, ids)]
    for link in [*customer.owners, *customer.directors]:
        if link.ref not in customer_ids:
            out.append(Job(customer.customer_id, f"{link.role}:{link.ref}", "LegalEntity", (link.ref,),
                           share=link.share))
    return out


def name_folds(names: Iterable[str], schema: str) -> set[str]:
    """The words of names as the engine folds them (what the delta rescreen looks up)."""
    from tizim.screening.normalize import fold_token, name_tokens

    tok_schema = None if schema in ("Thing", "LegalEntity") else schema
    out: set[str] = set()
    for name in names:
        for tok in name_tokens(name, tok_schema):
            fold = fold_token(tok)
            if fold:
                out.add(fold[:MAX_FOLD])
    return out


def payload(r: Any) -> dict[str, Any]:
    """What a hit needs of a Result, as plain data (it crosses process boundaries)."""
    return {"entity_id": r.entity_id, "caption": r.caption, "score": float(r.score),
            "designated": bool(getattr(r, "designated", True)),
            "lists": list(r.lists), "refs": dict(r.refs), "explanation": r.explanation,
            "members": list(getattr(r, "members", []) or [])}


def match_job(screener: Any, job: Job, floor: float) -> Found:
    results = [payload(r) for r in screener.match(job.query(), limit=5, floor=floor) if float(r.score) >= floor]
    folds = sorted(name_folds(job.names, job.schema)) if job.via == "name" else []
    return results, folds


class Matcher(Protocol):
    """Matches batches of jobs; `submit` returns at once, `result()` waits for the batch."""

    def submit(self, jobs: list[Job]) -> Future[list[Found]]: ...

    def close(self) -> None: ...


def _done(value: list[Found]) -> Future[list[Found]]:
    future: Future[list[Found]] = Future()
    future.set_result(value)
    return future


# ---- in this process, or in forked workers sharing the index --------------------------------

_screener: Any = None  # the workers' screener, inherited through fork


def _match_chunk(task: tuple[list[Job], float]) -> list[Found]:
    jobs, floor = task
    return [match_job(_screener, job, floor) for job in jobs]


class LocalMatcher:
    """`workers` processes forked once from this one, with its loaded screener; one worker
    (or one job) matches in this process."""

    def __init__(self, screener: Any, workers: int) -> None:
        self.screener = screener
        self.floor = get_settings().match_threshold
        self.workers = max(1, workers)
        self._pool: Any = None
        self._waiter: ThreadPoolExecutor | None = None
        self._frozen = False

    def _start(self) -> None:
        global _screener
        _screener = self.screener
        gc.collect()
        # the index stays shared with the children page for page, and is never traversed
        # by this process's collections while the run lasts
        gc.freeze()
        self._frozen = True
        self._pool = mp.get_context("fork").Pool(self.workers)
        self._waiter = ThreadPoolExecutor(1, thread_name_prefix="tizim-match")

    def submit(self, jobs: list[Job]) -> Future[list[Found]]:
        tasks = [(jobs[a:a + CHUNK], self.floor) for a in range(0, len(jobs), CHUNK)]
        if self.workers == 1 or len(tasks) < 2:
            return _done([match_job(self.screener, job, self.floor) for job in jobs])
        if self._pool is None:
            self._start()
        assert self._waiter is not None
        pending = self._pool.map_async(_match_chunk, tasks, chunksize=1)
        return self._waiter.submit(lambda: [found for part in pending.get() for found in part])

    def close(self) -> None:
        global _screener
        if self._waiter is not None:
            self._waiter.shutdown()
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        _screener = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def __enter__(self) -> LocalMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None and self._pool is not None:
            self._pool.terminate()
        self.close()


def match_local(screener: Any, jobs: list[Job], workers: int) -> list[Found]:
    """One batch of jobs, matched at once (the delta rescreen, tests, the bench)."""
    with LocalMatcher(screener, workers) as matcher:
        return matcher.submit(jobs).result()


# ---- on Spark ----------------------------------------------------------------------------------

_spark_screeners: dict[str, Any] = {}  # a Python worker's screener, kept for its next tasks


def _spark_screener(url: str) -> Any:
    from tizim import settings
    from tizim.registry.service import Registry
    from tizim.screening.engine import Screener

    settings.override(database_url=url)
    token = Registry(url).state_token()
    key = f"{url} {token}"
    if key not in _spark_screeners:
        _spark_screeners.clear()
        _spark_screeners[key] = Screener.from_registry(url)  # from the on-disk index cache
    return _spark_screeners[key]


def _spark_partition(rows: Iterable[tuple[int, Job]], url: str, floor: float) -> Iterator[tuple[int, Found]]:
    screener = None
    for pos, job in rows:
        if screener is None:
            screener = _spark_screener(url)
        yield pos, match_job(screener, job, floor)


class SparkMatcher:
    """The same matching on Spark (local mode here; a cluster through SPARK_MASTER or
    spark-submit). Python workers are reused between tasks, so each loads the index once."""

    def __init__(self, url: str) -> None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        from tizim.screening.index import load_index

        load_index(url)  # build or refresh the cache once, here
        self.url = url
        active = SparkSession.getActiveSession()
        self.owned = active is None
        self.spark = active or (SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
                                .appName("tizim-customers").config("spark.ui.enabled", "false")
                                .config("spark.python.worker.reuse", "true")
                                .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        self._driver = ThreadPoolExecutor(1, thread_name_prefix="tizim-spark")

    def _run(self, jobs: list[Job]) -> list[Found]:
        sc = self.spark.sparkContext
        url, floor = self.url, get_settings().match_threshold
        parts = max(1, min(len(jobs) // CHUNK, sc.defaultParallelism * 4)) if jobs else 1
        rdd = sc.parallelize(list(enumerate(jobs)), parts)
        got = rdd.mapPartitions(lambda rows: _spark_partition(rows, url, floor)).collect()
        out: list[Found] = [([], [])] * len(jobs)
        for pos, found in got:
            out[pos] = found
        return out

    def submit(self, jobs: list[Job]) -> Future[list[Found]]:
        return self._driver.submit(self._run, jobs)

    def __call__(self, jobs: list[Job]) -> list[Found]:
        return self._run(jobs)

    def close(self) -> None:
        self._driver.shutdown()
        if self.owned:
            self.spark.stop()


def matcher_for(engine: str, url: str, screener: Any, workers: int) -> Matcher:
    return SparkMatcher(url) if engine == "spark" else LocalMatcher(screener, workers)

