"""The in-process matcher's workers: the results of one process, a name always matched by the
same worker (which keeps its hits), and a failing or dying worker reported, never waited for."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.customers.helpers import designated_entities
from tizim.customers.matching import Job, LocalMatcher, jobs_for, match_local, route_key
from tizim.customers.model import parse_customer
from tizim.customers.synthetic import generate
from tizim.screening import Screener


@pytest.fixture(scope="module")
def screener_and_jobs() -> tuple[Screener, list[Job]]:
    entities, listed = designated_entities()
    records = [{k: v for k, v in r.items() if not k.startswith("_")}
               for r in generate(900, seed=17, planted=25, listed=listed)]
    customers = [parse_customer(r, {"record": r["customer_id"]}) for r in records]
    return Screener.from_entities(entities), [j for c in customers for j in jobs_for(c, set())]


def _found(results: list[tuple[list[dict[str, object]], list[str]]]) -> list[object]:
    return [([(r["entity_id"], r["score"]) for r in found], folds) for found, folds in results]


def test_workers_find_what_one_process_finds(screener_and_jobs: tuple[Screener, list[Job]]) -> None:
    screener, jobs = screener_and_jobs
    assert len(jobs) > 3 * 250  # several tasks a worker
    alone = match_local(screener, jobs, 1)
    assert sum(1 for found, _ in alone if found) >= 20  # the planted customers
    assert _found(match_local(screener, jobs, 2)) == _found(alone)
    assert _found(match_local(screener, jobs, 3)) == _found(alone)


def test_namesakes_are_routed_to_one_worker() -> None:
    a = Job("C1", "name", "Person", ("МОРОЗОВА ВИОЛЕТТА АНДРЕЕВНА", "MOROZOVA VIOLETTA"))
    b = Job("C2", "name", "Person", ("МОРОЗОВА ВИОЛЕТТА ИГОРЕВНА", "MOROZOVA VIOLETTA"))
    assert route_key(a) == route_key(b) == "MOROZOVA VIOLETTA"


def test_a_failing_job_fails_its_batch_with_the_reason(screener_and_jobs: tuple[Screener, list[Job]]) -> None:
    screener, jobs = screener_and_jobs
    bad = Job("C9", "name", "NoSuchSchema", ("Some Name",))
    with LocalMatcher(screener, 2) as matcher, pytest.raises(RuntimeError, match="matching failed in a worker"):
        matcher.submit([*jobs[:600], bad]).result(timeout=120)


def test_a_dead_worker_is_reported_not_waited_for(screener_and_jobs: tuple[Screener, list[Job]]) -> None:
    screener, jobs = screener_and_jobs
    with LocalMatcher(screener, 2) as matcher:
        matcher.submit(jobs[:600]).result(timeout=120)  # the workers are up
        os.kill(matcher._procs[0].pid, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="worker died"):
            matcher.submit(jobs * 2).result(timeout=120)
        assert time.monotonic() - started < 60
