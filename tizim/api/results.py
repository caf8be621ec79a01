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


def scored(result: Any) -> ScoredEntityResponse:
    refs = {k: list(v) for k, v in (result.refs or {}).items()}
    datasets = list(result.datasets or result.lists or refs)
    features = getattr(result, "features", None)
    return ScoredEntityResponse(
        id=result.entity_id,
        caption=result.caption,
        schema=result.schema,
        properties={k: list(v) if isinstance(v, list | tuple) else [v] for k, v in (result.properties or {}).items()},
        datasets=datasets,
        referents=[],
        target=True,
        refs=refs,
        score=float(result.score),
        match=bool(result.match),
        features=dict(features) if isinstance(features, dict) else _features(result.explanation),
        explanation=result.explanation,
    )
