"""A Spark run's driver leaves out the names it knows reach nothing (NameMemo): every job's
hits and folds are the same as when all its names are matched, on Spark as in one process."""

from __future__ import annotations

import pytest

from tests.customers.helpers import designated_entities
from tizim.customers.matching import Job, NameMemo, jobs_for, learn_job, match_job, name_folds
from tizim.customers.model import parse_customer
from tizim.customers.synthetic import generate
from tizim.registry.model import Entity, Identifier
from tizim.screening import Screener

FLOOR = 0.7
PASSPORT = "N1234567"


@pytest.fixture(scope="module")
def entities_and_jobs() -> tuple[list[Entity], list[Job]]:
    entities, listed = designated_entities()
    entities[0].identifiers = [Identifier(type="passport", value=PASSPORT)]
    records = [{k: v for k, v in r.items() if not k.startswith("_")}
               for r in generate(600, seed=23, planted=20, listed=listed)]
    customers = [parse_customer(r, {"record": r["customer_id"]}) for r in records]
    return entities, [j for c in customers for j in jobs_for(c, set())]


def _key(found: tuple[list[dict[str, object]], list[str]]) -> tuple[list[tuple[object, object]], list[str]]:
    hits, folds = found
    return [(r["entity_id"], r["score"]) for r in hits], folds


def test_names_left_out_change_no_job(entities_and_jobs: tuple[list[Entity], list[Job]]) -> None:
    entities, jobs = entities_and_jobs
    expected = [_key(match_job(Screener.from_entities(entities), job, FLOOR)) for job in jobs]
    assert sum(bool(hits) for hits, _ in expected) >= 15  # the planted persons are found

    learner = Screener.from_entities(entities)
    memo = NameMemo(learner)
    for job, want in zip(jobs, expected, strict=True):
        found, learned = learn_job(learner, job, FLOOR)
        assert _key(found) == want, job  # learning changes nothing of the job's own result
        memo.learn(learned, job.schema)
    assert memo.known, "most names of a book reach nothing"

    fresh = Screener.from_entities(entities)  # no name's hits kept from the first pass
    for job, want in zip(jobs, expected, strict=True):
        kept, folds = memo.strip(job)
        got: tuple[list[dict[str, object]], list[str]]
        if kept is None:
            got = ([], sorted(set(folds)))
        else:
            hits, job_folds = match_job(fresh, kept, FLOOR)
            got = (hits, sorted({*job_folds, *folds}) if kept is not job else job_folds)
        assert _key(got) == want, job
    assert memo.names_dropped > memo.names_kept  # most names were not matched again


def test_a_job_with_a_listed_identifier_keeps_its_names(entities_and_jobs: tuple[list[Entity], list[Job]]) -> None:
    entities, jobs = entities_and_jobs
    screener = Screener.from_entities(entities)
    memo = NameMemo(screener)
    bare = Job("c-2", "name", "Person", ("Nobody Known",))
    _, learned = learn_job(screener, bare, FLOOR)
    memo.learn(learned, bare.schema)
    assert ("Nobody Known", "Person") in memo.known
    # left out, its folds given by the driver
    assert memo.strip(bare) == (None, sorted(name_folds(bare.names, "Person")))
    # the same name with a listed identifier: a hit under the floor may count, so it is sent
    job = Job("c-1", "name", "Person", ("Nobody Known",), identifiers=(("passport", PASSPORT),))
    assert memo.strip(job) == (job, [])


def test_a_memo_that_is_full_starts_again() -> None:
    memo = NameMemo(None, size=2)
    memo.learn([("a", ()), ("b", ())], "Person")
    memo.learn([("c", ())], "Person")
    assert list(memo.known) == [("c", "Person")]
