"""Identifiers: an identical number of the same type (or one typed "other") raises the score
to at least 0.97; of another type +0.10; a different number of the same exclusive type (IMO,
IIN, national id, registration) -0.10."""

from __future__ import annotations

from collections.abc import Sequence

from tizim.screening.index import EXCLUSIVE_ID_TYPES, id_type_class, norm_identifier


def identifier_adjustment(query: Sequence[tuple[str, str]],
                          listed: Sequence[tuple[str, str, str]]) -> tuple[float, float, str | None]:
    """(score floor, adjustment, explanation line) for identifiers on both sides."""
    if not query or not listed:
        return 0.0, 0.0, None
    qn = [(id_type_class(t), norm_identifier(v)) for t, v in query]
    for qt, qv in qn:
        for lt, lv, shown in listed:
            if qv and qv == lv and len(qv) >= 4:
                if qt == lt or "other" in (qt, lt):
                    return 0.97, 0.0, f"identical {lt} {shown}"
                return 0.0, 0.10, f"identical number {shown} ({qt} vs {lt})"
    for qt, qv in qn:
        if qt in EXCLUSIVE_ID_TYPES and any(lt == qt and lv != qv for lt, lv, _ in listed):
            return 0.0, -0.10, f"different {qt}"
    return 0.0, 0.0, None


def identifier_values(query: Sequence[tuple[str, str]]) -> set[str]:
    """The query's identifier values as identifier_adjustment() compares them (only an
    identical value of at least four characters can raise a score)."""
    return {v for v in (norm_identifier(value) for _, value in query) if len(v) >= 4}
