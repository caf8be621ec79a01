"""Screening results as yente's ScoredEntityResponse, with tizim's refs and explanation."""

from __future__ import annotations

from typing import Any

from tizim.api import facts as registry_facts
from tizim.api.models import ScoredEntityResponse
from tizim.registry.ftm_export import clean_properties

# tizim's explanation parts -> yente's `explanations` feature names.
_ADJUSTMENTS = ("birth_date", "country", "identifier")


def explanations(explanation: Any) -> dict[str, dict[str, Any]]:
    """yente's `explanations` (feature -> FeatureResult: detail, score, query, candidate),
    read from tizim's explanation: the name comparison and each adjustment it made."""
    if not isinstance(explanation, dict):
        return {}
    out: dict[str, dict[str, Any]] = {}
    if "name_score" in explanation:
        kind = explanation.get("name_kind")
        out["name"] = {
            "detail": f"{explanation.get('method', 'name')} comparison of the query name with a listed"
            f" {kind or 'name'}",
            "score": float(explanation["name_score"]),
            "query": explanation.get("query_name"),
            "candidate": explanation.get("matched_name"),
        }
    for key in _ADJUSTMENTS:
        part = explanation.get(key)
        if isinstance(part, dict):
            detail = part.get("detail")
            out[key] = {
                "detail": detail if isinstance(detail, str) else str(detail),
                "score": float(part.get("adjustment") or 0.0),
                "query": None,
                "candidate": None,
            }
    return out


# Cleaned properties per screener properties dict: the screener hands out one dict per listed
# party, built once, so FtM cleaning (about 0.2 ms a party) runs once per party, not per
# result. The dict itself is kept with its cleaned form, so its id is not reused meanwhile.
_CLEANED: dict[int, tuple[Any, str, dict[str, list[str]]]] = {}
_CLEANED_MAX = 100_000


def _clean(schema: str, props: dict[str, Any]) -> dict[str, list[str]]:
    hit = _CLEANED.get(id(props))
    if hit is not None and hit[0] is props and hit[1] == schema:
        return {k: list(v) for k, v in hit[2].items()}
    cleaned = clean_properties(schema, props)
    if len(_CLEANED) >= _CLEANED_MAX:
        _CLEANED.clear()
    _CLEANED[id(props)] = (props, schema, cleaned)
    return {k: list(v) for k, v in cleaned.items()}


def scored_data(result: Any, facts: Any = None) -> dict[str, Any]:
    """A result as the plain JSON data of a ScoredEntityResponse (same keys, same order).

    POST /match serializes this directly, without building and re-validating the model per
    result; tests/api/test_match_fast.py checks it against the model's own serialization.
    `facts` (tizim.api.facts.current()) adds the dates and topics yente gives each result.
    """
    refs = {k: list(v) for k, v in (result.refs or {}).items()}
    members = list(getattr(result, "members", None) or [result.entity_id])
    properties = _clean(result.schema, result.properties or {})
    seen: dict[str, Any] = {"first_seen": None, "last_seen": None, "last_change": None}
    if facts is not None:
        seen = registry_facts.dates(facts, members)
        found = registry_facts.topics(facts, members)
        if found:
            properties["topics"] = found
    return {
        "id": result.entity_id,
        "caption": result.caption,
        "schema": result.schema,
        "properties": properties,
        "datasets": list(result.datasets or result.lists or refs),
        "referents": [m for m in members if m != result.entity_id],
        "target": bool(getattr(result, "designated", True)),
        **seen,
        "refs": refs,
        "score": float(result.score),
        "match": bool(result.match),
        "explanations": explanations(result.explanation),
        "explanation": result.explanation,
    }


def scored(result: Any, facts: Any = None) -> ScoredEntityResponse:
    return ScoredEntityResponse(**scored_data(result, facts))
