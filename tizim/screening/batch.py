"""Screening a file of queries in one go: the JSONL reader, the forked workers that share the
loaded index copy-on-write, and the compare file's pairs. The commands are in tizim/cli/screening.py."""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from tizim.errors import InputError
from tizim.screening.model import Query

_screener: Any = None  # the worker processes' screener, inherited through fork
_opts: dict[str, Any] = {}


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.exists():
        raise InputError("no such file", file=str(path))
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", file=str(path), line=lineno) from exc
            yield lineno, obj


def _query_key(q: Query) -> tuple[Any, ...]:
    """Queries equal in everything but their id get the same results."""
    return (q.schema, tuple(q.names), tuple(q.birth_dates), tuple(q.countries),
            tuple(q.identifiers))


def _results_json(q: Query) -> str:
    results = _screener.match(q, **_opts)
    return json.dumps([r.to_dict() for r in results], ensure_ascii=False)


def _screen_range(span: tuple[int, int]) -> list[str]:
    # runs in a forked worker: `_unique` and `_screener` are the parent's, shared copy-on-write
    return [_results_json(q) for q in _unique[span[0]:span[1]]]


def _line(qid: str | None, results_json: str) -> str:
    # the same text as json.dumps({"id": ..., "results": [...]}, ensure_ascii=False)
    return f'{{"id": {json.dumps(qid, ensure_ascii=False)}, "results": {results_json}}}'


_unique: list[Query] = []
CHUNK = 250


def screen_queries(queries: list[Query], out: TextIO, workers: int,
                   advance: Any = None) -> None:
    """Screen `queries` with the module's screener and options; one line each, in order.

    A query repeated in the file (same names, schema, dates, countries, identifiers) is
    screened once. With `workers` > 1 the unique queries are split into chunks screened by
    forked processes that share the index copy-on-write; output keeps the input order."""
    global _unique
    first: dict[tuple[Any, ...], int] = {}
    slot: list[int] = []  # the unique query each input line takes its results from
    last_use: list[int] = []
    _unique = []
    for pos, q in enumerate(queries):
        key = _query_key(q)
        u = first.get(key)
        if u is None:
            u = first[key] = len(_unique)
            _unique.append(q)
            last_use.append(pos)
        else:
            last_use[u] = pos
        slot.append(u)
    del first
    spans = [(a, min(a + CHUNK, len(_unique))) for a in range(0, len(_unique), CHUNK)]
    done: dict[int, str] = {}  # unique index -> results, kept until its last line is written
    written = 0

    def flush(upto: int) -> None:
        nonlocal written
        lines = []
        while written < len(queries) and slot[written] < upto:
            u = slot[written]
            lines.append(_line(queries[written].id, done[u]))
            if last_use[u] == written:
                del done[u]
            written += 1
        if lines:
            out.write("\n".join(lines) + "\n")
            if advance is not None:
                advance(len(lines))

    if workers > 1 and len(spans) > 1:
        gc.collect()
        gc.freeze()  # the index's objects stay out of the children's collections (no page copies)
        try:
            ctx = mp.get_context("fork")
            with ctx.Pool(min(workers, len(spans))) as pool:
                for (a, b), chunk in zip(spans, pool.imap(_screen_range, spans), strict=True):
                    done.update(zip(range(a, b), chunk, strict=True))
                    flush(b)
        finally:
            gc.unfreeze()
    else:
        for a, b in spans:
            done.update(zip(range(a, b), _screen_range((a, b)), strict=True))
            flush(b)
    _unique = []


def screen_file(input_path: Path, out: TextIO, threshold: float | None, limit: int,
                lists: list[str] | None, workers: int,
                loaded: Callable[[int], None] | None = None,
                advance: Callable[[int], None] | None = None) -> int:
    """Screen every line of a JSONL file; returns the number of queries. `loaded` is told the
    number of queries once the index is loaded, `advance` the lines written as they are."""
    global _screener, _opts
    from tizim.screening.engine import Screener

    queries = [Query.from_dict(obj, line=lineno, file=str(input_path))
               for lineno, obj in read_jsonl(input_path)]
    _screener = Screener.from_registry()
    _opts = {"threshold": threshold, "limit": limit, "lists": lists}
    if loaded is not None:
        loaded(len(queries))
    screen_queries(queries, out, workers, advance)
    return len(queries)


def read_pair(obj: dict[str, Any], lineno: int, file: str) -> tuple[Query, Query]:
    """A compare line: {"id","schema","name1","name2"} or {"id","entity1"/"a",...} FtM pair."""
    schema = obj.get("schema") or "Thing"
    if "name1" in obj or "name2" in obj:
        if not obj.get("name1") or not obj.get("name2"):
            raise InputError("a pair needs name1 and name2", file=file, line=lineno,
                             record=obj.get("id"), field="name2" if obj.get("name1") else "name1")
        return (Query.from_dict({"id": obj.get("id"), "schema": schema, "name": obj["name1"]}, lineno, file),
                Query.from_dict({"id": obj.get("id"), "schema": schema, "name": obj["name2"]}, lineno, file))
    for ka, kb in (("entity1", "entity2"), ("a", "b"), ("left", "right")):
        if ka in obj and kb in obj:
            return (Query.from_dict(obj[ka], lineno, file), Query.from_dict(obj[kb], lineno, file))
    raise InputError("a pair needs name1/name2 or entity1/entity2", file=file, line=lineno,
                     record=obj.get("id"))
