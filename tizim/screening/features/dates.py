"""Birth dates: exact +0.08, same year (or within a listed range, or year only) +0.03, same
year but another day -0.05, a year apart -0.10, further apart -0.35 (the best pair of the
query's and the listed dates counts)."""

from __future__ import annotations

from collections.abc import Sequence

_RANKS = {"exact": (5, 0.08), "year": (4, 0.03), "same year, other day": (3, -0.05),
          "a year apart": (2, -0.10), "conflict": (1, -0.35)}


def _year_span(d: str) -> tuple[int, int] | None:
    try:
        if "/" in d:
            a, b = d.split("/", 1)
            return int(a[:4]), int(b[:4])
        return int(d[:4]), int(d[:4])
    except ValueError:
        return None


def date_adjustment(query: Sequence[str], listed: Sequence[str]) -> tuple[float, str | None]:
    """(adjustment, explanation line), (0.0, None) when a side has no date."""
    if not query or not listed:
        return 0.0, None
    best = "conflict"
    best_pair = (query[0], listed[0])
    for qd in query:
        qs = _year_span(qd)
        for ld in listed:
            ls = _year_span(ld)
            if qs is None or ls is None:
                continue
            if len(qd) == 10 and len(ld) == 10:
                if qd == ld:
                    kind = "exact"
                elif qd[:4] == ld[:4]:
                    kind = "same year, other day"
                elif abs(int(qd[:4]) - int(ld[:4])) == 1:
                    kind = "a year apart"
                else:
                    kind = "conflict"
            elif qs[0] <= ls[1] and ls[0] <= qs[1]:
                kind = "year"
            elif min(abs(qs[0] - ls[1]), abs(ls[0] - qs[1])) == 1:
                kind = "a year apart"
            else:
                kind = "conflict"
            if _RANKS[kind][0] > _RANKS[best][0]:
                best, best_pair = kind, (qd, ld)
    return _RANKS[best][1], f"{best}: query {best_pair[0]}, listed {best_pair[1]}"
