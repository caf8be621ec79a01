"""`tizim screen`, `tizim compare`, `tizim screen-text`, `tizim dismiss`."""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from tizim.errors import InputError
from tizim.output import print_json, print_table, progress
from tizim.screening.model import Query

_screener: Any = None  # the worker processes' screener, inherited through fork
_opts: dict[str, Any] = {}


def _split_lists(lists: str | None) -> list[str] | None:
    """The --lists option: names the registry knows (an unknown name is an error, never an empty result)."""
    if lists is None:
        return None
    names = [x.strip() for x in lists.split(",") if x.strip()]
    if not names:
        raise InputError("--lists is empty: give comma-separated list names", field="--lists")
    from tizim.registry.service import Registry

    return Registry().check_lists(names)


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
                lists: list[str] | None, workers: int) -> int:
    """Screen every line of a JSONL file; returns the number of queries."""
    global _screener, _opts
    from tizim.screening.engine import Screener

    queries = [Query.from_dict(obj, line=lineno, file=str(input_path))
               for lineno, obj in read_jsonl(input_path)]
    with progress() as bar:
        task = bar.add_task("loading the index", total=None)
        _screener = Screener.from_registry()
        _opts = {"threshold": threshold, "limit": limit, "lists": lists}
        bar.update(task, description="screening", total=len(queries), completed=0)
        screen_queries(queries, out, workers, lambda n: bar.advance(task, n))
    return len(queries)


def _counted(names: int) -> None:
    """Add a run's names to the screening volume the dashboard shows (volume.py)."""
    from tizim.screening import volume
    from tizim.store import transaction

    with transaction() as conn:
        volume.add(conn, "cli", names)


def register(app: typer.Typer) -> None:
    @app.command("screen")
    def screen(
        name: Annotated[str | None, typer.Option("--name", help="A name to screen.")] = None,
        schema: Annotated[str, typer.Option("--schema", help="Person, Organization, Vessel, ... or Thing.")] = "Thing",
        birth_date: Annotated[str | None, typer.Option("--birth-date")] = None,
        country: Annotated[str | None, typer.Option("--country")] = None,
        input_path: Annotated[Path | None, typer.Option("--input", help="JSONL queries.")] = None,
        output: Annotated[Path | None, typer.Option("--output", help="JSONL results (default stdout).")] = None,
        threshold: Annotated[float | None, typer.Option("--threshold")] = None,
        limit: Annotated[int, typer.Option("--limit")] = 10,
        lists: Annotated[str | None, typer.Option("--lists", help="Comma-separated list names.")] = None,
        workers: Annotated[int, typer.Option("--workers", help="Processes for --input (default: CPUs).")] = 0,
        engine: Annotated[str, typer.Option("--engine", help="local or spark (for --input).")] = "local",
        as_json: Annotated[bool, typer.Option("--json", help="JSON instead of a table (--name).")] = False,
    ) -> None:
        """Screen a name, or a JSONL file of queries, against the lists."""
        wanted = _split_lists(lists)
        if input_path is not None:
            if engine == "spark":
                from tizim.screening.spark import screen_with_spark

                if output is None:
                    raise InputError("--engine spark needs --output", field="--output")
                _counted(screen_with_spark(input_path, output, threshold, limit, wanted))
                return
            if engine != "local":
                raise InputError(f"unknown engine {engine!r} (local or spark)", field="--engine")
            n_workers = workers or (os.cpu_count() or 1)
            if output is not None:
                with output.open("w", encoding="utf-8") as fh:
                    _counted(screen_file(input_path, fh, threshold, limit, wanted, n_workers))
            else:
                _counted(screen_file(input_path, sys.stdout, threshold, limit, wanted, n_workers))
            return
        if not name:
            raise InputError("give --name or --input", field="--name")
        from tizim.screening.engine import Screener

        if birth_date and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", birth_date.strip()):
            raise InputError(f"--birth-date {birth_date!r} is not an ISO date like 1957-07-30 (or 1957-07, 1957)",
                             field="--birth-date")
        query = Query(schema=schema, names=[name], birth_dates=[birth_date] if birth_date else [],
                      countries=[country] if country else [])
        results = Screener.from_registry().match(query, threshold=threshold, limit=limit, lists=wanted)
        _counted(1)
        if as_json:
            print_json([r.to_dict() for r in results])
            return
        print_table(
            f"screening {name!r}",
            ["score", "match", "caption", "schema", "refs", "matched name", "entity_id"],
            [
                (f"{r.score:.3f}", "yes" if r.match else "", r.caption, r.schema,
                 "; ".join(f"{k}: {', '.join(v)}" for k, v in r.refs.items()),
                 r.explanation.get("matched_name"), r.entity_id)
                for r in results
            ],
        )

    @app.command("compare")
    def compare(
        input_path: Annotated[Path | None, typer.Option("--input", help="JSONL pairs.")] = None,
        output: Annotated[Path | None, typer.Option("--output")] = None,
        name1: Annotated[str | None, typer.Option("--name1")] = None,
        name2: Annotated[str | None, typer.Option("--name2")] = None,
        schema: Annotated[str, typer.Option("--schema")] = "Thing",
        threshold: Annotated[float | None, typer.Option("--threshold")] = None,
    ) -> None:
        """Score pairs of names or FtM entities: {"id","schema","name1","name2"} per line."""
        from tizim.screening.engine import Screener, get_screener

        try:
            screener = get_screener()
        except Exception:  # an empty or absent database still compares two names
            screener = Screener.from_entities([])
        if input_path is None:
            if not (name1 and name2):
                raise InputError("give --input or --name1 and --name2", field="--input")
            res = screener.compare(Query(schema=schema, names=[name1]),
                                   Query(schema=schema, names=[name2]), threshold=threshold)
            print_json({"score": res.score, "match": res.match, "explanation": res.explanation})
            return
        lines = []
        for lineno, obj in read_jsonl(input_path):
            a, b = _pair(obj, lineno, str(input_path))
            res = screener.compare(a, b, threshold=threshold)
            lines.append(json.dumps({"id": obj.get("id"), "score": res.score, "match": res.match,
                                     "explanation": res.explanation}, ensure_ascii=False))
        text = "".join(line + "\n" for line in lines)
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)

    @app.command("screen-text")
    def screen_text(
        input_path: Annotated[Path | None, typer.Option("--input", help="A text file.")] = None,
        text: Annotated[str | None, typer.Option("--text")] = None,
        threshold: Annotated[float | None, typer.Option("--threshold")] = None,
        lists: Annotated[str | None, typer.Option("--lists")] = None,
    ) -> None:
        """Find listed names inside free text; prints spans with their matches as JSON."""
        from tizim.screening.engine import Screener

        if input_path is not None:
            if not input_path.exists():
                raise InputError("no such file", file=str(input_path))
            text = input_path.read_text(encoding="utf-8")
        if text is None:
            raise InputError("give --input or --text", field="--input")
        spans = Screener.from_registry().screen_text(text, threshold=threshold,
                                                     lists=_split_lists(lists))
        print_json({"spans": [s.to_dict() for s in spans]})

    @app.command("dismiss")
    def dismiss(
        subject: Annotated[str, typer.Option("--subject", help="The screened party's key.")],
        entity: Annotated[str, typer.Option("--entity", help="The listed entity id.")],
        reason: Annotated[str, typer.Option("--reason")],
    ) -> None:
        """Remember that a subject is not a listed entity (until the listing changes or it lapses).
        Outside a case this skips the four eyes, so it is the holder of $TIZIM_API_KEY who
        decides, and only as a supervisor or admin."""
        from tizim.cli.identity import cli_principal
        from tizim.screening.engine import get_screener

        me = cli_principal()
        if not me.allows("supervisor"):
            raise InputError(f"a dismissal outside a case needs role supervisor; {me.name!r} has {me.role} "
                             "(dismiss the case instead: tizim cases dismiss)", field="TIZIM_API_KEY")
        print_json(get_screener().dismiss(subject, entity, me.name, reason))


def _pair(obj: dict[str, Any], lineno: int, file: str) -> tuple[Query, Query]:
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
