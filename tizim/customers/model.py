"""A customer as the bank's book holds it, read from CSV or JSON lines and checked field by field.

A record is normalized once (whitespace, country codes, dates, accounts) so that the same
customer written twice has the same content hash: importing an unchanged file changes nothing,
and a changed row becomes a new version of that customer.
"""

from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from tizim.customers.identifiers import iin_is_valid
from tizim.errors import InputError
from tizim.registry.countries import country_code

TYPES = ("person", "organization")
COLUMNS = ("customer_id", "type", "name", "aliases", "birth_date", "nationality", "country",
           "id_number", "address", "accounts", "owners", "directors")
LIST_FIELDS = ("aliases", "accounts", "owners", "directors")
_KNOWN = frozenset(COLUMNS)
# Real customer fields never come near these; a longer value is a broken file, not a name.
MAX_FIELD = 2_000
MAX_ITEMS = 200
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_ID_CLEAN = re.compile(r"[\s\-./]")
# "C0000042 (51%)": an owner and the share held; the share is optional.
_SHARE = re.compile(r"^(?P<who>.+?)\s*\(\s*(?P<share>\d{1,3}(?:[.,]\d+)?)\s*%\s*\)\s*$")


@dataclass(frozen=True)
class Owner:
    """An owner or director: another customer of the book (by id) or a bare name."""

    ref: str
    role: str  # owner | director
    share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ref": self.ref, "role": self.role}
        if self.share is not None:
            out["share"] = self.share
        return out


@dataclass
class Customer:
    customer_id: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    birth_date: str | None = None
    nationality: str | None = None
    country: str | None = None
    id_number: str | None = None
    address: str | None = None
    accounts: list[str] = field(default_factory=list)
    owners: list[Owner] = field(default_factory=list)
    directors: list[Owner] = field(default_factory=list)

    @property
    def schema(self) -> str:
        return "Person" if self.type == "person" else "Organization"

    @property
    def names(self) -> list[str]:
        return [self.name, *[a for a in self.aliases if a != self.name]]

    def id_kind(self) -> str:
        """The identifier's type as the screening engine groups them."""
        if self.id_number and len(self.id_number) == 12 and self.id_number.isdigit():
            return "iin" if self.type == "person" else "bin"
        return "other"

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "type": self.type,
            "name": self.name,
            "aliases": self.aliases,
            "birth_date": self.birth_date,
            "nationality": self.nationality,
            "country": self.country,
            "id_number": self.id_number,
            "address": self.address,
            "accounts": self.accounts,
            "owners": [o.to_dict() for o in self.owners],
            "directors": [d.to_dict() for d in self.directors],
        }

    @classmethod
    def from_stored(cls, data: dict[str, Any]) -> Customer:
        """A record as stored by the book (already checked)."""
        return cls(
            customer_id=data["customer_id"], type=data["type"], name=data["name"],
            aliases=list(data.get("aliases") or []), birth_date=data.get("birth_date"),
            nationality=data.get("nationality"), country=data.get("country"),
            id_number=data.get("id_number"), address=data.get("address"),
            accounts=list(data.get("accounts") or []),
            owners=[Owner(o["ref"], "owner", o.get("share")) for o in data.get("owners") or []],
            directors=[Owner(o["ref"], "director", o.get("share")) for o in data.get("directors") or []],
        )

    def content_hash(self, data: dict[str, Any] | None = None) -> str:
        """sha1 of the normalized record (`data`: its to_dict(), when the caller has it)."""
        # the bytes json.dumps(ensure_ascii=False, sort_keys=True, separators=(",", ":")) gives
        text = orjson.dumps(data if data is not None else self.to_dict(), option=orjson.OPT_SORT_KEYS)
        return hashlib.sha1(text).hexdigest()


def _clean(value: Any) -> str:
    return " ".join(str(value).split())


def _fail(message: str, where: dict[str, Any], field_name: str | None = None) -> InputError:
    return InputError(message, file=where.get("file"), line=where.get("line"),
                      record=where.get("record"), field=field_name)


def _text(raw: dict[str, Any], key: str, where: dict[str, Any]) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if type(value) is not str:  # CSV cells are text: the checks below are for JSON lines
        if isinstance(value, (dict, list)):
            raise _fail("must be text", where, key)
        value = str(value)
    text = " ".join(value.split())
    if len(text) > MAX_FIELD:
        raise _fail(f"{len(text)} characters; at most {MAX_FIELD}", where, key)
    if "\x00" in text:
        raise _fail("contains a NUL character", where, key)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _fail("is not valid Unicode text (a lone surrogate)", where, key) from exc
    return text or None


def _items(raw: dict[str, Any], key: str, where: dict[str, Any]) -> list[str]:
    value = raw.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = value.split(";")
    elif isinstance(value, list):
        parts = value
    else:
        raise _fail("must be a list (JSON) or ';'-separated text (CSV)", where, key)
    out: list[str] = []
    for part in parts:
        if isinstance(part, (dict, list)):
            raise _fail("each item must be text", where, key)
        text = _text({key: part}, key, where)
        if text and text not in out:
            out.append(text)
    if len(out) > MAX_ITEMS:
        raise _fail(f"{len(out)} items; at most {MAX_ITEMS}", where, key)
    return out


def parse_birth_date(value: str | None, where: dict[str, Any]) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD, a real date (no 1957/07/30, no February 30)."""
    if not value:
        return None
    m = _DATE.match(value)
    if not m:
        raise _fail(f"{value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", where, "birth_date")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)

    if not 1800 <= year <= 2100:
        raise _fail(f"{value!r}: year out of range", where, "birth_date")
    if month is not None and not 1 <= int(month) <= 12:
        raise _fail(f"{value!r}: no month {month}", where, "birth_date")
    if day is not None and not 1 <= int(day) <= calendar.monthrange(year, int(month or 1))[1]:
        raise _fail(f"{value!r}: no day {day} in that month", where, "birth_date")
    return value


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    return country_code(text)


def _country(raw: dict[str, Any], key: str, where: dict[str, Any]) -> str | None:
    text = _text(raw, key, where)
    if not text:
        return None
    code = _country_code(text)
    if code is None:
        raise _fail(f"{text!r} is not a country (ISO code or name)", where, key)
    return code.upper()


def normalize_account(value: str) -> str:
    """An account number as payments and the book compare it: no spaces, capitals."""
    return "".join(value.split()).upper()


def _id_number(raw: dict[str, Any], kind: str, where: dict[str, Any]) -> str | None:
    text = _text(raw, "id_number", where)
    if not text:
        return None
    compact = _ID_CLEAN.sub("", text)
    # twelve digits is a Kazakh IIN (people) or BIN (organizations): its check digit must hold
    if len(compact) == 12 and compact.isdigit():
        if not iin_is_valid(compact):
            label = "IIN" if kind == "person" else "BIN"
            raise _fail(f"{text!r}: the {label}'s check digit is wrong", where, "id_number")
        return compact
    return text


def _owners(raw: dict[str, Any], key: str, role: str, where: dict[str, Any]) -> list[Owner]:
    out: list[Owner] = []
    for item in _items(raw, key, where):
        share: float | None = None
        m = _SHARE.match(item)
        if m:
            item = m.group("who")
            share = float(m.group("share").replace(",", "."))
            if not 0 < share <= 100:
                raise _fail(f"share {share}% is not between 0 and 100", where, key)
        out.append(Owner(item, role, share))
    return out


def parse_customer(raw: Any, where: dict[str, Any]) -> Customer:
    """One record (a CSV row or a JSON object) into a checked Customer; InputError otherwise."""
    if not isinstance(raw, dict):
        raise _fail("a customer must be a JSON object", where)
    unknown = [] if _KNOWN.issuperset(raw) else sorted(
        k for k in raw if k not in COLUMNS and not (isinstance(k, str) and k.startswith("_")))
    if unknown:
        raise _fail(f"unknown field(s) {', '.join(map(str, unknown))} (known: {', '.join(COLUMNS)})",
                    where, str(unknown[0]))
    cid = _text(raw, "customer_id", where)
    if not cid:
        raise _fail("customer_id is required", where, "customer_id")
    if len(cid) > 128:
        raise _fail("customer_id is longer than 128 characters", where, "customer_id")
    where = {**where, "record": cid}
    kind = (_text(raw, "type", where) or "person").lower()
    if kind not in TYPES:
        raise _fail(f"unknown type {kind!r} (person or organization)", where, "type")
    name = _text(raw, "name", where)
    if not name:
        raise _fail("name is required", where, "name")
    accounts = [normalize_account(a) for a in _items(raw, "accounts", where)]
    for account in accounts:
        if len(account) > 64:
            raise _fail(f"account {account[:20]}... is longer than 64 characters", where, "accounts")
    customer = Customer(
        customer_id=cid, type=kind, name=name,
        aliases=_items(raw, "aliases", where),
        birth_date=parse_birth_date(_text(raw, "birth_date", where), where),
        nationality=_country(raw, "nationality", where),
        country=_country(raw, "country", where),
        id_number=_id_number(raw, kind, where),
        address=_text(raw, "address", where),
        accounts=list(dict.fromkeys(accounts)),
        owners=_owners(raw, "owners", "owner", where),
        directors=_owners(raw, "directors", "director", where),
    )
    if kind == "person" and (customer.owners or customer.directors):
        raise _fail("only an organization has owners or directors", where, "owners")
    return customer


# ---- files ---------------------------------------------------------------------------------


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        if fmt not in ("csv", "jsonl"):
            raise InputError(f"unknown format {fmt!r} (csv or jsonl)", file=str(path), field="format")
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    raise InputError("cannot tell the format from the extension (.csv or .jsonl); use --format",
                     file=str(path))


def check_encoding(encoding: str | None) -> str:
    """The codec a customer file is read with: UTF-8 (a byte-order mark skipped) unless the
    bank's system writes another (1C and Excel in Russian or Kazakh write Windows-1251)."""
    if encoding is None:
        return "utf-8-sig"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown text encoding {encoding!r} (utf-8, cp1251, ...)", field="encoding") from None
    return "utf-8-sig" if codec == "utf-8" else codec


def undecodable(path: Path, encoding: str, offset: int) -> InputError:
    """The error for the first byte at `offset` that `encoding` cannot read: its line, and the
    encoding to try when the file was expected to be UTF-8."""
    line, left = 1, offset
    with path.open("rb") as fh:
        while left > 0:  # counted a block at a time: the byte may be a gigabyte in
            block = fh.read(min(left, 1 << 20))
            if not block:
                break
            line += block.count(b"\n")
            left -= len(block)
        bad = fh.read(1)
    label = "UTF-8" if encoding == "utf-8-sig" else encoding
    hint = "; a file from 1C or Excel is often Windows-1251 (--encoding cp1251), or KZ-1048 with Kazakh letters (--encoding kz1048)" if label == "UTF-8" else ""
    return InputError(f"not {label} text (byte {offset}, 0x{bad.hex() or '??'}){hint}", file=str(path), line=line)


def first_undecodable(path: Path, encoding: str) -> int:
    """Where the first byte is that `encoding` cannot read (a block's error does not say)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        return offset - len(decoder.getstate()[0]) + exc.start
    return offset


def read_records(path: Path, fmt: str | None = None,
                 encoding: str | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, raw record) of a customer file; a malformed line is an InputError naming it."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    kind = detect_format(path, fmt)
    codec = check_encoding(encoding)
    try:
        text = path.read_text(encoding=codec)
    except UnicodeDecodeError as exc:
        raise undecodable(path, codec, exc.start) from exc
    if kind == "jsonl":
        yield from jsonl_records(text, str(path))
    else:
        yield from _csv(text, str(path))


def jsonl_records(text: str, name: str, start: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) of JSON lines text that starts after line `start` of its file."""
    for lineno, line in enumerate(text.split("\n"), start=start + 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"not JSON: {getattr(exc, 'msg', 'nested too deep')}", file=name,
                             line=lineno) from exc
        yield lineno, obj


DELIMITERS = (",", ";", "\t")


def csv_delimiter(header_line: str) -> str:
    """The delimiter of a customer CSV: a comma, as documented, or the semicolon (or tab) that
    Excel writes in Russian and Kazakh locales: the one whose header names the required
    columns. A cell holding the delimiter is quoted either way, aliases' `;` included."""
    for delimiter in DELIMITERS:
        cells = {cell.strip().strip('"').strip() for cell in header_line.split(delimiter)}
        if {"customer_id", "name"} <= cells:
            return delimiter
    return ","


def csv_header(header: list[str], name: str) -> list[str]:
    """A CSV file's column names, checked: the required ones there, no unknown one."""
    header = [h.strip() for h in header]
    missing = [c for c in ("customer_id", "name") if c not in header]
    if missing:
        raise InputError(f"the header lacks column(s) {', '.join(missing)}", file=name, line=1)
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)} (known: {', '.join(COLUMNS)})",
                         file=name, line=1, field=unknown[0])
    return header


def _csv(text: str, name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    delimiter = csv_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"not CSV: {exc}", file=name, line=1) from exc
    yield from csv_records(reader, csv_header(header, name), name)


def csv_records(reader: Any, header: list[str], name: str, start: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) of the rows a csv.reader gives, read from after line `start` of the file."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(f"not CSV: {exc}", file=name, line=start + reader.line_num) from exc
        if not any(cell.strip() for cell in row):
            continue
        line = start + reader.line_num
        if len(row) != len(header):
            raise InputError(f"{len(row)} fields where the header has {len(header)}", file=name, line=line)
        yield line, {k: v for k, v in zip(header, row, strict=True) if v != ""}
