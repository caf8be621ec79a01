"""Sentence splitting with character offsets into the document text.

Paragraphs are lines (or blank-line separated blocks); headings ("== X ==", "# X") name the
section and are not sentences; bullet markers are skipped. Lines under "See also",
"References", "External links" and the like are marked `meta` (navigation, not content). Inside a paragraph a sentence ends
at . ! or ? (and any closing quotes/brackets) followed by space and a capital, digit or quote,
unless the word before the period is a known abbreviation ("Dr.", "Gen.", "Jan."), an
initial ("George W. Bush") or a dotted acronym ("U.S.", "e.g.").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ABBREVIATIONS = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "capt", "maj", "sgt", "st", "jr", "sr", "no", "nos", "vs", "etc", "inc", "ltd", "co", "corp", "dept", "univ", "est", "approx", "fig", "al", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "rev", "hon", "pres", "adm", "cmdr", "gov't"]
)

_HEADING = re.compile(r"^\s*(=+)\s*(.+?)\s*=+\s*$|^\s*(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*(?:[•\-\*\u2022\u25cf\u25aa]|\d{1,2}[.)])\s+")
_META = re.compile(r"^\s*(Last Updated|Publisher|Publication Date|Cite as|Disclaimer|Search Refworld)\b",
                   re.IGNORECASE)
_BOUNDARY = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9А-ЯЁ•\-])")
_YEAR_HEADING = re.compile(r"^(?:19|20)\d\d$")
# Sections that point elsewhere rather than tell anything: their lines are furniture.
_NAVIGATION = re.compile(r"^(?:See also|References|External links|Further reading|Notes|Bibliography|Sources)$",
                         re.IGNORECASE)


@dataclass
class Sentence:
    seq: int
    start: int
    end: int
    text: str
    paragraph: int
    section: str | None = None
    heading_year: int | None = None  # a section headed by a bare year ("====2004====")
    meta: bool = False  # document furniture (publisher line, disclaimer), not content
    quoted: list[tuple[int, int]] = field(default_factory=list)  # quoted spans, sentence-relative

    def in_quote(self, pos: int) -> bool:
        return any(a <= pos < b for a, b in self.quoted)


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Spans between paired double quotes (straight or curly) within one paragraph."""
    spans: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, ch in enumerate(text):
        if ch == "“" or (ch == '"' and open_at is None):
            open_at = i
        elif (ch == "”" or ch == '"') and open_at is not None:
            spans.append((open_at, i + 1))
            open_at = None
    return spans


def _is_abbreviation(para: str, dot: int) -> bool:
    """Whether the period at `dot` closes an abbreviation rather than a sentence."""
    match = re.search(r"([A-Za-z][A-Za-z'.]*)$", para[:dot])
    if not match:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True  # an initial: "George W. Bush", "K. R. Narayanan"
    if "." in word:
        return True  # dotted acronym: "U.S.", "e.g."
    return word.lower() in ABBREVIATIONS


def split_paragraph(para: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) inside one paragraph, trimmed of surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(para):
        dot = match.start()
        if para[dot] == "." and match.group().startswith(".") and len(match.group().rstrip("\"'”’)]")) == 1 \
                and _is_abbreviation(para, dot):
            continue
        end = match.end()
        spans.append((start, end))
        start = end
    spans.append((start, len(para)))
    out = []
    for a, b in spans:
        seg = para[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if seg.strip():
            out.append((a + lead, b - trail))
    return out


def split_sentences(text: str) -> list[Sentence]:
    """Every content sentence of a document, in order, with offsets into `text`."""
    sentences: list[Sentence] = []
    section: str | None = None
    heading_year: int | None = None
    paragraph = 0
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            section = (heading.group(2) or heading.group(4) or "").strip()
            level = len(heading.group(1) or heading.group(3) or "")
            if _YEAR_HEADING.match(section):
                heading_year = int(section)
            elif level <= 3 or heading_year is None:
                # A sibling or higher heading ends the year's sub-sections.
                heading_year = None
            continue
        paragraph += 1
        body_start = line_start
        bullet = _BULLET.match(line)
        if bullet:
            body_start += bullet.end()
        para = text[body_start:line_start + len(line)]
        meta = bool(_META.match(para)) or bool(section and _NAVIGATION.match(section))
        quotes = _quote_spans(para)
        for a, b in split_paragraph(para):
            quoted = [(max(qa, a) - a, min(qb, b) - a) for qa, qb in quotes if qa < b and qb > a]
            sentences.append(Sentence(
                seq=len(sentences), start=body_start + a, end=body_start + b, text=para[a:b],
                paragraph=paragraph, section=section, heading_year=heading_year, meta=meta,
                quoted=quoted,
            ))
    return sentences
