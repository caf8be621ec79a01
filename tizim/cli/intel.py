"""`tizim intel ...`: ingest documents, review facts, accept them into the registry."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from tizim.intel.service import Intel
from tizim.output import console, print_json, print_table, progress

intel_app = typer.Typer(help="Intelligence: documents to cited facts, review, timeline.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _service() -> Intel:

    return Intel()


@intel_app.command("ingest")
def ingest_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Text, Markdown, HTML or PDF documents.")],
    no_link: Annotated[bool, typer.Option("--no-link", help="Skip registry linking (screening).")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Split into sentences, find mentions and dates, extract cited facts; identical files once."""
    service = _service()
    results = []
    with progress(transient=True) as bar:
        task = bar.add_task("ingesting", total=len(paths))
        for path in paths:
            bar.update(task, description=f"reading {path.name}")
            results.append(service.ingest(path, link=not no_link))
            bar.advance(task)
    if json_out:
        print_json(results)
        return
    for r in results:
        if r["created"]:
            console.print(f"document {r['document']}: {r['path']} — {r['sentences']} sentences, "
                          f"{r['mentions']} mentions ({r['linked']} linked), {r['facts']} facts")
        else:
            console.print(f"document {r['document']}: {r['path']} unchanged, nothing new")


def _rows(facts: list[dict[str, Any]]) -> list[list[object]]:
    rows = []
    for f in facts:
        nums = ", ".join(f"{k}={v}" for k, v in (f["numbers"] or {}).items())
        subject = f["subject"] or ""
        details = f.get("details") or {}
        if f["kind"] == "extradition" and details.get("to"):
            subject = f"{details.get('from') or '?'} → {details['to']}"
        rows.append([f["id"], f["kind"], f["action"] or "", subject, f["object"] or "",
                     f["date"] or "", f["place"] or "", nums, len(f.get("citations") or [f["citation"]]), f["status"]])
    return rows


_COLUMNS = ["id", "kind", "action", "subject", "object", "date", "place", "numbers", "cited", "status"]


@intel_app.command("facts")
def facts_cmd(
    kind: Annotated[str | None, typer.Option("--kind", help="designation, relationship, arrest, extradition, attack, sentence, raid, cooperation, exercise, event")] = None,
    status: Annotated[str | None, typer.Option("--status", help="pending, accepted or rejected")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Facts with their citations (document, offsets, quoted sentence); a statement several
    documents repeat is one fact citing each of them."""
    facts = _service().facts(kind=kind, status=status)
    if json_out:
        print_json(facts)
        return
    print_table(f"{len(facts)} facts", _COLUMNS, _rows(facts))


@intel_app.command("accept")
def accept_cmd(
    fact_id: Annotated[int, typer.Argument(help="Fact id.")],
    list_name: Annotated[str | None, typer.Option("--list", help="National list for a designation (default by jurisdiction: kz-supreme-court).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Accept a designation (new list version) or relationship (registry relationship)."""
    fact = _service().accept(fact_id, list_name)
    if json_out:
        print_json(fact)
        return
    console.print(f"fact {fact_id} accepted: {fact['outcome']}")


@intel_app.command("reject")
def reject_cmd(fact_id: Annotated[int, typer.Argument(help="Fact id.")], json_out: JsonOpt = False) -> None:
    """Reject a fact; it stays on record, out of the timeline."""
    fact = _service().reject(fact_id)
    if json_out:
        print_json(fact)
        return
    console.print(f"fact {fact_id} rejected")


@intel_app.command("timeline")
def timeline_cmd(
    entity: Annotated[str | None, typer.Option("--entity", help="Only facts about this registry entity id.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Dated facts in date order."""
    facts = _service().timeline(entity)
    if json_out:
        print_json(facts)
        return
    print_table(f"timeline ({len(facts)} facts)", _COLUMNS, _rows(facts))


def register(app: typer.Typer) -> None:
    app.add_typer(intel_app, name="intel")
