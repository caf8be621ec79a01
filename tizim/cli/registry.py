"""`tizim lists ...`, `tizim entity ...` and `tizim bootstrap`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from tizim.output import console, print_json, print_table, progress
from tizim.registry.dates import parse_date
from tizim.registry.service import Registry

lists_app = typer.Typer(help="Designation lists: import, show, versions, diff, as-of.", no_args_is_help=True)
entity_app = typer.Typer(help="Listed entities: show one, export all.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
ShrinkOpt = Annotated[bool, typer.Option(
    "--allow-shrink",
    help="Import even when the new version removes more than TIZIM_MAX_SHRINK (10 %) of a list's "
         "entries, or adds nothing while removing many (held back otherwise).")]


@lists_app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="List files (or CSV-set folders) to import.")],
    source: Annotated[str | None, typer.Option("--source", help="List name; detected from content when omitted.")] = None,
    allow_shrink: ShrinkOpt = False,
    kind: Annotated[str | None, typer.Option("--kind", help="sanctions, pep, watchlist or other (default: what the "
                                             "source says, else by the list's name). Only a sanctions list freezes.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import list files; each is one all-or-nothing transaction and one list version."""
    from tizim.registry.importers import open_all
    from tizim.registry.kinds import check_kind

    kind = check_kind(kind) if kind else None

    registry = Registry()
    results = []
    with progress(transient=True) as bar:
        task = bar.add_task("importing", total=len(paths))
        for path in paths:
            bar.update(task, description=f"parsing {path.name}")
            # One list per file, except tizim's own FtM export (each list it holds).
            found = open_all(path, source)
            registry.expect_lists(p.list_name for p in found)
            for parsed in found:
                if kind:
                    parsed.kind = kind
                bar.update(task, description=f"reading and writing {parsed.list_name}")
                results.append(registry.import_parsed(parsed, allow_shrink=allow_shrink))
            bar.advance(task)
    if json_out:
        print_json([r.to_dict() for r in results])
        return
    for r in results:
        if r.created:
            console.print(
                f"{r.list_name}: version {r.version}, {r.entity_count} entities "
                f"(+{r.added} -{r.removed} ~{r.changed}) from {r.source_file}"
            )
            for what, done in r.followups.items():
                console.print(f"  {what}: {_followup_line(done)}", highlight=False)
        elif r.history:
            console.print(f"{r.list_name}: older than the current version: kept as history (version {r.version}), "
                          "nothing changed", highlight=False)
        else:
            console.print(f"{r.list_name}: unchanged (identical to version {r.version}), nothing imported")


def _followup_line(report: dict[str, object]) -> str:
    """One line of what a downstream capability did after the import (the customers' rescreen)."""
    if "error" in report:
        return f"not done ({report['error']}); run `tizim rescreen`"
    return (f"re-screened {report.get('candidates', 0)} customers against {report.get('new_entries', 0)} new "
            f"or changed entries: {report.get('alerts', 0)} alerts, {report.get('frozen', 0)} customers frozen, "
            f"{report.get('reviews', 0)} delisting reviews ({report.get('seconds', 0)} s)")


@lists_app.command("show")
def show_cmd(json_out: JsonOpt = False) -> None:
    """Each list: name, entity count, versions, last import."""
    rows = Registry().summary()
    if json_out:
        print_json(rows)
        return
    print_table(
        "tizim registry",
        ["list", "kind", "entities", "versions", "published", "last import", "title"],
        [(r["name"], r["kind"], r["entities"], r["versions"], r["published_at"], (r["last_import"] or "")[:19], r["title"])
         for r in rows],
    )


@lists_app.command("versions")
def versions_cmd(list_name: Annotated[str, typer.Argument(metavar="LIST")], json_out: JsonOpt = False) -> None:
    """The versions of one list, with what each added, removed and changed."""
    rows = Registry().versions(list_name)
    if json_out:
        print_json(rows)
        return
    print_table(
        f"{list_name} versions",
        ["version", "published", "imported", "entities", "added", "removed", "changed", "file"],
        [(f"{r['version']} (history)" if r["history"] else r["version"], r["published_at"], r["imported_at"][:19],
          r["entities"], r["added"], r["removed"], r["changed"], r["source_file"]) for r in rows],
    )


@lists_app.command("diff")
def diff_cmd(
    list_name: Annotated[str, typer.Argument(metavar="LIST")],
    from_version: Annotated[int | None, typer.Option("--from", help="Older version (default: the one before --to).")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version (default: the latest).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Entries added, removed and changed between two versions of a list."""
    diff = Registry().diff(list_name, from_version, to_version)
    if json_out:
        print_json(diff)
        return
    console.print(f"{list_name}: version {diff['from']} -> {diff['to']}: "
                  f"+{len(diff['added'])} -{len(diff['removed'])} ~{len(diff['changed'])}")
    for mark, key in (("+", "added"), ("-", "removed"), ("~", "changed")):
        for item in diff[key]:
            console.print(f"  {mark} {item['id']}  {item['caption']}", highlight=False)


@lists_app.command("asof")
def asof_cmd(
    list_name: Annotated[str, typer.Argument(metavar="LIST")],
    day: Annotated[str, typer.Argument(metavar="DATE", help="ISO date, e.g. 2006-11-17.")],
    json_out: JsonOpt = False,
) -> None:
    """The entries of a list in force on a date."""
    parsed = parse_date(day)
    if parsed is None or len(parsed) != 10:
        raise typer.BadParameter(f"{day!r} is not a date like 2006-11-17", param_hint="DATE")
    rows = Registry().asof(list_name, parsed)
    if json_out:
        print_json(rows)
        return
    print_table(
        f"{list_name} in force on {parsed}: {len(rows)} entries",
        ["reference", "name", "schema", "listed on", "authority"],
        [(r["reference"], r["caption"], r["schema"], r["listed_on"], r["authority"]) for r in rows],
    )


@lists_app.command("events")
def events_cmd(list_name: Annotated[str, typer.Argument(metavar="LIST")], json_out: JsonOpt = False) -> None:
    """List-level events (lists approved, batches designated) with their citations."""
    rows = Registry().events(list_name)
    if json_out:
        print_json(rows)
        return
    print_table(
        f"{list_name} events",
        ["date", "action", "count", "authority", "description"],
        [(r["date"], r["action"], r["count"], r["authority"], r["description"]) for r in rows],
    )


@entity_app.command("show")
def entity_show_cmd(entity_id: Annotated[str, typer.Argument(metavar="ID")], json_out: JsonOpt = False) -> None:
    """One entity: names by script, designations with citations, relationships."""
    data = Registry().entity(entity_id)
    if json_out:
        print_json(data)
        return
    console.print(f"[bold]{data['caption']}[/]  ({data['schema']}, {data['id']}, list {data['list']})", highlight=False)
    for script, names in data["names_by_script"].items():
        console.print(f"  names [{script}]: " + "; ".join(f"{n['name']} ({n['kind']})" for n in names), highlight=False)
    ent = data["entity"]
    for label, key in (("born", "birth_dates"), ("birth place", "birth_places"), ("nationality", "nationalities"),
                       ("countries", "countries"), ("addresses", "addresses")):
        if ent.get(key):
            console.print(f"  {label}: " + "; ".join(ent[key]), highlight=False)
    for ident in ent.get("identifiers") or []:
        console.print(f"  {ident['type']}: {ident['value']}" + (f" ({ident['country']})" if ident.get("country") else ""), highlight=False)
    for d in data["designations"]:
        console.print(f"  designation {d['list']} {d['reference']}: listed {d['listed_on'] or '?'}"
                      + (f", delisted {d['delisted_on']}" if d.get("delisted_on") else "")
                      + (f", {d['authority']}" if d.get("authority") else "")
                      + (f", {d['programme']}" if d.get("programme") else ""), highlight=False)
        if d.get("citation"):
            c = d["citation"]
            console.print(f"    cited: {c.get('source')}" + (f" [{c['record']}]" if c.get("record") else "")
                          + (f" \u201c{c['quote']}\u201d" if c.get("quote") else ""), highlight=False)
        for ev in d.get("events") or []:
            console.print(f"    {ev.get('date') or 'undated'} {ev['action']}"
                          + (f" by {ev['authority']}" if ev.get("authority") else "")
                          + (f" - {ev['note']}" if ev.get("note") else ""), highlight=False)
    for r in data["relationships"]:
        arrow = "->" if r["direction"] == "outgoing" else "<-"
        when = f" [{r['start_date']}]" if r.get("start_date") else ""
        console.print(f"  {r['kind']} {arrow} {r['other_caption'] or r['other_id']} ({r['other_id']}){when}", highlight=False)
        cite = r.get("citation") or {}
        if cite.get("quote"):
            console.print(f"    cited: {cite.get('source')} \u201c{cite['quote']}\u201d", highlight=False)


@entity_app.command("export")
def entity_export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="Export format: ftm (FollowTheMoney JSON lines).")] = "ftm",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    lists: Annotated[str | None, typer.Option("--lists", help="Comma-separated list names.")] = None,
) -> None:
    """Export entities (with their sanctions and relationships) as FtM JSON lines."""
    from tizim.registry.ftm_export import export_ftm

    if fmt != "ftm":
        raise typer.BadParameter(f"unknown format {fmt!r}; supported: ftm", param_hint="--format")
    selected = Registry().check_lists(s.strip() for s in lists.split(",") if s.strip()) if lists else None
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        count = 0
        for obj in export_ftm(Registry(), selected):
            handle.write(json.dumps(obj, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if output:
            handle.close()
    if output:
        console.print(f"wrote {count} FtM entities to {output}")


@lists_app.command("update")
def update_cmd(
    download_dir: Annotated[Path, typer.Option("--dir", help="Where to save the downloaded files.")] = Path("lists-download"),
    only: Annotated[str | None, typer.Option("--only", help="Comma-separated list names to fetch.")] = None,
    import_after: Annotated[bool, typer.Option("--import/--no-import", help="Import what was downloaded.")] = True,
    allow_shrink: ShrinkOpt = False,
) -> None:
    """Download the official UN, OFAC, UK and EU files from their publishers, then import them."""
    from tizim.registry.update import download_all

    names = [s.strip() for s in only.split(",")] if only else None
    fetched = download_all(download_dir, names)
    registry = Registry()
    if import_after:
        from tizim.registry.importers import open_list

        for list_name, path in fetched:
            result = registry.import_parsed(open_list(path, list_name), allow_shrink=allow_shrink)
            console.print(f"{list_name}: version {result.version} ({'new' if result.created else 'unchanged'})")


def bootstrap_cmd(
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Folder to search for list files (default: $TIZIM_DATA_DIR).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Create the database, load the bundled national list and every list file found, print the summary."""
    from tizim.registry.discover import bootstrap

    bootstrap(Registry(), data_dir)
    show_cmd(json_out=json_out)


def register(app: typer.Typer) -> None:
    app.add_typer(lists_app, name="lists")
    app.add_typer(entity_app, name="entity")
    app.command("bootstrap")(bootstrap_cmd)
