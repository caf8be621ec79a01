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
import queue
import sys
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

from tizim.customers.freezes import party_key
from tizim.customers.model import Customer
from tizim.settings import get_settings

CHUNK = 250  # queries per worker task
GC_YOUNG = 100_000  # allocations between young collections during a book's run (default 700)
MAX_FOLD = 64
FOLDS_CACHE_MAX = 300_000  # names whose folds a worker keeps (a few hundred bytes each)
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
    tok_schema = None if schema in ("Thing", "LegalEntity") else schema
    out: set[str] = set()
    for name in names:
        out.update(_folds(name, tok_schema))
    return out


@lru_cache(maxsize=FOLDS_CACHE_MAX)
def _folds(name: str, tok_schema: str | None) -> tuple[str, ...]:
    """One name's folds, kept: a book repeats names (namesakes, a Latin spelling shared by
    many Cyrillic ones), and folding was a tenth of a worker's time."""
    from tizim.screening.normalize import fold_token, name_tokens

    return tuple(fold[:MAX_FOLD] for tok in name_tokens(name, tok_schema) for fold in (fold_token(tok),) if fold)


def payload(r: Any) -> dict[str, Any]:
    """What a hit needs of a Result, as plain data (it crosses process boundaries)."""
    return {"entity_id": r.entity_id, "caption": r.caption, "score": float(r.score),
            "designated": bool(getattr(r, "designated", True)),
            "lists": list(r.lists), "refs": dict(r.refs), "explanation": r.explanation,
            "members": list(getattr(r, "members", []) or [])}


def job_hits(screener: Any, job: Job, floor: float) -> list[dict[str, Any]]:
    return [payload(r) for r in screener.match(job.query(), limit=5, floor=floor) if float(r.score) >= floor]


def match_job(screener: Any, job: Job, floor: float) -> Found:
    folds = sorted(name_folds(job.names, job.schema)) if job.via == "name" else []
    return job_hits(screener, job, floor), folds


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


def route_key(job: Job) -> str:
    """What sends a job to a worker: its shortest name (a person's Latin spelling without the
    father's name, shared by namesakes whatever their patronymic), so that a name met again
    reaches the worker that keeps its hits (Screener keeps a book run's hits per name)."""
    return min(job.names, key=len) if job.names else ""


def _serve(tasks: Any, results: Any) -> None:
    """A worker: match the tasks of its queue until told to stop (None)."""
    while True:
        task = tasks.get()
        if task is None:
            return
        batch, positions, jobs, floor = task
        try:
            results.put((batch, positions, [match_job(_screener, job, floor) for job in jobs], None))
        except BaseException as exc:  # the batch fails, the run says why; the worker goes on
            results.put((batch, positions, None, f"{type(exc).__name__}: {exc}"))


class _Batch:
    def __init__(self, size: int, parts: int) -> None:
        self.found: list[Found] = [([], [])] * size
        self.left = parts
        self.future: Future[list[Found]] = Future()


class LocalMatcher:
    """`workers` processes forked once from this one, with its loaded screener; one worker
    (or one job) matches in this process. Each worker has its own queue, and a job goes to
    the worker its names route it to (`route_key`): the same name, met again, is matched
    by the worker that already holds its hits."""

    def __init__(self, screener: Any, workers: int) -> None:
        self.screener = screener
        self.floor = get_settings().match_threshold
        self.workers = max(1, workers)
        self._procs: list[Any] = []
        self._queues: list[Any] = []
        self._results: Any = None
        self._collector: threading.Thread | None = None
        self._batches: dict[int, _Batch] = {}
        self._lock = threading.Lock()
        self._next = 0
        self._frozen = False
        self._closing = False
        self._broken = ""
        self._senders: list[threading.Thread] = []
        self._outboxes: list[queue.Queue[Any]] = []

    def _start(self) -> None:
        global _screener
        _screener = self.screener
        gc.collect()
        # the index stays shared with the children page for page, and is never traversed
        # by this process's collections while the run lasts
        gc.freeze()
        self._frozen = True
        ctx = mp.get_context("fork")
        self._results = ctx.SimpleQueue()
        for _ in range(self.workers):
            pipe = ctx.SimpleQueue()
            proc = ctx.Process(target=_serve, args=(pipe, self._results), daemon=True)
            proc.start()
            self._queues.append(pipe)
            self._procs.append(proc)
        self._collector = threading.Thread(target=self._collect, name="tizim-match", daemon=True)
        self._collector.start()
        for w in range(self.workers):
            self._outboxes.append(queue.Queue())
            self._senders.append(threading.Thread(target=self._send, args=(w,), name=f"tizim-match-send-{w}",
                                                  daemon=True))
            self._senders[-1].start()

    def _collect(self) -> None:
        reader = self._results._reader
        while True:
            if not reader.poll(1.0):
                procs = self._procs
                dead = [p.exitcode for p in procs if p.exitcode is not None]
                if self._closing and len(dead) == len(procs):
                    return
                if dead and not self._closing:
                    self._fail_all(f"a matching worker died (exit code {dead[0]})")
                    return
                continue
            got = self._results.get()
            if got is None:
                return
            batch_id, positions, found, error = got
            with self._lock:
                batch = self._batches.get(batch_id)
                if batch is None:  # a failed batch's other parts
                    continue
                if error is not None:
                    del self._batches[batch_id]
                    batch.future.set_exception(RuntimeError(f"matching failed in a worker: {error}"))
                    continue
                for pos, item in zip(positions, found, strict=True):
                    batch.found[pos] = item
                batch.left -= 1
                if batch.left == 0:
                    del self._batches[batch_id]
                    batch.future.set_result(batch.found)

    def _fail_all(self, why: str) -> None:
        with self._lock:
            batches, self._batches = self._batches, {}
            self._broken = why
        for batch in batches.values():
            batch.future.set_exception(RuntimeError(why))

    def _send(self, w: int) -> None:
        """Writes worker `w`'s tasks to its pipe, which holds a task or two: a thread a worker,
        so that no worker waits behind another's full pipe (a daemon: a dead worker's pipe
        would block it for ever, and the collector reports that worker)."""
        outbox, pipe = self._outboxes[w], self._queues[w]
        while True:
            task = outbox.get()
            if task is None:
                return
            try:
                pipe.put(task)
            except (OSError, ValueError) as exc:
                self._fail_all(f"a matching worker cannot be reached: {exc}")
                return

    def submit(self, jobs: list[Job]) -> Future[list[Found]]:
        if self.workers == 1 or len(jobs) <= CHUNK:
            return _done([match_job(self.screener, job, self.floor) for job in jobs])
        if not self._procs:
            self._start()
        routed: list[list[int]] = [[] for _ in range(self.workers)]
        for pos, job in enumerate(jobs):
            routed[hash(route_key(job)) % self.workers].append(pos)
        parts = [(w, part[a:a + CHUNK]) for w, part in enumerate(routed) for a in range(0, len(part), CHUNK)]
        with self._lock:
            if self._broken:
                raise RuntimeError(self._broken)
            batch_id, self._next = self._next, self._next + 1
            batch = self._batches[batch_id] = _Batch(len(jobs), len(parts))
        # sent from a thread of its own, as a Pool does: a worker's pipe holds a task or two,
        # and this thread writes the batch before while the workers match this one
        for w, positions in parts:
            self._outboxes[w].put((batch_id, positions, [jobs[p] for p in positions], self.floor))
        return batch.future

    def close(self, kill: bool = False) -> None:
        global _screener
        self._closing = True
        kill = kill or bool(self._broken)  # a dead worker's pipe takes no more
        for outbox in self._outboxes:
            outbox.put(None)
        if not kill:
            for sender in self._senders:
                sender.join()
        for proc in self._procs:
            if kill:
                proc.terminate()
        if not kill:
            for pipe in self._queues:
                pipe.put(None)
        for proc in self._procs:
            proc.join()
        if self._collector is not None:
            if not kill:
                self._results.put(None)
            self._collector.join(timeout=5)  # (a worker killed mid-write leaves no end mark)
        self._procs, self._queues, self._collector, self._senders, self._outboxes = [], [], None, [], []
        _screener = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def __enter__(self) -> LocalMatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(kill=exc[0] is not None)


def match_local(screener: Any, jobs: list[Job], workers: int) -> list[Found]:
    """One batch of jobs, matched at once (the delta rescreen, tests, the bench)."""
    with LocalMatcher(screener, workers) as matcher:
        return matcher.submit(jobs).result()


# ---- on Spark ----------------------------------------------------------------------------------

MEMO_MAX = 2_000_000  # names a Spark run's driver knows reach nothing (a few hundred bytes each)
Learned = list[tuple[str, tuple[str, ...]]]  # names found to reach nothing, with their folds


class NameMemo:
    """The names a run has found reach no listed party, kept by the driver of a Spark run.

    The local engine sends a name met again to the worker that keeps its hits (`route_key`);
    Spark chooses the worker of a task itself, so each of its workers would match every
    common name once. Instead a worker says which of a job's names reach nothing at the
    floor (most of a book's names), and the driver sends no such name again: hits are the
    best of each name's hits, so a name that reaches nothing adds nothing to a job. A job
    whose identifier is listed keeps all its names (a hit under the floor may count then)."""

    def __init__(self, screener: Any, size: int = MEMO_MAX) -> None:
        self.screener = screener
        self.size = size
        self.known: dict[tuple[str, str], tuple[str, ...]] = {}  # (name, schema) -> its folds
        self.names_kept = self.names_dropped = 0

    def strip(self, job: Job) -> tuple[Job | None, list[str]]:
        """The job without the names known to reach nothing (None: no name left), and the
        folds of those names (what `match_job` would have given the job for them)."""
        if job.identifiers and self.screener.identifier_listed(job.identifiers):
            return job, []
        kept: list[str] = []
        folds: list[str] = []
        for name in job.names:
            got = self.known.get((name.strip(), job.schema))
            if got is None:
                kept.append(name)
            elif job.via == "name":
                folds.extend(got)
        self.names_kept += len(kept)
        self.names_dropped += len(job.names) - len(kept)
        if len(kept) == len(job.names):
            return job, []
        return (replace(job, names=tuple(kept)) if kept else None), folds

    def learn(self, learned: Learned, schema: str) -> None:
        if len(self.known) >= self.size:
            self.known.clear()
        for name, folds in learned:
            self.known[(name, schema)] = folds


def learn_job(screener: Any, job: Job, floor: float) -> tuple[Found, Learned]:
    """match_job(), and which of the job's names the screener now knows reach nothing (only
    names as Query holds them: a name cut to length is never left out)."""
    from tizim.screening.normalize import bound_name

    hits = job_hits(screener, job, floor)
    # each name's folds once: the job's are their union (as name_folds() gives them)
    folds_of = {name: name_folds([name], job.schema) for name in job.names}
    folds = sorted(set().union(*folds_of.values())) if job.via == "name" else []
    learned: Learned = []
    for name in job.names:
        held, cut = bound_name(name.strip())
        if held and not cut and screener.reaches_nothing(held, job.schema, floor):
            learned.append((held, tuple(sorted(folds_of[name]))))
    return (hits, folds), learned

INDEX_URL_VARIABLE = "TIZIM_SPARK_INDEX_URL"  # the index a Spark daemon loads (spark_daemon.py)
_spark_screeners: dict[str, Any] = {}  # a Python worker's screener, kept for its next tasks


def spark_screener(url: str) -> Any:
    """The screener of a Spark Python worker, kept for its next tasks (or loaded by the
    daemon that forked it: spark_daemon.py)."""
    from tizim import settings
    from tizim.registry.service import Registry
    from tizim.screening.engine import Screener

    settings.override(database_url=url)
    token = Registry(url).state_token()
    key = f"{url} {token}"
    if key not in _spark_screeners:
        _spark_screeners.clear()
        gc.unfreeze()
        _spark_screeners[key] = Screener.from_registry(url)  # from the on-disk index cache
        # as in the local engine's workers: the index is never traversed by collections,
        # and young collections are rarer (a job's hits and results live until it is sent)
        gc.collect()
        gc.freeze()
        young, *older = gc.get_threshold()
        gc.set_threshold(max(young, GC_YOUNG), *older)
    return _spark_screeners[key]


def _spark_partition(rows: Iterable[tuple[int, Job]], url: str,
                     floor: float) -> Iterator[tuple[int, Found, Learned]]:
    screener = None
    for pos, job in rows:
        if screener is None:
            screener = spark_screener(url)
        found, learned = learn_job(screener, job, floor)
        yield pos, found, learned
    if screener is not None:
        # a reused PySpark worker runs a full gc.collect() after every task, which traversed
        # this worker's caches (each name's hits and folds: hundreds of thousands of objects
        # by the end of a book) again and again: a tenth of its time at 100,000 customers,
        # more as the caches grow. What the task leaves alive is put out of the collector's
        # reach, as the loaded index is (the young generations collected first).
        gc.collect(1)
        gc.freeze()


class SparkMatcher:
    """The same matching on Spark (local mode here; a cluster through SPARK_MASTER or
    spark-submit). Python workers are reused between tasks, so each loads the index once;
    the driver leaves out of each job the names it has learnt reach nothing (NameMemo)."""

    def __init__(self, url: str, screener: Any) -> None:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        from tizim.screening.index import load_index

        load_index(url)  # build or refresh the cache once, here
        self.url = url
        self.memo = NameMemo(screener)
        active = SparkSession.getActiveSession()
        self.owned = active is None
        # the Python workers fork from a daemon that has loaded the index (spark_daemon.py):
        # they share it page for page, as the local engine's workers do
        self.spark = active or (SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[*]"))
                                .appName("tizim-customers").config("spark.ui.enabled", "false")
                                .config("spark.python.worker.reuse", "true")
                                .config("spark.python.daemon.module", "tizim.customers.spark_daemon")
                                .config(f"spark.executorEnv.{INDEX_URL_VARIABLE}", url)
                                .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")
        # two Spark jobs at a time: the executors that end their part of one batch take the
        # next batch's tasks instead of waiting for the last task of the first
        self._driver = ThreadPoolExecutor(2, thread_name_prefix="tizim-spark")

    def _run(self, jobs: list[Job], sent: list[tuple[int, Job]], folds: dict[int, list[str]]) -> list[Found]:
        sc = self.spark.sparkContext
        url, floor = self.url, get_settings().match_threshold
        out: list[Found] = [([], sorted(set(folds.get(pos, ())))) for pos in range(len(jobs))]
        if not sent:
            return out
        parts = max(1, min(len(sent) // CHUNK, sc.defaultParallelism * 4))
        rdd = sc.parallelize(sent, parts)
        got = rdd.mapPartitions(lambda rows: _spark_partition(rows, url, floor)).collect()
        for pos, (hits, job_folds), learned in got:
            out[pos] = (hits, sorted({*job_folds, *folds[pos]}) if pos in folds else job_folds)
            if learned:
                self.memo.learn(learned, jobs[pos].schema)
        return out

    def submit(self, jobs: list[Job]) -> Future[list[Found]]:
        sent: list[tuple[int, Job]] = []
        folds: dict[int, list[str]] = {}
        for pos, job in enumerate(jobs):
            kept, dropped = self.memo.strip(job)
            if kept is not None:
                sent.append((pos, kept))
            if dropped or kept is None:
                folds[pos] = dropped
        return self._driver.submit(self._run, jobs, sent, folds)

    def close(self) -> None:
        self._driver.shutdown()
        if self.owned:
            self.spark.stop()


def matcher_for(engine: str, url: str, screener: Any, workers: int) -> Matcher:
    return SparkMatcher(url, screener) if engine == "spark" else LocalMatcher(screener, workers)

