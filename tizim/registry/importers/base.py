"""What every importer shares: hashing, safe XML parsing, text decoding with clear errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from defusedxml import DTDForbidden, EntitiesForbidden
from lxml import etree

from tizim.errors import InputError

# A BIC inside a longer text ("SWIFT/BIC: KUDBKPPY", "... SWIFT/BIC – EIHBIRTH", "SWIFT:
# DCBKKPPY."): 8 or 11 letters and digits, the first six letters (bank and country)
_BIC_IN_TEXT = re.compile(
    r"\b(?i:SWIFT|BIC)\b(?:\s*/\s*(?i:BI[CN]))?(?:\s*(?i:code))?\s*[:\-–—]?\s*"
    r"([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b")


def bics_in_text(text: str) -> list[str]:
    """The SWIFT/BIC codes a free text states, each once, in order."""
    return list(dict.fromkeys(m.group(1) for m in _BIC_IN_TEXT.finditer(text)))


_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_hash(paths: list[Path]) -> str:
    """One hash over several files (a CSV set is one version)."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(file_hash(path).encode())
    return digest.hexdigest()


def safe_xml_parser() -> etree.XMLParser:
    # No DTD loading, no entity resolution, no network: billion-laughs and XXE cannot run.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=True,
    )


def check_xml_prolog(path: Path, head: bytes) -> None:
    """Refuse entity declarations outright (defusedxml's policy), naming the file."""
    if _ENTITY_DECL.search(head):
        exc = EntitiesForbidden("entity", None, None, None, None, None)
        raise InputError(f"XML entity declarations are forbidden ({type(exc).__name__})", file=str(path))
    if _DOCTYPE.search(head) and b"[" in head.split(b"<!DOCTYPE", 1)[-1].split(b">", 1)[0]:
        exc2 = DTDForbidden("doctype", None, None)
        raise InputError(f"XML internal DTD subsets are forbidden ({type(exc2).__name__})", file=str(path))


def parse_xml(path: Path) -> etree._Element:
    """Parse a whole XML file safely; syntax errors name the file and line."""
    data = path.read_bytes()
    check_xml_prolog(path, data[:65536])
    try:
        root = etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise InputError(f"malformed XML: {exc.msg}", file=str(path), line=line) from exc
    # A DTD pushed past the 64 KiB head (padding) is not expanded by the parser, but refuse
    # it all the same: no list format declares entities.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]  # not in lxml-stubs
        raise InputError("XML entity declarations are forbidden (EntitiesForbidden)", file=str(path))
    return root


def iter_xml(path: Path, records: tuple[str, ...]) -> Iterator[tuple[str, etree._Element]]:
    """Stream an XML file safely, as (what, element) pairs: ("root", root) once its start tag
    is read (its attributes only), ("header", child) for each complete child of the root met
    before the first record, ("record", element) for each complete element whose local name
    is in `records`. Each record is freed once the caller moves on, so memory holds one
    record, whatever the file's size. Syntax errors, a cut-off file's included, name the
    file and line when the reading reaches them."""
    with path.open("rb") as handle:
        check_xml_prolog(path, handle.read(65536))
    context = etree.iterparse(str(path), events=("start", "end"), resolve_entities=False, no_network=True,
                              load_dtd=False, dtd_validation=False, huge_tree=False, remove_blank_text=True)
    depth = 0  # of the element an event is about: the root is 1
    record_depth = 0  # of the record being read, 0 outside records
    seen_record = False
    root: etree._Element | None = None
    try:
        for event, node in context:
            if event == "start":
                depth += 1
                if root is None:
                    root = node
                    # The DTD precedes the root: one pushed past the 64 KiB head (padding) is
                    # not expanded by the parser, but is refused all the same.
                    dtd = root.getroottree().docinfo.internalDTD
                    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[union-attr]  # not in lxml-stubs
                        raise InputError("XML entity declarations are forbidden (EntitiesForbidden)", file=str(path))
                    yield "root", node
                if not record_depth and local(node.tag) in records:
                    record_depth = depth
                continue
            depth -= 1
            if record_depth and depth + 1 > record_depth:
                continue  # inside a record: read with it
            if record_depth:
                record_depth = 0
                seen_record = True
                yield "record", node
            elif depth + 1 == 2 and not seen_record:
                yield "header", node
                continue
            elif not seen_record:
                continue  # inside a header element
            node.clear()
            parent = node.getparent()
            if parent is not None:
                while node.getprevious() is not None:
                    del parent[0]  # the siblings already read
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise InputError(f"malformed XML: {exc.msg}", file=str(path), line=line) from exc


def xml_header(path: Path, records: tuple[str, ...]) -> tuple[etree._Element, list[etree._Element]]:
    """The root (attributes) and the root's children before the first record: what a list
    file says about itself (publication date, count), read without reading the records."""
    root: etree._Element | None = None
    header: list[etree._Element] = []
    for what, node in iter_xml(path, records):
        if what == "root":
            root = node
        elif what == "header":
            header.append(node)
        else:
            break
    if root is None:
        raise InputError("no XML element in the file", file=str(path))
    return root, header


def local(tag: Any) -> str:
    """Tag name without its namespace."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def decode(path: Path, data: bytes, encoding: str, fallback: str | None = None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if fallback:
            try:
                return data.decode(fallback)
            except UnicodeDecodeError:
                pass
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"not valid {encoding} text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=str(path),
            line=line,
        ) from exc


def check_csv_complete(path: Path, machine_made: bool = True) -> None:
    """Refuse a CSV file cut off mid-record, naming the file and the line.

    A file that ends inside its first line was cut inside its header. A publisher's file
    (`machine_made`) ends every record with a line end, so a last line without one was cut
    in the middle of a record (a row cut between fields can still have the right number of
    values). Unterminated quotes are left to the strict csv reader. Reads only the file's
    head and tail.
    """
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(65536)
        handle.seek(max(0, size - 16))
        tail = handle.read().rstrip(b"\x1a")  # OFAC's DOS end-of-file mark
    if not head.strip(b"\x1a"):
        return
    if size <= len(head) and b"\n" not in head and b"\r" not in head:
        raise InputError("the file ends inside its first line (no line end): truncated in the header?",
                         file=str(path), line=1)
    if machine_made and not tail.endswith((b"\n", b"\r")):
        with path.open("rb") as handle:
            line = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) + 1
        raise InputError("the last record has no line end: the file looks truncated (cut off mid-record)",
                         file=str(path), line=line)


def text_lines(path: Path, encoding: str = "utf-8-sig") -> Iterator[str]:
    """The file's lines as text, read as a stream (for csv.reader: newline=""), so a large
    table is never held whole in memory; bytes that are not `encoding` name their line."""
    number = 0
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for number, line in enumerate(handle, 1):  # noqa: B007 (the count is used after)
                if "\x00" in line:
                    raise InputError("a NUL character (binary data?) in a text table", file=str(path), line=number)
                yield line
        except UnicodeDecodeError as exc:
            raise InputError(f"not valid {encoding.removesuffix('-sig')} text ({exc.reason})",
                             file=str(path), line=number + 1) from exc


def slug(text: str) -> str:
    """An id-safe form of a list reference: 'QDe.010' -> 'qde-010'."""
    cleaned = re.sub(r"[^0-9a-zA-Z]+", "-", text.strip()).strip("-").lower()
    return cleaned or hashlib.sha1(text.encode()).hexdigest()[:12]


def make_id(list_name: str, reference: str) -> str:
    return f"{list_name}-{slug(reference)}"
