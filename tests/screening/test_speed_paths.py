"""The fast paths give what the plain ones give: the index read from stored JSON and from the
on-disk cache, schema-filtered candidates, the batch with forked workers and repeated queries.
(How fast they are is measured in bench/screening_speed.py.)"""

from __future__ import annotations

import dataclasses
import heapq
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.screening.test_cli import load_sample
from tizim.registry.model import Designation, Entity, Name, ParsedList
from tizim.registry.service import Registry
from tizim.screening import Query, Screener, batch
from tizim.screening import engine as engine_module
from tizim.screening.index import (
    Index,
    build_from_registry,
    cache_path,
    flush_cache_writes,
    load_index,
    with_list_kinds,
)

_FIELDS = ("cluster_by_id", "member_cluster", "cluster_family", "cluster_schema", "cluster_lists",
           "cluster_years", "rec_cluster", "rec_tokens", "rec_name", "rec_kind", "rec_glued",
           "rec_total", "vocab", "vocab_id", "vocab_weight", "vocab_generic", "postings", "skeletons", "deletes",
           "acronyms", "entity_count")

QUERIES = [
    Query(schema="Organization", names=["Islamic Movement of Uzbekistan"]),
    Query(schema="Organization", names=["IMU"]),
    Query(schema="Person", names=["Aiman al-Zawahiri"], birth_dates=["1951-06-19"], countries=["eg"]),
    Query(schema="Person", names=["Жумабек Сеиткалиев"]),
    Query(schema="Thing", names=["Zawahiri"]),
    Query(schema="LegalEntity", names=["Muhammad Hassan"]),
    Query(schema="Vessel", names=["Zawahiri Star"]),
    Query(schema="Person", names=["Jane Q. Nobody"]),
]


def _same_index(a: Index, b: Index) -> None:
    for name in _FIELDS:
        assert getattr(a, name) == getattr(b, name), name
    assert [dataclasses.asdict(c) for c in a.clusters] == [dataclasses.asdict(c) for c in b.clusters]


def _results(screener: Screener, **kwargs: object) -> list[list[dict]]:
    return [[dataclasses.asdict(r) for r in screener.match(q, **kwargs)] for q in QUERIES]  # type: ignore[arg-type]


def test_index_from_stored_json_equals_index_from_entities(sqlite_url: str) -> None:
    load_sample(sqlite_url)
    registry = Registry(sqlite_url)
    from_models = with_list_kinds(Index.build(list(registry.iter_entities()),
                                              [(r["source_id"], r["target_id"])
                                               for r in registry.iter_relationships(kinds=["same_as"])]),
                                  sqlite_url)
    from_rows = build_from_registry(sqlite_url)
    _same_index(from_models, from_rows)


def test_cache_is_written_reused_and_invalidated(sqlite_url: str) -> None:
    load_sample(sqlite_url)
    path = cache_path(sqlite_url)
    assert path is not None and path.parent == Path(sqlite_url.removeprefix("sqlite:///")).parent
    first = load_index(sqlite_url)
    flush_cache_writes()  # written in the background
    assert path.exists()
    stamp = path.stat().st_mtime_ns
    second = load_index(sqlite_url)
    assert path.stat().st_mtime_ns == stamp  # read, not rebuilt
    _same_index(first, second)
    assert _results(Screener(first)) == _results(Screener(second))
    assert first.state_token == second.state_token == Registry(sqlite_url).state_token()

    # a new list version: another key, a rebuilt index that knows the new entry
    new = Entity(id="kz:new1", schema="Person", names=[Name(full="Bakhytzhan Tursynbekov")],
                 designations=[Designation(list_name="kz-extra", reference="N1")])
    Registry(sqlite_url).import_parsed(ParsedList(list_name="kz-extra", source_file="x.fixture",
                                                  file_hash="h-x", entities=[new]))
    third = load_index(sqlite_url)
    assert "kz:new1" in third.cluster_by_id and "kz:new1" not in first.cluster_by_id
    assert third.state_token != first.state_token

    # a damaged file is rebuilt, not trusted
    flush_cache_writes()
    path.write_bytes(path.read_bytes()[:100])
    fourth = load_index(sqlite_url)
    _same_index(third, fourth)


def test_screener_from_registry_uses_current_lists(sqlite_url: str) -> None:
    load_sample(sqlite_url)
    cached = Screener.from_registry(sqlite_url)  # writes the cache
    again = Screener.from_registry(sqlite_url)  # reads it
    fresh = Screener(build_from_registry(sqlite_url))
    assert _results(again) == _results(fresh) == _results(cached)
    assert again.token == Registry(sqlite_url).state_token()


def _reference_candidates(screener: Screener, q: object, allowed: object) -> list[int]:
    """Candidate generation as first written: every posting, filtered afterwards."""
    idx = screener.index
    acc: dict[int, float] = {}
    weights = q.weights  # type: ignore[attr-defined]
    has_strong = any(w >= 0.3 for w in weights)
    for i, exp in enumerate(q.exps):  # type: ignore[attr-defined]
        if has_strong and weights[i] < 0.3:
            continue
        for t, s in exp.items():
            for rid in idx.postings[t]:
                acc[rid] = acc.get(rid, 0.0) + s * weights[i]
    keep = [rid for rid in acc if allowed(idx.rec_cluster[rid])]  # type: ignore[operator]
    if len(keep) > engine_module.CANDIDATES:
        keep = heapq.nlargest(engine_module.CANDIDATES, keep, key=acc.__getitem__)
    return keep


@given(st.lists(st.one_of(st.sampled_from([0.0, 0.1, 0.35, 0.5, 1.0]),
                         st.floats(0, 2, allow_nan=False)), max_size=120),
       st.integers(1, 40))
def test_top_positions_are_nlargest(ranks: list[float], n: int) -> None:
    """The candidates' one-pass top selection gives what heapq.nlargest gives, ties
    (common: names met on the same words) in first-seen order."""
    assert engine_module.top_positions(ranks, n) == heapq.nlargest(n, range(len(ranks)), key=ranks.__getitem__)


@pytest.mark.parametrize("filters", [
    {}, {"lists": ["un-sc"]}, {"exclude_lists": ["us-ofac-sdn"]}, {"exclude_ids": ["un-sc:QDi.006"]},
])
def test_schema_filtered_candidates_equal_filtering_afterwards(screener: Screener, filters: dict) -> None:
    for query in QUERIES:
        allowed = screener._allowed(query.schema, filters.get("lists"), filters.get("exclude_lists"),
                                    filters.get("exclude_ids"))
        for name in query.names:
            q = screener._prepare(name, query.schema)
            assert q is not None
            assert screener._candidates(q, allowed) == _reference_candidates(screener, q, allowed)


def test_vocabulary_order_does_not_depend_on_string_hashing() -> None:
    code = ("from tests.screening.conftest import sample_entities as s;"
            "from tizim.screening.index import Index;"
            "print(Index.build(s()).vocab)")
    root = Path(__file__).resolve().parents[2]
    outs = {subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout
            for seed in ("1", "2", "3")}
    assert len(outs) == 1


def test_batch_workers_and_repeated_queries_give_the_plain_results(sqlite_url: str) -> None:
    load_sample(sqlite_url)
    screener = Screener.from_registry(sqlite_url)
    queries = []
    for n in range(600):  # more than two chunks, every query several times
        base = QUERIES[n % len(QUERIES)]
        queries.append(dataclasses.replace(base, id=f"q{n}"))
    opts: dict[str, Any] = {"threshold": None, "limit": 5, "lists": None}
    expected = "".join(json.dumps({"id": q.id, "results": [r.to_dict() for r in screener.match(q, **opts)]},
                                  ensure_ascii=False) + "\n" for q in queries)
    batch._screener = screener
    batch._opts = opts
    for workers in (1, 2):
        out = io.StringIO()
        batch.screen_queries(queries, out, workers)
        assert out.getvalue() == expected, workers

