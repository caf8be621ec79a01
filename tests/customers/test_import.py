"""`tizim customers import`: all-or-nothing files, versions, --full closes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.customers.helpers import BOOK, book_rows, write_csv, write_jsonl
from tizim.cli import app
from tizim.customers import tables as t
from tizim.customers.book import CustomerBook
from tizim.customers.model import parse_customer
from tizim.errors import InputError
from tizim.store import transaction


def _count(table: object) -> int:
    with transaction() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_import_twice_then_change_then_full(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["customers", "import", str(BOOK), "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.output) == {"imported": 6, "updated": 0, "unchanged": 0, "closed": 0}
    again = runner.invoke(app, ["customers", "import", str(BOOK), "--json"])
    assert json.loads(again.output) == {"imported": 0, "updated": 0, "unchanged": 6, "closed": 0}

    rows = book_rows()
    rows[1]["address"] = "Астана, ул. Кенесары 40"  # C002 moved
    rows = [r for r in rows if r["customer_id"] != "C012"]  # C012 left the bank
    changed = write_csv(tmp_path / "book2.csv", rows)
    partial = runner.invoke(app, ["customers", "import", str(changed), "--json"])
    assert json.loads(partial.output) == {"imported": 0, "updated": 1, "unchanged": 4, "closed": 0}
    full = runner.invoke(app, ["customers", "import", str(changed), "--full", "--json"])
    assert json.loads(full.output) == {"imported": 0, "updated": 0, "unchanged": 5, "closed": 1}

    book = CustomerBook()
    c2 = book.show("C002", history=True)
    assert c2["version"] == 2 and [h["change"] for h in c2["history"]] == ["imported", "updated"]
    assert c2["history"][0]["data"]["address"].startswith("Астана, пр.")
    c12 = book.show("C012", history=True)
    assert c12["status"] == "closed" and c12["closed_at"] and c12["history"][-1]["change"] == "closed"
    assert all(a["closed"] for a in c12["accounts"])
    # normalized on the way in: a country name becomes its code, IBANs compact
    c3 = book.show("C003")
    assert c3["record"]["nationality"] == "KZ" and c3["record"]["birth_date"] == "1969-05"


@pytest.mark.parametrize(
    ("column", "value", "needle"),
    [
        ("name", "", "field name: name is required"),
        ("type", "trust", "field type: unknown type 'trust'"),
        ("birth_date", "1957/07/30", "field birth_date"),
        ("birth_date", "1990-02-30", "no day 30"),
        ("id_number", "881102400770", "check digit is wrong"),
        ("nationality", "Atlantis", "is not a country"),
    ],
)
def test_a_bad_row_stores_nothing(db_url: str, tmp_path: Path, column: str, value: str, needle: str) -> None:
    rows = book_rows()
    rows[4][column] = value  # line 6 of the file (header, then C001 ... C011)
    bad = write_csv(tmp_path / "bad.csv", rows)
    result = CliRunner().invoke(app, ["customers", "import", str(bad)])
    assert result.exit_code != 0
    with pytest.raises(InputError) as err:
        CustomerBook().import_file(bad)
    message = str(err.value)
    assert str(bad) in message and "line 6" in message and needle in message, message
    assert _count(t.customers) == 0 and _count(t.accounts) == 0 and _count(t.versions) == 0


def test_file_level_errors(db_url: str, tmp_path: Path) -> None:
    rows = book_rows()
    dup = write_csv(tmp_path / "dup.csv", rows + [rows[0]])
    with pytest.raises(InputError, match="occurs twice"):
        CustomerBook().import_file(dup)
    shared = [dict(r) for r in rows[:2]]
    shared[1]["accounts"] = shared[0]["accounts"]
    with pytest.raises(InputError, match="also belongs to C001"):
        CustomerBook().import_file(write_csv(tmp_path / "acct.csv", shared))
    (tmp_path / "x.txt").write_text("customer_id,name\n1,a\n")
    with pytest.raises(InputError, match="--format"):
        CustomerBook().import_file(tmp_path / "x.txt")
    (tmp_path / "bad.jsonl").write_text('{"customer_id": "A", "name": "B"}\n{"customer_id": \n')
    with pytest.raises(InputError, match="line 2"):
        CustomerBook().import_file(tmp_path / "bad.jsonl")
    (tmp_path / "cols.csv").write_text("customer_id,name,shoe_size\nA,B,42\n")
    with pytest.raises(InputError, match="shoe_size"):
        CustomerBook().import_file(tmp_path / "cols.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="full book with no customers"):
        CustomerBook().import_file(tmp_path / "empty.csv", full=True)
    assert _count(t.customers) == 0


def test_jsonl_takes_lists_and_an_account_cannot_move_silently(db_url: str, tmp_path: Path) -> None:
    rows = [{"customer_id": "J1", "type": "person", "name": "Ли Вэй", "aliases": ["Li Wei", "李伟"],
             "accounts": ["kz23 1230 0000 0000 0001"], "birth_date": "1990"},
            {"customer_id": "J2", "type": "organization", "name": "Silk Road Trade LLP",
             "owners": ["J1 (75%)", "Chen Hao"], "directors": ["J1"]}]
    summary = CustomerBook().import_file(write_jsonl(tmp_path / "book.jsonl", rows))
    assert summary.imported == 2
    j1 = CustomerBook().show("J1")
    assert j1["record"]["aliases"] == ["Li Wei", "李伟"] and j1["accounts"][0]["account"] == "KZ231230000000000001"
    owners = CustomerBook().show("J2")["record"]["owners"]
    assert owners == [{"ref": "J1", "role": "owner", "share": 75.0}, {"ref": "Chen Hao", "role": "owner"}]
    other = [{"customer_id": "J3", "name": "Someone Else", "accounts": ["KZ231230000000000001"]}]
    with pytest.raises(InputError, match="held by customer J1"):
        CustomerBook().import_file(write_jsonl(tmp_path / "other.jsonl", other))


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["customer_id", "type", "name", "aliases", "birth_date", "nationality",
                                        "id_number", "accounts", "owners", "other"]),
                       st.one_of(_text, st.lists(_text, max_size=3), st.integers(), st.none()), max_size=8))
def test_parse_never_fails_but_with_an_input_error(raw: dict[str, object]) -> None:
    """Whatever a record holds, it is a Customer or an InputError naming the field; a parsed
    record parses again to the same content (normalization is idempotent)."""
    try:
        customer = parse_customer(raw, {"file": "f.jsonl", "line": 1})
    except InputError as exc:
        assert "f.jsonl" in str(exc)
        return
    again = parse_customer(customer.to_dict() | {"owners": [o.ref + (f" ({o.share:g}%)" if o.share else "")
                                                             for o in customer.owners],
                                                  "directors": [d.ref for d in customer.directors]},
                           {"file": "f.jsonl", "line": 1})
    assert again.content_hash() == customer.content_hash()


def test_parallel_checking_reports_the_first_bad_line(sqlite_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file is checked in worker processes: same customers, same first error, and
    nothing stored."""
    from tizim.customers import book as book_module
    from tizim.customers import prepare

    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 200)  # a block or two of records each
    serial = [c.to_dict() for c in book_module.parse_file(BOOK)]
    parallel = [item.data() for chunk in prepare.prepare_file(BOOK, parallel=True) for item in chunk.items()]
    assert parallel == serial
    rows = book_rows()
    rows[3]["birth_date"] = "1990-13"
    rows[5]["birth_date"] = "2000-14"
    with pytest.raises(InputError, match="line 5, record C010, field birth_date"):
        CustomerBook().import_file(write_csv(tmp_path / "bad.csv", rows))
    assert CustomerBook().count() == 0
