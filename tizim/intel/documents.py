"""Reading source documents: plain text, Markdown, HTML and PDF into one text with metadata.

The text we store is the text we cite: every offset in sentences, mentions and facts points
into it, so it is extracted once here and never re-normalised afterwards.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from tizim.errors import InputError
from tizim.registry.dates import parse_date

FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}


@dataclass
class Document:
    path: str
    sha256: str
    format: str
    text: str
    title: str | None = None
    publisher: str | None = None
    published_at: str | None = None


def load_document(path: Path) -> Document:
    """Read one file into a Document; the hash is over the raw bytes (re-ingest detection)."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        fmt = "html" if raw.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")) else "text"
    if fmt == "pdf":
        text = _pdf_text(path)
    else:
        try:
            decoded = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", file=str(path)) from exc
        text = _html_text(decoded, path) if fmt == "html" else decoded
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError("document holds no text", file=str(path))
    doc = Document(path=str(path), sha256=digest, format=fmt, text=text)
    doc.title, doc.publisher, doc.published_at = metadata(text, fmt)
    return doc


def _html_text(markup: str, path: Path) -> str:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"malformed HTML: {exc}", file=str(path)) from exc
    for bad in root.iter("script", "style", "noscript"):
        bad.drop_tree()  # type: ignore[attr-defined]
    # Block elements end a paragraph; text_content() alone would glue them together.
    blocks = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "section",
              "article", "header", "footer", "blockquote", "title", "dd", "dt"}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in blocks:
            el.tail = "\n\n" + (el.tail or "")
            if el.tag.lower().startswith("h") and len(el.tag) == 2:
                # Keep headings recognisable as headings for the sentence splitter.
                el.text = "== " + (el.text or "")
                if len(el):
                    el[-1].tail = (el[-1].tail or "") + " =="
                else:
                    el.text = el.text + " =="
    text = str(root.text_content())  # type: ignore[attr-defined]
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return out + "\n"


def _pdf_text(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pypdf is a declared dependency; say so if it is missing
        raise InputError("PDF support needs pypdf (pip install pypdf)", file=str(path)) from exc
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, OSError) as exc:
        raise InputError(f"unreadable PDF: {exc}", file=str(path)) from exc
    return "\n\n".join(pages)


_META = re.compile(r"^\s*(Publisher|Publication Date|Published|Date|Author|Title)\s*[:\-]?\s+(.+?)\s*$",
                   re.IGNORECASE | re.MULTILINE)


def metadata(text: str, fmt: str) -> tuple[str | None, str | None, str | None]:
    """Title, publisher and publication date where the text states them."""
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    for match in _META.finditer(text[:5000]):
        key, value = match.group(1).lower(), match.group(2)
        if key == "publisher" and publisher is None:
            publisher = value
        elif key in ("publication date", "published", "date") and published is None:
            published = parse_date(value)
        elif key == "title" and title is None:
            title = value
    if title is None:
        for line in text.splitlines()[:15]:
            stripped = line.strip()
            heading = re.fullmatch(r"(=+|#+)\s*(.+?)\s*=*", stripped)
            if heading:
                title = heading.group(2).strip()
                break
            if (stripped and len(stripped) < 150 and not stripped.endswith(".")
                    and not re.match(r"(?i)last updated|publisher|publication date|cite as", stripped)):
                title = stripped
                break
    return title, publisher, published
