"""Dates in running text, resolved against the document's own context into ISO 8601.

Absolute dates ("17 November 2006", "May 2005", "in 2004") are taken as written, partial
where the text is ("2006-03"). Dates without a year ("on 30 March", "In January") take it
from the context: the year of a section headed by a bare year, else the last year the text
stated outside a "since/for"-phrase; inside one paragraph a yearless date that would fall
before the paragraph's last date moves to the next year (narrative order). Relative phrases
("three days later", "the day after", "by year's end") count from the last resolved date.
Ranges ("28 March-1 April 2004", "24–26 August 2006") and seasons ("spring 2004") become ISO
intervals ("2004-03-28/2004-04-01", "2004-03/2004-05").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tizim.intel.sentences import Sentence

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 2)}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
}
for _tens in ("twenty", "thirty", "forty", "fifty"):
    for _unit in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"):
        NUMBER_WORDS[f"{_tens}-{_unit}"] = NUMBER_WORDS[_tens] + NUMBER_WORDS[_unit]

_M = r"(?P<{n}>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_DASH = r"\s*(?:-|–|—|to|and|until)\s*"
_Y = r"(?P<{n}>(?:1[89]|20)\d\d)"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 28 March-1 April 2004
    ("dm-dmy", re.compile(rf"\b(?P<d1>\d{{1,2}})\s+{_M.format(n='m1')}{_DASH}(?P<d2>\d{{1,2}})\s+{_M.format(n='m2')},?\s+{_Y.format(n='y')}\b")),
    # 24–26 August 2006, 12 and 13 May 2005
    ("d-dmy", re.compile(rf"\b(?P<d1>\d{{1,2}}){_DASH}(?P<d2>\d{{1,2}})\s+{_M.format(n='m')},?\s+{_Y.format(n='y')}\b")),
    # December 1-2, October 14-15 (no year)
    ("md-d", re.compile(rf"\b{_M.format(n='m')}\s+(?P<d1>\d{{1,2}})\s*(?:-|–)\s*(?P<d2>\d{{1,2}})\b(?!,?\s+\d{{4}})")),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})\s+{_M.format(n='m')},?\s+{_Y.format(n='y')}\b")),
    ("mdy", re.compile(rf"\b{_M.format(n='m')}\s+(?P<d>\d{{1,2}}),?\s+{_Y.format(n='y')}\b")),
    ("season-y", re.compile(rf"\b(?P<s>spring|summer|autumn|fall|winter)(?:\s+and\s+(?P<s2>spring|summer|autumn|fall|winter))?\s+(?:of\s+)?{_Y.format(n='y')}\b", re.I)),
    ("my", re.compile(rf"\b(?:(?P<q>early|mid|late)[\s-]+)?{_M.format(n='m')},?\s+(?:of\s+)?{_Y.format(n='y')}\b")),
    ("dm", re.compile(rf"\b(?P<d>\d{{1,2}})\s+{_M.format(n='m')}(?!\w)")),
    ("md", re.compile(rf"\b{_M.format(n='m')}\s+(?P<d>\d{{1,2}})\b(?!\d|,?\s+\d{{4}})")),
    ("yrange", re.compile(rf"\b{_Y.format(n='y')}\s*(?:-|–)\s*(?P<y2>(?:19|20)?\d\d)\b")),
    ("m", re.compile(r"(?:\b(?:in|In|since|Since|during|During|by|By|until|Until|of|early|mid|late)|['’]s)\s+(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)\b(?!\s+\d)")),
    ("y", re.compile(rf"(?<![\d-]){_Y.format(n='y')}(?![\d-]|\s*(?:-|–)\s*\d)")),
    ("rel-n", re.compile(r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)\s+(?P<u>day|week|month|year)s?\s+(?P<dir>later|after|earlier|before)\b", re.I)),
    ("rel-1", re.compile(r"\bthe\s+(?P<w>day|week|month|year)\s+(?P<dir>after|before)\b|\bthe\s+(?P<w2>next|following|previous)\s+(?P<u2>day|week|month|year)\b", re.I)),
    ("year-end", re.compile(r"\b(?:by|at|until)\s+(?:the\s+)?(?:year's|year)\s+end\b|\bby\s+the\s+end\s+of\s+the\s+year\b", re.I)),
    ("this-year", re.compile(r"\b(?P<w>this|last|next)\s+year\b", re.I)),
]

# A date right after these words is not when the sentence's event happened.
_NOT_EVENT = re.compile(r"(?:since|until|till|prior to|before|after|following)(?:\s+the)?\s*$", re.I)


@dataclass
class DateMention:
    start: int  # sentence-relative
    end: int
    text: str
    value: str  # ISO 8601, partial or interval
    event: bool  # may be the date of the sentence's event (not "since 2004", "prior to")


def _fmt(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _parse_iso(value: str) -> tuple[int, int | None, int | None]:
    head = value.split("/", 1)[0]
    parts = [int(p) for p in head.split("-")]
    return parts[0], (parts[1] if len(parts) > 1 else None), (parts[2] if len(parts) > 2 else None)


def _valid(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


class DateResolver:
    """Walks a document's sentences in order, keeping the context dates need."""

    def __init__(self, default_year: int | None = None) -> None:
        self.year: int | None = default_year
        self.anchor: str | None = None
        self.paragraph: int | None = None
        self.para_anchor: str | None = None

    def resolve(self, sentence: Sentence) -> list[DateMention]:
        if sentence.meta:
            return []
        if sentence.paragraph != self.paragraph:
            self.paragraph = sentence.paragraph
            self.para_anchor = None
        text = sentence.text
        taken: list[tuple[int, int]] = []
        found: list[DateMention] = []
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                a, b = match.span()
                if any(a < tb and b > ta for ta, tb in taken):
                    continue
                value = self._value(kind, match, sentence)
                if value is None:
                    continue
                taken.append((a, b))
                before = text[max(0, a - 12):a]
                event = kind != "yrange" and (kind in ("dm-dmy", "d-dmy") or not _NOT_EVENT.search(before))
                # Dates in quoted speech count from the speaker's day, not the narrative's.
                event = event and not sentence.in_quote(a)
                found.append(DateMention(a, b, match.group(), value, event))
        found.sort(key=lambda m: m.start)
        for mention in found:
            self._remember(mention)
        return found

    def _context_year(self, sentence: Sentence) -> int | None:
        return sentence.heading_year or self.year

    def _value(self, kind: str, m: re.Match[str], sentence: Sentence) -> str | None:
        g = m.groupdict()
        if kind == "dm-dmy":
            y = int(g["y"])
            m1, m2 = MONTHS[g["m1"].lower()], MONTHS[g["m2"].lower()]
            d1, d2 = int(g["d1"]), int(g["d2"])
            if not (_valid(y, m1, d1) and _valid(y, m2, d2)):
                return None
            return f"{_fmt(y, m1, d1)}/{_fmt(y, m2, d2)}"
        if kind == "d-dmy":
            y, mo = int(g["y"]), MONTHS[g["m"].lower()]
            d1, d2 = int(g["d1"]), int(g["d2"])
            if not (_valid(y, mo, d1) and _valid(y, mo, d2)) or d2 < d1:
                return None
            return f"{_fmt(y, mo, d1)}/{_fmt(y, mo, d2)}"
        if kind == "md-d":
            mo = MONTHS[g["m"].lower()]
            y2 = self._year_for(sentence, mo)
            if y2 is None:
                return None
            d1, d2 = int(g["d1"]), int(g["d2"])
            if not (_valid(y2, mo, d1) and _valid(y2, mo, d2)):
                return None
            return f"{_fmt(y2, mo, d1)}/{_fmt(y2, mo, d2)}"
        if kind in ("dmy", "mdy"):
            y, mo, d = int(g["y"]), MONTHS[g["m"].lower()], int(g["d"])
            return _fmt(y, mo, d) if _valid(y, mo, d) else None
        if kind == "season-y":
            y = int(g["y"])
            first = SEASONS[g["s"].lower()]
            last = SEASONS[(g.get("s2") or g["s"]).lower()]
            if first[0] == 12:
                return f"{_fmt(y, 12)}/{_fmt(y + 1, 2)}"
            return f"{_fmt(y, first[0])}/{_fmt(y, last[1])}"
        if kind == "my":
            return _fmt(int(g["y"]), MONTHS[g["m"].lower()])
        if kind in ("dm", "md"):
            mo, d = MONTHS[g["m"].lower()], int(g["d"])
            y3 = self._year_for(sentence, mo, d)
            if y3 is None or not _valid(y3, mo, d):
                return None
            return _fmt(y3, mo, d)
        if kind == "m":
            mo = MONTHS[g["m"].lower()]
            y4 = self._year_for(sentence, mo)
            return _fmt(y4, mo) if y4 is not None else None
        if kind == "yrange":
            y1 = int(g["y"])
            raw = g["y2"]
            y2i = int(raw) if len(raw) == 4 else (y1 // 100) * 100 + int(raw)
            return f"{y1:04d}/{y2i:04d}" if y2i > y1 else None
        if kind == "y":
            return _fmt(int(g["y"]))
        if kind in ("rel-n", "rel-1"):
            return self._relative(g)
        if kind == "year-end":
            y5 = self._context_year(sentence)
            return _fmt(y5, 12) if y5 else None
        if kind == "this-year":
            y6 = self._context_year(sentence)
            if y6 is None:
                return None
            return _fmt(y6 + {"this": 0, "last": -1, "next": 1}[g["w"].lower()])
        return None

    def _year_for(self, sentence: Sentence, month: int, day: int | None = None) -> int | None:
        year = self._context_year(sentence)
        if year is None:
            return None
        if sentence.heading_year is None and self.para_anchor is not None:
            py, pm, _pd = _parse_iso(self.para_anchor)
            year = py
            # Narrative order inside one paragraph: "in November 2003 ... on 4 August" is the
            # next August. A few weeks back ("a 12 February letter" before a 13 February
            # meeting) is not a jump, nor is a bare month.
            if day is not None and pm is not None and pm - month >= 3:
                year += 1
        return year

    def _relative(self, g: dict[str, str | None]) -> str | None:
        if self.anchor is None:
            return None
        y, m, d = _parse_iso(self.anchor)
        if g.get("u") is not None:
            raw = (g["n"] or "").lower()
            if raw in ("a few", "several"):
                return None
            n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
            unit = (g["u"] or "").lower()
            sign = 1 if (g["dir"] or "").lower() in ("later", "after") else -1
        else:
            n = 1
            unit = (g.get("w") or g.get("u2") or "").lower()
            word = (g.get("dir") or g.get("w2") or "").lower()
            sign = -1 if word in ("before", "previous") else 1
        if unit == "day" or unit == "week":
            if m is None or d is None:
                return None
            days = n * (7 if unit == "week" else 1) * sign
            return (date(y, m, d) + timedelta(days=days)).isoformat()
        if unit == "month":
            if m is None:
                return None
            total = y * 12 + (m - 1) + n * sign
            return _fmt(total // 12, total % 12 + 1)
        return _fmt(y + n * sign)

    def _remember(self, mention: DateMention) -> None:
        if not mention.event and self.anchor is not None and mention.value[:4] != self.anchor[:4] \
                and not re.search(r"(?:19|20)\d\d", mention.text):
            return
        value = mention.value
        explicit_year = re.search(r"(?:19|20)\d\d", mention.text) is not None
        # "since 2004" or "for 2011-2013" do not move the narrative's year; "until May 2004" does.
        if explicit_year and (mention.event or (len(value) >= 7 and value[4] == "-")):
            self.year = int(value[:4])
        if mention.event:
            self.anchor = value.split("/", 1)[0]
            self.para_anchor = self.anchor


def event_date(mentions: list[DateMention]) -> DateMention | None:
    """The date a sentence's event most likely happened on: its first event-position date."""
    for mention in mentions:
        if mention.event:
            return mention
    return None
