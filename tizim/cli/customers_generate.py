"""`tizim customers generate`: a synthetic customer book, with listed persons planted in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tizim.output import console, print_json, progress


def add_generate_command(customers_app: typer.Typer) -> None:
    """Mount `generate` on the `customers` group (tizim/cli/customers.py calls this)."""
    customers_app.command("generate")(generate_cmd)


def generate_cmd(
    out: Annotated[Path, typer.Argument(help="The book to write (.csv or .jsonl); its truth goes to OUT.truth.json.")],
    count: Annotated[int, typer.Option("--count", min=0, help="Customers in the book.")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same book.")] = 0,
    planted: Annotated[int, typer.Option(
        "--planted", min=0, help="Listed persons of the registry's sanctions lists planted in the book, in varied spellings.")] = 0,
    lists: Annotated[str | None, typer.Option(
        "--lists", help="Comma-separated lists to draw planted persons from (default: the sanctions lists).")] = None,
    orgs_share: Annotated[float, typer.Option("--orgs-share", min=0.0, max=1.0, help="Share of organizations.")] = 0.1,
    fmt: Annotated[str | None, typer.Option("--format", help="csv or jsonl (default: from OUT's extension).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Write a realistic synthetic customer book (Kazakh, Russian, Uzbek, Uyghur, Chinese, Arabic and
    English names in Cyrillic and Latin, valid IINs/BINs and IBANs) and its truth file."""
    from tizim.customers.synthetic import listed_from_registry, write_book
    from tizim.errors import InputError

    kind = fmt or {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(out.suffix.lower())
    if kind not in ("csv", "jsonl"):
        raise InputError("cannot tell the format from the extension (.csv or .jsonl); use --format csv|jsonl",
                         file=str(out), field="format")
    if planted > count:
        raise InputError(f"--planted {planted} is more than --count {count}", field="planted")
    listed = None
    if planted:
        chosen = [name.strip() for name in lists.split(",") if name.strip()] if lists else None
        listed = listed_from_registry(None, planted, seed, lists=chosen)
        if not listed:
            raise InputError("no designated person in the registry to plant; import lists first "
                             "(tizim lists import ...)", field="planted")
    with progress(transient=True) as bar:
        task = bar.add_task(f"writing {out.name}", total=count)
        truth = write_book(out, count, seed, planted, listed, fmt=kind, orgs_share=orgs_share,
                           on_progress=lambda done: bar.update(task, completed=done))
    summary = {
        "book": str(out), "truth": f"{out}.truth.json", "customers": truth["customers"],
        "persons": truth["persons"], "organizations": truth["organizations"],
        "planted": len(truth["planted"]), "seed": seed,
    }
    if json_out:
        print_json(summary)
        return
    console.print(f"wrote {out}: {summary['customers']} customers ({summary['persons']} persons, "
                  f"{summary['organizations']} organizations), {summary['planted']} listed persons planted; "
                  f"truth in {summary['truth']}", highlight=False)
