"""Customer files as banks' systems write them: Excel's semicolons (Russian and Kazakh
locales), Windows-1251 and KZ-1048 text from 1C, and what is said when the encoding is wrong."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from tests.customers.helpers import BOOK, HEADER, book_rows
from tizim.cli import app
from tizim.customers import prepare
from tizim.customers.book import CustomerBook, parse_file
from tizim.customers.model import COLUMNS, csv_delimiter
from tizim.errors import InputError


def _write(path: Path, rows: list[dict[str, str]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="", errors="strict") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADER, delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in HEADER} for row in rows)
    return path


def _encodable(row: dict[str, str], encoding: str) -> bool:
    try:
        "".join(row.values()).encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _records(path: Path, **kwargs: str) -> list[dict[str, object]]:
    return [c.to_dict() for c in parse_file(path, **kwargs)]


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_excel_semicolons_and_tabs_read_as_commas(tmp_path: Path, delimiter: str) -> None:
    """The accounts' own `;` is quoted by the writer, as Excel does: the same customers."""
    rows = book_rows()
    assert any(";" in row["accounts"] for row in rows)
    other = _write(tmp_path / "book.csv", rows, delimiter)
    assert _records(other) == _records(BOOK)


def test_semicolons_in_blocks_checked_by_workers(sqlite_url: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A large file is cut into blocks: each block is read with the header's delimiter."""
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 200)
    other = _write(tmp_path / "book.csv", book_rows(), ";")
    blocks = [item.data() for chunk in prepare.prepare_file(other, parallel=True) for item in chunk.items()]
    assert blocks == [item.data() for chunk in prepare.prepare_file(BOOK, parallel=True) for item in chunk.items()]
    assert CustomerBook().import_file(other).imported == len(book_rows())


@pytest.mark.parametrize("encoding", ["cp1251", "kz1048"])
def test_a_file_from_1c_is_read_with_its_encoding(db_url: str, tmp_path: Path, encoding: str) -> None:
    rows = [row for row in book_rows() if _encodable(row, encoding)]
    assert len(rows) >= 3
    rows[0]["name"] = "Сәрсенбаев Ерлан" if encoding == "kz1048" else "Сарсенбаев Ерлан"
    legacy = _write(tmp_path / "book.csv", rows, ";", encoding)
    utf8 = _write(tmp_path / "utf8.csv", rows)
    runner = CliRunner()
    refused = runner.invoke(app, ["customers", "import", str(legacy)])
    said = str(refused.exception)
    assert refused.exit_code != 0 and isinstance(refused.exception, InputError)
    assert f"{legacy}, line 2" in said and "not UTF-8" in said and f"--encoding {encoding}" in said
    assert CustomerBook().count() == 0
    taken = runner.invoke(app, ["customers", "import", str(legacy), "--encoding", encoding, "--json"])
    assert taken.exit_code == 0, taken.output
    assert CustomerBook().show(rows[0]["customer_id"])["name"] == rows[0]["name"]
    # the same customers as the UTF-8 file: importing it changes nothing
    assert CustomerBook().import_file(utf8).unchanged == len(rows)


def test_the_error_names_the_line_of_the_first_unreadable_byte(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """In a large file the byte is far from the header, past the first block."""
    monkeypatch.setattr(prepare, "BLOCK_CHARS", 200)
    rows = book_rows()
    text = _write(tmp_path / "book.csv", rows).read_bytes()
    lines = text.split(b"\r\n")
    lines[5] = lines[5].replace("а".encode(), "а".encode("cp1251"), 1)
    (tmp_path / "mixed.csv").write_bytes(b"\r\n".join(lines))
    for parallel in (False, True):
        with pytest.raises(InputError, match=r"mixed.csv, line 6: not UTF-8 text \(byte \d+, 0xe0\)"):
            list(prepare.prepare_file(tmp_path / "mixed.csv", parallel=parallel))
    with pytest.raises(InputError, match="unknown text encoding 'klingon'"):
        parse_file(BOOK, encoding="klingon")


@given(st.permutations(list(COLUMNS)), st.sampled_from([",", ";", "\t"]), st.integers(2, len(COLUMNS)))
def test_the_delimiter_is_the_one_that_names_the_required_columns(columns: list[str], delimiter: str,
                                                                  keep: int) -> None:
    kept = columns[:keep] + [c for c in ("customer_id", "name") if c not in columns[:keep]]
    header = delimiter.join(f'"{c}"' if len(c) % 2 else c for c in kept)
    assert csv_delimiter(header) == delimiter
