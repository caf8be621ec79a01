"""Payment formats: detection from content and one iterator per format."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

from tizim.errors import InputError
from tizim.monitoring.model import Payment, Rejected

FORMATS = ("iso20022", "pacs.008", "pacs.009", "pain.001", "mt103", "mt202", "csv", "jsonl")
# ISO 20022 XML: each message's type is read from the message itself ("iso20022"); a
# specific type given as the format is what the message must be.
ISO20022 = ("iso20022", "pacs.008", "pacs.009", "pain.001")
# SWIFT FIN text: MT103, MT202 and MT202COV, each message typed by its own header.
SWIFT = ("mt103", "mt202")


def detect(head: bytes) -> str:
    """The format of a payment file from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().decode("utf-8", "replace")
    if text.startswith("<"):
        # A first guess from the start of the file; the reader takes each message's type
        # from the message itself (namespace, root element, business application header).
        if "CstmrCdtTrfInitn" in text or "pain.001" in text:
            return "pain.001"
        if "FIToFICstmrCdtTrf" in text or "pacs.008" in text:
            return "pacs.008"
        return "iso20022"
    if text.startswith("{1:") or text.startswith(":20:") or "\n:20:" in text[:2000] or "{4:" in text[:2000]:
        return "mt103"
    if text.startswith("{"):
        return "jsonl"
    first = text.splitlines()[0] if text else ""
    if "amount" in first.lower() and "," in first:
        return "csv"
    raise InputError("unknown payment format (expected ISO 20022 XML, SWIFT MT103/MT202, CSV or JSONL); "
                     "give --format", record="file start")


def _decode(data: bytes, name: str, per_line: bool = False) -> str:
    """UTF-8 text; `per_line` (JSON lines): bytes that are not UTF-8 are kept as surrogate
    escapes, so that line alone is rejected (iter_jsonl) and the rest of the file decided."""
    if per_line:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", file=name, line=line) from exc


def iter_file(path: Path, fmt: str | None = None) -> Iterator[Payment | Rejected]:
    """Payments and rejected messages of a file, in file order."""
    from tizim.monitoring.formats.iso20022 import iter_iso20022
    from tizim.monitoring.formats.mt103 import iter_mt103
    from tizim.monitoring.formats.tabular import iter_csv, iter_jsonl

    name = str(path)
    with path.open("rb") as handle:
        head = handle.read(8192)
    given = fmt
    fmt = fmt or detect(head)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt in ISO20022:
        yield from iter_iso20022(path, name, given or "")
        return
    text = _decode(path.read_bytes(), name, per_line=fmt == "jsonl")
    if fmt in SWIFT:
        yield from iter_mt103(text, name, given)
    elif fmt == "jsonl":
        yield from iter_jsonl(text, name)
    else:
        yield from iter_csv(text, name)


def iter_text(body: str | bytes, fmt: str | None = None, name: str = "request") -> Iterator[Payment | Rejected]:
    """Payments in a request body (HTTP): ISO 20022 XML, SWIFT MT text or JSON."""
    from tizim.monitoring.formats.iso20022 import iter_iso20022
    from tizim.monitoring.formats.mt103 import iter_mt103
    from tizim.monitoring.formats.tabular import iter_csv, iter_jsonl

    data = body.encode() if isinstance(body, str) else body
    given = fmt
    fmt = fmt or detect(data[:8192])
    if fmt in ISO20022:
        if b"<!ENTITY" in data.upper() or b"<!DOCTYPE" in data.upper():
            yield Rejected(reason="XML DOCTYPE/entity declarations are forbidden", source=name, format=fmt)
            return
        yield from iter_iso20022(io.BytesIO(data), name, given or "")
        return
    text = _decode(data, name, per_line=fmt == "jsonl")
    if fmt in SWIFT:
        yield from iter_mt103(text, name, given)
    elif fmt == "jsonl":
        yield from iter_jsonl(text.replace("\n", " ") if text.lstrip().startswith("{") else text, name)
    else:
        yield from iter_csv(text, name)
