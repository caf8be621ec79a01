"""`tizim monitor`, `tizim decisions`, `tizim cases ...`, `tizim rescreen`, `tizim audit ...`.

A run is recorded as the holder of the API key in $TIZIM_API_KEY, else the OS login
(tizim/cli/identity.py); case actions (`tizim cases ...`, tizim/cli/cases.py) need the key.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tizim.errors import InputError
from tizim.output import console, print_json, print_table

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]

BATCH = 500


def monitor_cmd(
    path: Annotated[Path, typer.Argument(help="Payment file: ISO 20022 XML (pacs.008, pacs.009, pain.001, AppHdr envelopes), SWIFT MT103/MT202/MT202COV, CSV or JSONL.")],
    fmt: Annotated[str | None, typer.Option("--format", help="iso20022, pacs.008, pacs.009, pain.001, mt103, mt202, csv or jsonl (default: detected; each message's own type is checked).")] = None,
    batch: Annotated[int, typer.Option("--batch", help="Payments decided and committed together.")] = BATCH,
    workers: Annotated[int, typer.Option("--workers", help="Processes in all, screening ones included "
                                         "(default 0: one per CPU; 1: everything in this process).")] = 0,
    json_out: JsonOpt = False,
) -> None:
    """Decide every payment of a file; resumable (already-decided payments are skipped)."""
    from tizim.cli.identity import actor_name
    from tizim.monitoring.runner import run_file

    if not path.is_file():
        raise InputError("no such file", file=str(path))
    if workers < 0:
        raise InputError("--workers must be 0 (one per CPU) or more", field="--workers")
    summary = run_file(path, fmt, batch=max(1, batch), actor=actor_name(), show_progress=True,
                       workers=workers or None)
    if json_out:
        print_json(summary)
        return
    console.print(
        f"{summary['payments']} payments: {summary['decided']} decided now, {summary['skipped']} decided before; "
        f"PASS {summary['status']['PASS']}, OBSERVE {summary['status']['OBSERVE']}, "
        f"FREEZE {summary['status']['FREEZE']}; {summary['rejected']} rejected; "
        f"{summary['per_second']:.0f} payments/s (screening index ready in {summary['index_seconds']:.1f} s)"
    )
    for r in summary["rejections"][:20]:
        console.print(f"  rejected {r.get('source')}, line {r.get('line')}, {r.get('record')}: {r['reason']}",
                      highlight=False)


def decisions_cmd(
    status: Annotated[str | None, typer.Option("--status", help="PASS, OBSERVE, FREEZE or REJECTED.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many, newest first.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Stored decisions with the payment's identifiers, status, reasons and time."""
    from tizim.monitoring.queries import list_decisions, list_rejected

    if status and status.upper() == "REJECTED":
        rows = list_rejected(limit)
        if json_out:
            print_json(rows)
        else:
            print_table("rejected messages", ["source", "line", "record", "reason"],
                        [(r["source"], r["line"], r["record"], r["reason"]) for r in rows])
        return
    if status and status.upper() not in ("PASS", "OBSERVE", "FREEZE"):
        raise InputError(f"unknown status {status!r} (PASS, OBSERVE, FREEZE or REJECTED)", field="--status")
    rows = list_decisions(status.upper() if status else None, limit)
    if json_out:
        print_json(rows)
        return
    print_table(
        "decisions", ["payment id", "message id", "end-to-end id", "status", "hold", "decided", "reasons"],
        [(r["payment_id"], r["message_id"], r["end_to_end_id"], r["status"], r["hold"] or "",
          r["decided_at"][:19], "; ".join(r["reasons"])[:120]) for r in rows],
    )


audit_app = typer.Typer(help="The tamper-evident audit chain: verify, anchor, export.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[Path | None, typer.Option("--anchor", help="An anchor file written by `tizim audit anchor`: "
                                                "the chain must still pass through it.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Check the HMAC chain, its head, an anchor and the tables' states; exit 1 naming the first problem."""
    from tizim.monitoring.audit import read_anchor, verify

    result = verify(anchor=read_anchor(anchor) if anchor else None)
    if json_out:
        print_json(result.to_dict())
    elif result.ok:
        console.print(f"audit chain intact: {result.records} records")
    else:
        console.print(f"audit chain BROKEN at record {result.position} (seq {result.broken_seq}): {result.problem}",
                      highlight=False)
    if not result.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """Write the chain's head (seq and hash) as JSON, to keep outside the database; `verify --anchor` checks it."""
    import json

    from tizim.monitoring.audit import anchor

    text = json.dumps(anchor()) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"anchored the audit chain at seq {json.loads(text)['seq']} in {output}")
    else:
        sys.stdout.write(text)


@audit_app.command("export")
def audit_export(
    fmt: Annotated[str, typer.Option("--format", help="jsonl or csv (formula-safe).")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
) -> None:
    """The whole chain as JSON lines or CSV."""
    from tizim.monitoring.audit import export

    if fmt not in ("jsonl", "csv"):
        raise InputError(f"unknown format {fmt!r} (jsonl or csv)", field="--format")
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for chunk in export(fmt):
            handle.write(chunk)
    finally:
        if output:
            handle.close()


def register(app: typer.Typer) -> None:
    app.command("monitor")(monitor_cmd)
    app.command("decisions")(decisions_cmd)
    app.add_typer(audit_app, name="audit")
