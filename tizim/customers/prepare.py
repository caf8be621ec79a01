"""A customer file read, checked and prepared for the book, a block at a time.

The importing process only cuts the file into blocks of whole records (a large file's blocks
go to worker processes, at most a few ahead, so memory stays bounded): the workers parse the
CSV or JSON lines, check every record and hand back a `Chunk` of columns, the rows the book
writes, so the process that stores them does almost nothing per customer. The first bad
record in file order raises, as it would one by one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from tizim.customers.model import (
    Customer,
    check_encoding,
    csv_delimiter,
    csv_header,
    csv_records,
    detect_format,
    first_undecodable,
    jsonl_records,
    parse_customer,
    undecodable,
)
from tizim.errors import InputError

PARALLEL_FROM = 8 << 20  # bytes of file: below this, worker processes cost more than they save
BLOCK_CHARS = 1 << 20  # characters of file per block (about 5,000 customers)


@dataclass(frozen=True)
class Prepared:
    """A checked record, ready to store: its normalized JSON (sorted keys: the same text for
    the same content), that text's digest, and the fields the book's own columns and checks
    need."""

    line: int | None
    text: str
    digest: str
    customer_id: str
    type: str
    name: str
    accounts: tuple[str, ...]
    linked: bool  # has owners or directors

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = orjson.loads(self.text)
        return loaded


class Chunk(NamedTuple):
    """Checked records as columns (lists pickle between processes far cheaper than one object
    a record), with the account and link rows of the book already made."""

    ids: list[str]
    lines: list[int | None]
    types: list[str]
    names: list[str]
    texts: list[str]
    digests: list[str]
    accounts: list[tuple[str, ...]]
    linked: list[bool]
    account_ids: list[str]  # every account of the chunk, sorted
    account_owners: list[str]  # the customer holding each
    links: list[tuple[str, str, str, float | None]]  # customer_id, ref, role, share

    def items(self) -> Iterator[Prepared]:
        for row in zip(self.lines, self.texts, self.digests, self.ids, self.types, self.names, self.accounts,
                       self.linked, strict=True):
            yield Prepared(*row)


def prepare(customer: Customer, line: int | None = None) -> Prepared:
    return next(prepare_chunk([(customer, line)]).items())


def prepare_chunk(customers: Iterable[tuple[Customer, int | None]]) -> Chunk:
    chunk = Chunk([], [], [], [], [], [], [], [], [], [], [])
    accounts: list[tuple[str, str]] = []
    links: dict[tuple[str, str, str], float | None] = {}
    for c, line in customers:
        text = orjson.dumps(c.to_dict(), option=orjson.OPT_SORT_KEYS)
        cid = c.customer_id
        chunk.ids.append(cid)
        chunk.lines.append(line)
        chunk.types.append(c.type)
        chunk.names.append(c.name)
        chunk.texts.append(text.decode("utf-8"))
        chunk.digests.append(hashlib.sha1(text).hexdigest())
        chunk.accounts.append(tuple(c.accounts))
        chunk.linked.append(bool(c.owners or c.directors))
        accounts += [(a, cid) for a in c.accounts]
        for link in [*c.owners, *c.directors]:
            links[(cid, link.ref[:300], link.role)] = link.share
    accounts.sort()  # the accounts' primary key is filled in order, page by page
    chunk.account_ids.extend(a for a, _ in accounts)
    chunk.account_owners.extend(cid for _, cid in accounts)
    chunk.links.extend((cid, ref, role, share) for (cid, ref, role), share in links.items())
    return chunk


class FileChecks:
    """What only the whole file shows: a customer id twice, an account under two customers."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[str, int | None] = {}
        self.owner_of: dict[str, str] = {}

    def add_chunk(self, chunk: Chunk) -> None:
        ids, accounts = chunk.ids, chunk.account_ids
        if (self.seen.keys().isdisjoint(ids) and len(set(ids)) == len(ids)
                and self.owner_of.keys().isdisjoint(accounts) and len(set(accounts)) == len(accounts)):
            self.seen.update(zip(ids, chunk.lines, strict=True))
            self.owner_of.update(zip(accounts, chunk.account_owners, strict=True))
            return
        for item in chunk.items():  # something occurs twice: find the first, in file order
            self.add(item)

    def add(self, item: Prepared) -> None:
        cid, line = item.customer_id, item.line
        if cid in self.seen:
            raise InputError(f"customer_id {cid!r} occurs twice (first on line {self.seen[cid]})",
                             file=self.name, line=line, record=cid, field="customer_id")
        self.seen[cid] = line
        for account in item.accounts:
            other = self.owner_of.get(account)
            if other is not None:
                raise InputError(f"account {account} also belongs to {other} (line {self.seen.get(other)})",
                                 file=self.name, line=line, record=cid, field="accounts")
            self.owner_of[account] = cid


# ---- blocks of a file ----------------------------------------------------------------------


class Resplit(Exception):
    """A CSV block ended inside a quoted field: a stray quote in an unquoted field misled the
    cut. The import starts again reading the file as one text (exact, slower)."""


class Block(NamedTuple):
    name: str
    kind: str  # csv | jsonl
    header: list[str]
    start: int  # lines of the file before this block
    text: str
    delimiter: str = ","


def read_blocks(path: Path, fmt: str | None = None, encoding: str | None = None) -> Iterator[Block | InputError]:
    """The file in blocks of whole records (a CSV record may span lines: a block ends where
    its quotes are balanced); a file the encoding cannot read yields its error in its place."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    kind, name, codec = detect_format(path, fmt), str(path), check_encoding(encoding)
    # text mode reads newlines as read_text does (\r\n and \r become \n)
    with path.open(encoding=codec) as fh:
        try:
            header: list[str] = []
            start = 0
            delimiter = ","
            if kind == "csv":
                text = _whole_records(fh, fh.readline())
                if not text:
                    return
                delimiter = csv_delimiter(text.split("\n", 1)[0])
                header = _header(text, name, delimiter)
                start = text.count("\n")
            while lines := fh.readlines(BLOCK_CHARS):
                text = "".join(lines)
                if kind == "csv":
                    text = _whole_records(fh, text)
                yield Block(name, kind, header, start, text, delimiter)
                start += text.count("\n")
        except UnicodeDecodeError:
            yield undecodable(path, codec, first_undecodable(path, codec))


def _whole_records(fh: io.TextIOBase, text: str) -> str:
    quotes = text.count('"')
    while quotes % 2:
        more = fh.readline()
        if not more:
            break
        text += more
        quotes += more.count('"')
    return text


def _header(text: str, name: str, delimiter: str) -> list[str]:
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter), [])
    except csv.Error as exc:
        raise InputError(f"not CSV: {exc}", file=name, line=1) from exc
    return csv_header(header, name)


def _records(block: Block) -> Iterator[tuple[int, dict[str, Any]]]:
    if block.kind == "jsonl":
        yield from jsonl_records(block.text, block.name, block.start)
        return
    reader = csv.reader(io.StringIO(block.text, newline=""), strict=True, delimiter=block.delimiter)
    try:
        yield from csv_records(reader, block.header, block.name, block.start)
    except InputError as exc:
        if isinstance(exc.__cause__, csv.Error) and "unexpected end of data" in str(exc.__cause__):
            raise Resplit from exc
        raise


def prepare_block(block: Block) -> Chunk:
    return prepare_chunk((parse_customer(raw, {"file": block.name, "line": line}), line)
                         for line, raw in _records(block))


def prepare_records(records: Iterable[tuple[int, Any]], name: str, size: int = 5_000) -> Iterator[Chunk]:
    """Records already read (the whole file as one text: after a Resplit), in chunks, here."""
    batch: list[tuple[int, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield prepare_chunk((parse_customer(raw, {"file": name, "line": line}), line) for line, raw in batch)
            batch = []
    if batch:
        yield prepare_chunk((parse_customer(raw, {"file": name, "line": line}), line) for line, raw in batch)


def prepare_file(path: Path, fmt: str | None = None, parallel: bool | None = None,
                 encoding: str | None = None) -> Iterator[Chunk]:
    """Chunks of a file in file order; a large one (or `parallel`) in worker processes while
    the caller stores the chunks before."""
    blocks = read_blocks(path, fmt, encoding)
    workers = min(os.cpu_count() or 1, 4)
    if parallel is None:
        parallel = path.stat().st_size >= PARALLEL_FROM
    if not parallel or workers < 2:
        for block in blocks:
            if isinstance(block, InputError):
                raise block
            yield prepare_block(block)
        return
    with mp.get_context("fork").Pool(workers) as pool:
        # at most a few blocks ahead of the writer: Pool.imap would read and check the whole
        # file into memory while this process is still storing its first chunks
        ahead: deque[Any] = deque()
        for block in blocks:
            if isinstance(block, InputError):
                while ahead:  # an earlier bad record is the first error
                    yield ahead.popleft().get()
                raise block
            ahead.append(pool.apply_async(prepare_block, (block,)))
            if len(ahead) > 2 * workers:
                yield ahead.popleft().get()
        while ahead:
            yield ahead.popleft().get()
