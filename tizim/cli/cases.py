"""`tizim cases ...` and `tizim rescreen`.

Case actions act as the holder of the API key in TIZIM_API_KEY, with the key's role, as
over HTTP (tizim/cli/identity.py): one shell cannot be two people.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from tizim.errors import InputError
from tizim.output import console, print_json, print_table

cases_app = typer.Typer(help="Cases: alerts grouped by party; actions under four eyes, STR. Actions act as the "
                        "holder of $TIZIM_API_KEY.", no_args_is_help=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
NoteOpt = Annotated[str | None, typer.Option("--note", "-m", help="Why (kept on the audit chain).")]


def _act(case_id: int, action: str, note: str | None, assignee: str | None = None, json_out: bool = False) -> None:
    from tizim.cli.identity import cli_principal
    from tizim.monitoring.cases import Cases

    me = cli_principal()
    case = Cases().act(case_id, action, me.name, me.role, note=note, assignee=assignee)
    case["allowed_actions"] = Cases.allowed_actions(case, me.name, me.role)
    if json_out:
        print_json(case)
        return
    console.print(f"case {case_id}: {action} by {me.name} ({me.role}); status {case['status']}, "
                  f"held payments {case['held_payments']}", highlight=False)
    if case.get("message"):
        console.print(f"  {case['message']}", highlight=False)


@cases_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option("--status", help="open, escalated, release_requested, dismiss_requested, "
                                               "confirmed, dismissed, released, or all (default).")] = None,
    severity: Annotated[str | None, typer.Option("--severity", help="FREEZE or OBSERVE.")] = None,
    list_name: Annotated[str | None, typer.Option("--list", help="Cases with an alert on an entry of this list.")] = None,
    assignee: Annotated[str | None, typer.Option("--assignee", help="Assigned to this user.")] = None,
    party: Annotated[str | None, typer.Option("--party", help="Part of the party's name, or its key.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Created on or after this ISO date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Created on or before this ISO date.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many.")] = 100,
    offset: Annotated[int, typer.Option("--offset", help="Skip this many (the next page).")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """The queue: FREEZE first, then the SLA clock, then the amount."""
    from tizim.monitoring.cases import Cases

    rows = Cases().list_cases(status, limit, offset=offset, severity=severity, list_name=list_name,
                              assignee=assignee, party=party, since=since, until=until)
    if json_out:
        print_json(rows)
        return
    print_table("cases", ["id", "party", "severity", "status", "assignee", "alerts", "held", "SLA due", "hours left"],
                [(c["id"], c["party"] or c["party_key"], c["severity"], c["status"], c["assignee"] or "", c["alerts"],
                  c["held_payments"] + c.get("frozen_accounts", 0), c["sla"]["due"][:16],
                  ("stopped" if c["sla"]["stopped"] else f"{c['sla']['hours_left']:.1f}"
                   + (" OVERDUE" if c["sla"]["overdue"] else ""))) for c in rows])


@cases_app.command("show")
def show_cmd(case_id: int, json_out: JsonOpt = False) -> None:
    """One case: alerts, payments, history (and, with TIZIM_API_KEY, what you may do)."""
    from tizim.monitoring.cases import Cases
    from tizim.settings import get_settings

    case = Cases().show(case_id)
    if get_settings().api_key:
        from tizim.cli.identity import cli_principal

        me = cli_principal()
        case["allowed_actions"] = Cases.allowed_actions(case, me.name, me.role)
    if json_out:
        print_json(case)
        return
    sla = case["sla"]
    console.print(f"case {case['id']}: {case['party'] or case['party_key']} - {case['severity']}, {case['status']}, "
                  f"assignee {case['assignee'] or '-'}; SLA due {sla['due'][:16]} "
                  f"({'stopped' if sla['stopped'] else str(sla['hours_left']) + ' h left'}"
                  f"{', OVERDUE' if sla['overdue'] else ''})", highlight=False)
    for p in case["payments"]:
        console.print(f"  payment {p['payment_id']} ({p['end_to_end_id']}): {p['amount']} {p['currency']} "
                      f"{p['debtor']} -> {p['creditor']}: {p['status']}{', ' + p['hold'] if p['hold'] else ''}",
                      highlight=False)
        for reason in p["reasons"]:
            console.print(f"    - {reason}", highlight=False)
    for h in case["history"]:
        console.print(f"  {h['at'][:19]} {h['actor']}: {h['action']} {h['after']}", highlight=False)
    if "allowed_actions" in case:
        console.print(f"  you may: {', '.join(case['allowed_actions']) or 'nothing'}", highlight=False)


@cases_app.command("assign")
def assign_cmd(case_id: int, assignee: str, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Assign the case to an analyst."""
    _act(case_id, "assign", note, assignee, json_out)


@cases_app.command("comment")
def comment_cmd(case_id: int, text: str, json_out: JsonOpt = False) -> None:
    """Add a comment."""
    _act(case_id, "comment", text, None, json_out)


@cases_app.command("confirm")
def confirm_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """True positive: keep funds held and draft an STR."""
    _act(case_id, "confirm", note, None, json_out)


@cases_app.command("dismiss")
def dismiss_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """False positive. A case with a designated match or held funds: a request that a supervisor
    other than you approves (approve-dismiss); until then the funds stay held."""
    _act(case_id, "dismiss", note, None, json_out)


@cases_app.command("approve-dismiss")
def approve_dismiss_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Approve a pending dismissal (a supervisor other than the requester): releases what the case holds."""
    _act(case_id, "approve-dismiss", note, None, json_out)


@cases_app.command("escalate")
def escalate_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Escalate to a supervisor."""
    _act(case_id, "escalate", note, None, json_out)


@cases_app.command("release")
def release_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Request release of held funds (a supervisor, another user, must approve)."""
    _act(case_id, "release", note, None, json_out)


@cases_app.command("approve-release")
def approve_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Approve a pending release: a supervisor other than the requester."""
    _act(case_id, "approve-release", note, None, json_out)


@cases_app.command("reopen")
def reopen_cmd(case_id: int, note: NoteOpt = None, json_out: JsonOpt = False) -> None:
    """Reopen a closed case (the only action a closed case offers)."""
    _act(case_id, "reopen", note, None, json_out)


@cases_app.command("str")
def str_cmd(
    case_id: int,
    fmt: Annotated[str, typer.Option("--format", help="goaml (XML) or json.")] = "goaml",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """The STR of a confirmed case, as goAML XML or JSON."""
    from tizim.monitoring.cases import Cases
    from tizim.monitoring.str_export import to_goaml_xml

    report = Cases().report(case_id)
    if fmt == "json":
        if output:
            output.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            print_json(report)
        return
    if fmt != "goaml":
        raise InputError(f"unknown format {fmt!r} (goaml or json)", field="--format")
    data = to_goaml_xml(report)
    if output:
        output.write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))


def rescreen_cmd(json_out: JsonOpt = False) -> None:
    """Screen stored counterparties and the customer book against entries added by new list
    versions; raise alerts, hold payments, freeze customers."""
    from tizim.cli.identity import actor_name
    from tizim.customers.rescreen import rescreen_book
    from tizim.monitoring.rescreen import rescreen

    report = rescreen(actor=actor_name())
    book = rescreen_book(actor=actor_name(), workers=os.cpu_count() or 1)
    if json_out:
        print_json({**report, "customers": book})
        return
    if book["versions"]:
        console.print(f"customers: {len(book['versions'])} list version(s), {book['new_entries']} new or changed "
                      f"entries, {book['removed_entries']} removed; {book['candidates']} customers re-screened: "
                      f"{book['alerts']} alerts, {book['frozen']} customers frozen ({book['frozen_accounts']} "
                      f"accounts), {book['reviews']} delisting reviews; took {book['seconds']} s", highlight=False)
    if not report["versions"]:
        console.print(f"nothing to rescreen: every list version was rescreened before; took {report['seconds']} s",
                      highlight=False)
        return
    for v in report["versions"]:
        if not v["payments_before"]:
            console.print(f"  {v['list']} version {v['version']}: imported before any payment was decided; "
                          "nothing to rescreen", highlight=False)
            continue
        console.print(f"  {v['list']} version {v['version']}: {v['new_entries']} new or changed entries; "
                      f"freeze deadline {v['freeze_deadline'][:19]} ({'met' if v['within_deadline'] else 'MISSED'})",
                      highlight=False)
    timings = ", ".join(f"{k[:-2]} {v} s" for k, v in report["timings"].items())
    console.print(
        f"{len(report['versions'])} list version(s), {report['new_entries']} new entries; "
        f"{report['parties_screened']} counterparties and {report['texts_screened']} free texts screened; "
        f"{report['alerts']} alerts, "
        f"{report['held_payments']} payments held; cases {report['cases']}; took {report['seconds']} s "
        f"({timings}); within 24 h of publication: {'yes' if report['within_24h_of_publication'] else 'NO'}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
    app.command("rescreen")(rescreen_cmd)
