"""`tizim screen`, `tizim compare`, `tizim screen-text`, `tizim dismiss`."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer

from tizim.errors import InputError
from tizim.output import print_json, print_table, progress
from tizim.screening.batch import read_jsonl, read_pair
from tizim.screening.model import Query


def _split_lists(lists: str | None) -> list[str] | None:
    """The --lists option: names the registry knows (an unknown name is an error, never an empty result)."""
    if lists is None:
        return None
    names = [x.strip() for x in lists.split(",") if x.strip()]
    if not names:
        raise InputError("--lists is empty: give comma-separated list names", field="--lists")
    from tizim.registry.service import Registry

    return Registry().check_lists(names)


def _screen_file(input_path: Path, out: TextIO, threshold: float | None, limit: int,
                 lists: list[str] | None, workers: int) -> int:
    from tizim.screening.batch import screen_file

    with progress() as bar:
        task = bar.add_task("loading the index", total=None)
        return screen_file(input_path, out, threshold, limit, lists, workers,
                           loaded=lambda n: bar.update(task, description="screening", total=n, completed=0),
                           advance=lambda n: bar.advance(task, n))


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
                    _counted(_screen_file(input_path, fh, threshold, limit, wanted, n_workers))
            else:
                _counted(_screen_file(input_path, sys.stdout, threshold, limit, wanted, n_workers))
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
            a, b = read_pair(obj, lineno, str(input_path))
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
