"""yente's query-by-example matcher: POST /match/{scope}, same request and response shape."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from tizim.api.auth import Principal, require_role
from tizim.api.models import (
    EntityExample,
    EntityMatches,
    EntityMatchQuery,
    EntityMatchResponse,
    ErrorResponse,
    TotalSpec,
)
from tizim.api.results import scored
from tizim.api.scope import resolve_scope
from tizim.errors import InputError
from tizim.settings import get_settings

router = APIRouter(tags=["Matching"])

ALGORITHMS = ("tizim", "best", "logic-v1", "logic-v2")


@router.post(
    "/match/{scope}",
    summary="Query by example matcher (yente-compatible)",
    response_model=EntityMatchResponse,
    responses={
        400: {"model": ErrorResponse, "description": "Invalid query: unknown schema or property, too many queries"},
        403: {"model": ErrorResponse, "description": "Role below screener"},
        404: {"model": ErrorResponse, "description": "No such list"},
        413: {"model": ErrorResponse, "description": "Request body too large"},
    },
)
async def match(
    request: Request,
    response: Response,
    body: EntityMatchQuery,
    scope: str,
    limit: int = Query(5, ge=1, le=500, description="Results per query"),
    threshold: float | None = Query(
        None, ge=0.0, le=1.0, description="Score at or above which a result is a `match` (default: TIZIM_MATCH_THRESHOLD)"
    ),
    cutoff: float | None = Query(None, ge=0.0, le=1.0, deprecated=True, description="Ignored (yente compatibility)"),
    algorithm: str = Query("best", description="Accepted for yente compatibility; tizim always uses its own scorer"),
    include_dataset: list[str] = Query([], description="Only these lists (within the scope)"),
    exclude_dataset: list[str] = Query([], description="Not these lists"),
    exclude_entity_ids: list[str] = Query([], max_length=500, description="Entity ids never to return (decided false positives)"),
    principal: Principal = Depends(require_role("screener")),
) -> EntityMatchResponse:
    """Match a batch of example entities (`{"queries": {key: {"schema", "properties"}}}`)
    against the lists in scope. Each response carries, besides yente's fields, tizim's
    `refs` (list -> the list's own references) and `explanation` for every result."""
    # async on purpose: scoring is CPU-bound, so running it on the event loop (one request
    # at a time per worker, workers = cores) beats threads contending for the GIL.
    settings = get_settings()
    count = len(body.queries)
    request.state.queries = count
    if count == 0:
        raise HTTPException(400, detail="no queries provided")
    if count > settings.max_batch_queries:
        raise HTTPException(
            400, detail=f"too many queries in one batch: {count} (limit {settings.max_batch_queries})"
        )
    if algorithm not in ALGORITHMS:
        raise HTTPException(400, detail=f"unknown algorithm {algorithm!r} (accepted: {', '.join(ALGORITHMS)})")
    lists = resolve_scope(scope)
    if include_dataset:
        lists = [n for n in include_dataset if lists is None or n in lists]
    threshold_value = settings.match_threshold if threshold is None else threshold
    if settings.log_queries:
        request.state.query_log = {k: q.properties for k, q in body.queries.items()}

    from tizim.screening import Query as ScreeningQuery
    from tizim.screening import get_screener

    queries = {}
    for key, example in body.queries.items():
        properties: dict[str, str | list[Any]] = {
            prop: [str(v) for v in (values if isinstance(values, list) else [values]) if v is not None]
            for prop, values in example.properties.items()
        }
        try:
            queries[key] = (
                ScreeningQuery.from_dict({"id": key, "schema": example.schema_, "properties": properties}),
                properties,
            )
        except InputError as exc:
            raise HTTPException(400, detail=f"query {key!r}: {exc}") from exc

    screener = get_screener()
    responses: dict[str, EntityMatches] = {}
    for key, (query, properties) in queries.items():
        if lists is not None and not lists:
            results: list[Any] = []  # include_dataset names nothing in scope
        else:
            results = screener.match(
                query,
                threshold=threshold_value,
                limit=limit,
                lists=lists,
                exclude_lists=exclude_dataset or None,
                exclude_ids=exclude_entity_ids or None,
            )
        responses[key] = EntityMatches(
            status=200,
            results=[scored(r) for r in results],
            total=TotalSpec(value=len(results), relation="eq"),
            query=EntityExample(id=key, schema=body.queries[key].schema_, properties=properties),
        )
    response.headers["x-batch-size"] = str(count)
    return EntityMatchResponse(responses=responses, limit=limit)
