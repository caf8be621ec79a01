"""A customer file read in blocks (checked in worker processes) reads as the whole file does,
and a first load into an empty book builds its indexes at the end, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from tests.customers.helpers import BOOK, book_rows, write_csv, write_jsonl
from tizim.customers import book as book_module
from tizim.customers import prepare
from tizim.customers import tables as t
from tizim.customers.book import CustomerBook
from tizim.customers.model import parse_customer, read_records
from tizim.errors import InputError
from tizim.store import get_engine, transaction

TABLES = ("cust_customers", "cust_versions", "cust_accounts", "cust_links")


def _whole(path: Path) -> list[tuple[int, dict[str, object]]]:
    """What reading the file as one text gives: (line, normalized record)."""
    return [(line, parse_customer(raw, {"line": line}).to_dict()) for line, raw in read_records(path)]


def _blocks(path: Path, parallel: bool) -> list[tuple[int | None, dict[str, object]]]:
    return [(item.line, item.data()) for chunk in prepare.prepare_file(path, parallel=parallel)
            for item in chunk.items()]


def _indexes(url: str) -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    found = inspect(get_engine(url))
    out = {}
    for table in TABLES:
        keys = found.get_pk_constraint(table)
        out[table] = sorted([(str(i["name"]), tuple(str(c) for c in i["column_names"]), bool(i["unique"]))
                             for i in found.get_indexes(table)]) + [("pk", tuple(keys["constrained_columns"]), True)]
    return out


def test_blocks_read_as_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quoted fields over several lines, CRLF line ends, a BOM, blank lines: the same records
    on the same lines, in one process or in workers, cut into tiny blocks."""
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 150)
    rows = book_rows()
    rows[0]["address"] = "Алматы,\nул. Абая 10,\n\"угол\" Сейфуллина"
    rows[2]["aliases"] = "Yerlan\nSadykov;Ерлан"
    path = write_csv(tmp_path / "multi.csv", rows)
    crlf = tmp_path / "crlf.csv"
    crlf.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n") + b"\r\n\r\n")
    jsonl = write_jsonl(tmp_path / "book.jsonl", [dict(r) for r in rows])
    jsonl.write_text("\n" + jsonl.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    for file in (path, crlf, jsonl):
        whole = _whole(file)
        assert len(whole) == len(rows)
        assert _blocks(file, False) == whole == _blocks(file, True), file


def test_a_stray_quote_that_misleads_the_cut_reads_the_file_again(sqlite_url: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A quote inside an unquoted field (CSV allows it) puts a block's end inside the next
    record's quoted field: the import rolls back and reads the file as one text."""
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 1)  # a line a block, more while quotes are open
    rows = book_rows()
    rows[1]["address"] = "Астана,\nпр. Мангилик Ел 5"
    lines = write_csv(tmp_path / "stray.csv", rows).read_text(encoding="utf-8").split("\n")
    assert lines[1].startswith("C001,person,Рустам ")
    lines[1] = lines[1].replace("Рустам ", 'Рустам "Рус ')  # not quoted: the quote is a letter
    path = tmp_path / "stray.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(prepare.Resplit):
        _blocks(path, False)
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)  # and from a worker process
    summary = CustomerBook().import_file(path)
    assert summary.imported == len(rows)
    assert CustomerBook().show("C001")["record"]["name"] == 'Рустам "Рус Каримов Абдуллаевич'
    assert CustomerBook().show("C002")["record"]["address"] == "Астана, пр. Мангилик Ел 5"


def test_errors_name_the_line_across_blocks(sqlite_url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 100)
    monkeypatch.setattr(prepare, "PARALLEL_FROM", 1)
    rows = book_rows()
    rows[0]["address"] = "Алматы,\nул. Абая 10"  # line 2 is two lines long
    rows[4]["birth_date"] = "1990-02-30"  # the header, then five records on six lines
    with pytest.raises(InputError, match="line 7, record C011, field birth_date"):
        CustomerBook().import_file(write_csv(tmp_path / "late.csv", rows))
    jsonl = write_jsonl(tmp_path / "bad.jsonl", [dict(r) for r in book_rows()])
    text = jsonl.read_text(encoding="utf-8").split("\n")
    text[3] = '{"customer_id": '
    jsonl.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(InputError, match="line 4: not JSON"):
        CustomerBook().import_file(jsonl)
    broken = tmp_path / "latin1.csv"
    good = BOOK.read_bytes()
    broken.write_bytes(good + "C099,person,Jos\u00e9 Ruiz\n".encode("latin-1"))
    line = good.count(b"\n") + 1
    with pytest.raises(InputError, match=f"line {line}: not UTF-8 text \\(byte {len(good) + len('C099,person,Jos')}, 0xe9\\)"):
        CustomerBook().import_file(broken)
    assert CustomerBook().count() == 0


def test_a_first_load_builds_the_indexes_at_the_end(db_url: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The first load of an empty book drops and rebuilds its indexes in its transaction:
    the same indexes after, the same book as row by row; a bad file leaves them as they were;
    a later import (the book not empty) keeps them and goes row by row."""
    indexes = _indexes(db_url)
    monkeypatch.setattr(book_module, "BULK_FROM", 0)
    rows = book_rows()
    rows[5]["id_number"] = "881102400770"  # a bad check digit on the last line
    with pytest.raises(InputError, match="check digit"):
        CustomerBook().import_file(write_csv(tmp_path / "bad.csv", rows))
    assert _indexes(db_url) == indexes and CustomerBook().count() == 0

    summary = CustomerBook().import_file(BOOK)
    assert summary.to_dict() == {"imported": 6, "updated": 0, "unchanged": 0, "closed": 0}
    assert _indexes(db_url) == indexes
    with transaction() as conn:
        counts = {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in (t.customers, t.versions, t.accounts, t.links)}
        links = sorted(tuple(r) for r in conn.execute(select(t.links.c.customer_id, t.links.c.ref, t.links.c.role,
                                                             t.links.c.share)))
    customers = book_module.parse_file(BOOK)
    assert counts == {"cust_customers": 6, "cust_versions": 6,
                      "cust_accounts": sum(len(c.accounts) for c in customers), "cust_links": len(links)}, counts
    assert links == sorted((c.customer_id, o.ref, o.role, o.share) for c in customers
                           for o in [*c.owners, *c.directors]) and links, links
    c10 = CustomerBook().show("C010", history=True)
    assert c10["status"] == "unscreened" and [h["change"] for h in c10["history"]] == ["imported"]
    assert [a["account"] for a in c10["accounts"]] == ["KZ147220000000000005"]
    # the keys hold after the rebuild: an account twice is refused by the book
    other = [{"customer_id": "J3", "name": "Someone Else", "accounts": ["KZ147220000000000005"]}]
    with pytest.raises(InputError, match="held by customer C010"):
        CustomerBook().import_file(write_jsonl(tmp_path / "other.jsonl", other))
    again = CustomerBook().import_file(BOOK, full=True)
    assert json.dumps(again.to_dict()) == json.dumps({"imported": 0, "updated": 0, "unchanged": 6, "closed": 0})
    assert _indexes(db_url) == indexes
