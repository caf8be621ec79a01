"""Partial ISO 8601 dates as lists state them: "1951-06-19", "1951-06", "1951", "1950/1955".

Comparisons treat a partial date as its first day ("2006-03" <= "2006-03-01"), which is what
string order on ISO dates already does; a range compares by its start.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "янв", "января", "январь"),
            ("feb", "february", "фев", "февраля", "февраль"),
            ("mar", "march", "мар", "марта", "март"),
            ("apr", "april", "апр", "апреля", "апрель"),
            ("may", "мая", "май"),
            ("jun", "june", "июн", "июня", "июнь"),
            ("jul", "july", "июл", "июля", "июль"),
            ("aug", "august", "авг", "августа", "август"),
            ("sep", "sept", "september", "сен", "сентября", "сентябрь"),
            ("oct", "october", "окт", "октября", "октябрь"),
            ("nov", "november", "ноя", "ноября", "ноябрь"),
            ("dec", "december", "дек", "декабря", "декабрь"),
        ]
    )
    for m in names
}

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_D_MON_Y = re.compile(r"^(?:(\d{1,2})\s+)?([A-Za-zА-Яа-яё]+)\.?,?\s+(\d{4})$")
_MON_D_Y = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_RANGE = re.compile(r"^(\d{4})\s*(?:-|to|–|/)\s*(\d{4})$")


def _valid(year: int, month: int | None = None, day: int | None = None) -> bool:
    if not 1000 <= year <= 2999:
        return False
    if month is None:
        return True
    if not 1 <= month <= 12:
        return False
    if day is None:
        return True
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _fmt(year: int, month: int | None = None, day: int | None = None) -> str:
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str | None) -> str | None:
    """Parse one date as lists write it into partial ISO form, or None if it is no date.

    Accepts ISO (full or partial), dd.mm.yyyy / dd/mm/yyyy, "19 Jun 1951", "Jun 19, 1951",
    "circa 1960", year ranges "1950-1955" / "1950 to 1955" (returned as "1950/1955") and
    datetime stamps ("2026-02-27T00:00:09Z" gives "2026-02-27").
    """
    if text is None:
        return None
    raw = " ".join(str(text).split()).strip().rstrip(".")
    if not raw:
        return None
    lowered = raw.lower()
    for prefix in ("circa ", "ca. ", "ca ", "approximately ", "approx. ", "about ", "c. "):
        if lowered.startswith(prefix):
            raw = raw[len(prefix) :].strip()
            lowered = raw.lower()
    if "t" in lowered and re.match(r"^\d{4}-\d{2}-\d{2}t", lowered):
        raw = raw[:10]
    match = _ISO.match(raw)
    if match:
        y, m, d = (int(g) if g else None for g in match.groups())
        assert y is not None
        return _fmt(y, m, d) if _valid(y, m, d) else None
    match = _RANGE.match(raw)
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if _valid(start) and _valid(end) and start <= end:
            return f"{start:04d}/{end:04d}" if start != end else f"{start:04d}"
        return None
    if " to " in lowered:
        # OFAC writes ranges of full dates: "01 Jan 1961 to 31 Dec 1963".
        return _date_range(*raw.split(" to ", 1)) if lowered.count(" to ") == 1 else None
    match = _DMY.match(raw)
    if match:
        d, m, y = (int(g) for g in match.groups())
        return _fmt(y, m, d) if _valid(y, m, d) else None
    match = _D_MON_Y.match(raw)
    if match:
        day_s, mon_s, year_s = match.groups()
        month = _MONTHS.get(mon_s.lower())
        if month is None:
            return None
        y, d = int(year_s), int(day_s) if day_s else None
        return _fmt(y, month, d) if _valid(y, month, d) else None
    match = _MON_D_Y.match(raw)
    if match:
        mon_s, day_s, year_s = match.groups()
        month = _MONTHS.get(mon_s.lower())
        if month is None:
            return None
        y, d = int(year_s), int(day_s)
        return _fmt(y, month, d) if _valid(y, month, d) else None
    return None


def _date_range(first: str, second: str) -> str | None:
    """Two dates as one partial date or range: whole years/months collapse to "1961/1963", "1960-02"."""
    start, end = parse_date(first), parse_date(second)
    if not start or not end or "/" in start or "/" in end or start > end:
        return None
    if len(start) == len(end) == 10:
        if start[4:] == "-01-01" and end[4:] == "-12-31":
            start, end = start[:4], end[:4]
        elif start[8:] == "01" and start[:7] == end[:7]:
            last = (date(int(end[:4]) + int(end[5:7]) // 12, int(end[5:7]) % 12 + 1, 1) - timedelta(days=1)).day
            if int(end[8:]) == last:
                return start[:7]
    return start if start == end else f"{start}/{end}"


def date_start(value: str) -> str:
    """The earliest day a partial date or range can mean, for ordering and as-of checks."""
    return value.split("/", 1)[0]


def date_end(value: str) -> str:
    """The latest prefix a partial date or range can mean ("2006-03" stays "2006-03")."""
    return value.split("/", 1)[-1]


def in_force(listed_on: str | None, delisted_on: str | None, day: str) -> bool:
    """Whether a designation listed/delisted on these (partial) dates holds on `day`."""
    if listed_on and date_start(listed_on) > day:
        return False
    return not (delisted_on and date_start(delisted_on) <= day)


def today_iso() -> str:
    return datetime.now().date().isoformat()
