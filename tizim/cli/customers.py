"""`tizim customers ...` and `tizim freezes ...`: the customer book, its screening and freezes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tizim.output import console, print_json, print_table, progress

customers_app = typer.Typer(help="The customer book: import, screen, show, list.", no_args_is_help=True)
freezes_app = typer.Typer(help="Frozen assets: the register and the report to the FIU.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _actor() -> str:
    """Who the command acts as: the holder of $TIZIM_API_KEY when set, else the OS login."""
    from tizim.cli.identity import actor_name

    return actor_name()


@customers_app.command("import")
def import_cmd(
    path: Annotated[Path, typer.Argument(help="A CSV or JSON lines file of customers.")],
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl (default: from the extension).")] = None,
    full: Annotated[bool, typer.Option("--full", help="The file is the whole book: close customers it lacks.")] = False,
    encoding: Annotated[str | None, typer.Option(
        "--encoding", help="The file's text encoding when not UTF-8 (cp1251 from 1C or Excel).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Import customers: all-or-nothing; a changed row is a new version, history kept.
    CSV columns are separated by commas, or by semicolons (or tabs) as Excel writes them."""
    from tizim.customers.book import CustomerBook

    summary = CustomerBook().import_file(path, fmt, full=full, actor=_actor(), encoding=encoding)
    if json_out:
        print_json(summary.to_dict())
        return
    console.print(f"{path}: {summary.imported} imported, {summary.updated} updated, {summary.unchanged} unchanged, "
                  f"{summary.closed} closed", highlight=False)


@customers_app.command("screen")
def screen_cmd(
    engine: Annotated[str, typer.Option("--engine", help="local (worker processes) or spark.")] = "local",
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (local engine; default: CPU count).")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Screen every customer not yet screened against the current lists; resumable."""
    from tizim.customers.screen import count_pending, screen_book
    from tizim.screening import get_screener

    todo = count_pending()
    with progress() as bar:
        task = bar.add_task("loading the index", total=None)
        screener = get_screener()
        bar.update(task, description="screening customers", total=todo, completed=0)
        report = screen_book(engine=engine, workers=workers, actor=_actor(), screener=screener,
                             advance=lambda n: bar.advance(task, n))
    if json_out:
        print_json({"screened": report["screened"], "alerts": report["alerts"], "frozen": report["frozen"]})
        return
    console.print(f"screened {report['screened']} customers ({report['engine']}, {report['seconds']} s): "
                  f"{report['alerts']} alerts, {report['frozen']} customers frozen "
                  f"({report['frozen_accounts']} accounts), cases {report['cases'][:20]}", highlight=False)


@customers_app.command("show")
def show_cmd(
    customer_id: Annotated[str, typer.Argument(metavar="ID")],
    history: Annotated[bool, typer.Option("--history", help="Every version of the record.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """One customer: status, matches with their explanation, accounts and their freezes."""
    from tizim.customers.book import CustomerBook

    c = CustomerBook().show(customer_id, history=history)
    if json_out:
        print_json(c)
        return
    console.print(f"[bold]{c['customer_id']}[/] {c['name']} ({c['type']}): [bold]{c['status']}[/], "
                  f"version {c['version']}, screened {c['screened_at'] or 'never'}")
    print_table("matches", ["entity", "score", "via", "status", "case", "lists"],
                [(f"{m['caption']} [{m['entity_id']}]", f"{m['score']:.2f}", m["via"], m["status"], m["case_id"],
                  "; ".join(f"{k} {', '.join(v)}" for k, v in m["refs"].items())) for m in c["matches"]])
    print_table("accounts", ["account", "frozen", "frozen at", "case"],
                [(a["account"], "FROZEN" if a["frozen"] else "", a["frozen_at"], a["case_id"]) for a in c["accounts"]])


@customers_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option("--status", help="unscreened, clear, alert, frozen or closed.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 100,
    offset: Annotated[int, typer.Option("--offset", min=0)] = 0,
    matches: Annotated[bool, typer.Option("--matches", help="Include each customer's matches.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """Customers with their status and accounts (a page at a time)."""
    from tizim.customers.book import CustomerBook

    rows = CustomerBook().list(status, limit=limit, offset=offset, matches=matches)
    if json_out:
        print_json(rows)
        return
    print_table("customers", ["id", "name", "type", "status", "accounts", "frozen"],
                [(c["customer_id"], c["name"], c["type"], c["status"], len(c["accounts"]),
                  sum(a["frozen"] for a in c["accounts"])) for c in rows])


@freezes_app.command("list")
def freezes_list_cmd(
    released: Annotated[bool, typer.Option("--released", help="Include accounts since unfrozen.")] = False,
    json_out: JsonOpt = False,
) -> None:
    """The freeze register: each frozen account, its listing and the hours it took to freeze."""
    from tizim.customers.freezes import freeze_register, open_alerts
    from tizim.settings import get_settings

    rows = freeze_register(include_released=released)
    pending = open_alerts()
    if json_out:
        print_json({"frozen": rows, "open_alerts": pending})
        return
    sla = get_settings().sla_hours
    print_table(f"frozen accounts ({len(rows)})",
                ["customer", "account", "entity", "list / reference", "published", "frozen at", "hours", "case"],
                [(f"{r['customer_id']} {r['customer']}", r["account"], r["entity"], "; ".join(r["references"]),
                  (r["published_at"] or "")[:19], r["frozen_at"][:19],
                  "" if r["hours_to_freeze"] is None else
                  f"{r['hours_to_freeze']:.1f}" + ("" if r["within_sla"] else f" LATE (> {sla:g} h)"),
                  r["case_id"]) for r in rows])
    if pending:
        print_table(f"open alerts awaiting a decision ({len(pending)})",
                    ["customer", "entity", "score", "case", "due", "hours left"],
                    [(f"{a['customer_id']} {a['customer']}", a["entity"], f"{a['score']:.2f}", a["case_id"],
                      a["due"][:16], f"{a['hours_left']:.1f}" + (" OVERDUE" if a["overdue"] else
                                                                 " NEAR LIMIT" if a["near_limit"] else ""))
                     for a in pending])


@freezes_app.command("report")
def freezes_report_cmd(
    fmt: Annotated[str, typer.Option("--format", help="json or csv.")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file (default stdout).")] = None,
) -> None:
    """The report of frozen assets an institution sends to the FIU."""
    from tizim.customers.freezes import freeze_report

    text = freeze_report(fmt)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}", highlight=False)


def register(app: typer.Typer) -> None:
    from tizim.customers.rescreen import install

    install(workers=os.cpu_count() or 1)  # every `tizim lists import` / `bootstrap` re-screens the book
    try:
        from tizim.cli.customers_generate import add_generate_command
    except ModuleNotFoundError:
        pass
    else:
        add_generate_command(customers_app)
    app.add_typer(customers_app, name="customers")
    app.add_typer(freezes_app, name="freezes")
