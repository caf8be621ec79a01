"""Response and request models, shaped as yente's where yente has the same endpoint."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorResponse(BaseModel):
    detail: str = Field(..., examples=["invalid or revoked API key"])


class StatusResponse(BaseModel):
    status: str = "ok"


class ReadyResponse(BaseModel):
    status: str = "ok"
    lists: int = 0
    entities: int = 0
    index_entities: int = 0


class TotalSpec(BaseModel):
    value: int = Field(..., examples=[42])
    relation: str = Field("eq", examples=["eq"])


class EntityResponse(BaseModel):
    """An entity in FollowTheMoney shape, plus tizim's list references."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(..., examples=["un-sc-QDe.010"])
    caption: str = Field(..., examples=["Islamic Movement of Uzbekistan"])
    schema_: str = Field(..., alias="schema", examples=["Organization"])
    properties: dict[str, list[Any]] = Field(default_factory=dict, examples=[{"name": ["X"]}])
    datasets: list[str] = Field(default_factory=list, examples=[["un-sc"]])
    referents: list[str] = Field(default_factory=list, description="The ids of the entity's other list entries.")
    target: bool = True
    first_seen: str | None = Field(default=None, examples=["2026-02-27T06:19:32"])
    last_seen: str | None = Field(default=None, examples=["2026-02-27T06:19:32"])
    last_change: str | None = Field(default=None, examples=["2026-02-27T06:19:32"])
    refs: dict[str, list[str]] = Field(default_factory=dict, examples=[{"un-sc": ["QDe.010"]}])


class FeatureResult(BaseModel):
    """yente's explanation of one feature's score."""

    detail: str | None = None
    score: float
    query: str | None = None
    candidate: str | None = None


class ScoredEntityResponse(EntityResponse):
    score: float = Field(..., examples=[0.97])
    match: bool = Field(..., description="Whether the score is at or above the threshold.")
    explanations: dict[str, FeatureResult] = Field(
        default_factory=dict, description="Feature -> its score and how it was reached (yente's shape)."
    )
    explanation: Any = Field(None, description="Why the score is what it is (tizim).")


class EntityExample(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(..., alias="schema", examples=["Person"])
    properties: dict[str, str | list[Any]] = Field(..., examples=[{"name": ["John Doe"]}])


class EntityMatchQuery(BaseModel):
    # Accepted for yente compatibility; tizim's scorer has no tunable weights.
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    queries: dict[str, EntityExample] = Field(
        ...,
        examples=[
            {
                "entity1": {
                    "schema": "Person",
                    "properties": {"name": ["John Doe"], "birthDate": ["1975-04-21"]},
                }
            }
        ],
    )


class EntityMatches(BaseModel):
    status: int = Field(200, examples=[200])
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class EntityMatchResponse(BaseModel):
    responses: dict[str, EntityMatches]
    limit: int = Field(..., examples=[5])
    algorithm: str = Field("best", description="The algorithm the request named (yente's names accepted).")
    matcher: str = Field("tizim", description="The scorer that answered: always tizim's own.")


class SearchFacetItem(BaseModel):
    name: str
    label: str
    count: int


class SearchFacet(BaseModel):
    label: str
    values: list[SearchFacetItem]


class SearchResponse(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[EntityResponse]
    facets: dict[str, SearchFacet]


class AdjacentResults(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[dict[str, Any]]


class EntityAdjacentResponse(BaseModel):
    entity: EntityResponse
    adjacent: dict[str, AdjacentResults]


class ScreenTextRequest(BaseModel):
    text: str = Field(..., examples=["Payment to the Islamic Movement of Uzbekistan, Tashkent."])
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    lists: list[str] | None = Field(None, examples=[["un-sc"]])


class TextSpanResponse(BaseModel):
    start: int
    end: int
    text: str
    results: list[ScoredEntityResponse]


class ScreenTextResponse(BaseModel):
    spans: list[TextSpanResponse]
    matches: int
