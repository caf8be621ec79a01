"""Screening results as yente's ScoredEntityResponse, with tizim's refs and explanation."""

from __future__ import annotations

from typing import Any

from tizim.api.models import ScoredEntityResponse


def _features(explanation: Any) -> dict[str, float]:
    """yente's `features`: named partial scores, taken from the explanation where it has them."""
    if isinstance(explanation, dict):
        source = explanation.get("features", explanation)
        if isinstance(source, dict):
            return {
                str(k): float(v)
                for k, v in source.items()
                if isinstance(v, int | float) and not isinstance(v, bool)
            }
    return {}


def scored_data(result: Any) -> dict[str, Any]:
    """A result as the plain JSON data of a ScoredEntityResponse (same keys, same order).

    POST /match serializes this directly, without building and re-validating the model per
    result; tests/api/test_match_fast.py checks it against the model's own serialization.
    """
    refs = {k: list(v) for k, v in (result.refs or {}).items()}
    features = getattr(result, "features", None)
    return {
        "id": result.entity_id,
        "caption": result.caption,
        "schema": result.schema,
        "properties": {
            k: list(v) if isinstance(v, list | tuple) else [v] for k, v in (result.properties or {}).items()
        },
        "datasets": list(result.datasets or result.lists or refs),
        "referents": [],
        "target": True,
        "refs": refs,
        "score": float(result.score),
        "match": bool(result.match),
        "features": (
            {str(k): float(v) for k, v in features.items()}
            if isinstance(features, dict)
            else _features(result.explanation)
        ),
        "explanation": result.explanation,
    }


def scored(result: Any) -> ScoredEntityResponse:
    return ScoredEntityResponse(**scored_data(result))
