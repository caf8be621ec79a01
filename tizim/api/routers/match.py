"""yente's query-by-example matcher: POST /match/{scope}, same request and response shape.

The route is declared as an ordinary FastAPI endpoint (that declaration gives /openapi.json,
and FastAPI's own handling of it answers every request that is not plainly valid), but a valid
request takes a shorter path (`_MatchRoute`): FastAPI's generic handler spent about 0.3 ms more
per request (a third of a single-name match) resolving the declared parameters one by one and
re-validating the response against its model after building it. The short path authenticates
with the same function, validates the same query parameters and body with the same
constraints in one model each, and writes the response data straight to JSON. Whatever it does
not accept (a missing or bad key, a parameter or body error, another content type) goes to
FastAPI's handler, so errors are FastAPI's own; tests/api/test_match_fast.py checks both paths
give the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import to_jsonable_python

from tizim.api import facts as registry_facts
from tizim.api.auth import Principal, authenticate_header, require_role
from tizim.api.models import EntityMatchQuery, EntityMatchResponse, ErrorResponse
from tizim.api.results import scored_data
from tizim.api.scope import resolve_scope
from tizim.errors import InputError
from tizim.settings import get_settings

# The algorithm names yente clients send (yente's own, as /algorithms lists them); each is
# answered by tizim's scorer, and the response says so (`algorithm`, `matcher`).
ALGORITHMS = ("best", "logic-v2", "logic-v1", "name-based", "name-qualified", "regression-v1", "tizim")
MATCHER = "tizim"
ROLE = "screener"
# yente's changed_since pattern.
TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"

# The query parameters, declared once: the endpoint's signature (for OpenAPI and FastAPI's
# handler) and the short path's model are both built from this table.
_LIMIT: dict[str, Any] = {"default": 5, "ge": 1, "le": 500, "description": "Results per query"}
_THRESHOLD: dict[str, Any] = {
    "default": None,
    "ge": 0.0,
    "le": 1.0,
    "description": "Score at or above which a result is a `match` (default: TIZIM_MATCH_THRESHOLD)",
}
_CUTOFF: dict[str, Any] = {"default": None, "ge": 0.0, "le": 1.0, "deprecated": True, "description": "Ignored (yente compatibility)"}
_ALGORITHM: dict[str, Any] = {
    "default": "best",
    "description": f"One of yente's names ({', '.join(ALGORITHMS)}); tizim's own scorer answers each",
}
_EXCLUDE_SCHEMA: dict[str, Any] = {"default": [], "description": "Leave out results of these schemata"}
_TOPICS: dict[str, Any] = {"default": [], "description": "Only results with one of these topics (sanction, role.pep, poi)"}
_CHANGED_SINCE: dict[str, Any] = {
    "default": None,
    "pattern": TS_PATTERN,
    "description": "Only entities changed since this date or time",
}
_FUZZY: dict[str, Any] = {"default": False, "description": "Accepted for yente compatibility (tizim's scorer is always fuzzy)"}
_INCLUDE: dict[str, Any] = {"default": [], "description": "Only these lists (within the scope)"}
_EXCLUDE: dict[str, Any] = {"default": [], "description": "Not these lists"}
_EXCLUDE_IDS: dict[str, Any] = {"default": [], "max_length": 500, "description": "Entity ids never to return (decided false positives)"}


class _MatchParams(BaseModel):
    """The query parameters as one model (the short path validates them in one call)."""

    model_config = ConfigDict(extra="ignore")

    # (mypy cannot follow **-unpacked Field arguments; pydantic applies them all.)
    limit: int = Field(**_LIMIT)  # type: ignore[misc]
    threshold: float | None = Field(**_THRESHOLD)  # type: ignore[misc]
    cutoff: float | None = Field(**_CUTOFF)  # type: ignore[misc]
    algorithm: str = Field(**_ALGORITHM)  # type: ignore[misc]
    include_dataset: list[str] = Field(**_INCLUDE)  # type: ignore[misc]
    exclude_dataset: list[str] = Field(**_EXCLUDE)  # type: ignore[misc]
    exclude_entity_ids: list[str] = Field(**_EXCLUDE_IDS)  # type: ignore[misc]
    exclude_schema: list[str] = Field(**_EXCLUDE_SCHEMA)  # type: ignore[misc]
    topics: list[str] = Field(**_TOPICS)  # type: ignore[misc]
    changed_since: str | None = Field(**_CHANGED_SINCE)  # type: ignore[misc]
    fuzzy: bool = Field(**_FUZZY)  # type: ignore[misc]


_LIST_PARAMS = ("include_dataset", "exclude_dataset", "exclude_entity_ids", "exclude_schema", "topics")
_SCALAR_PARAMS = ("limit", "threshold", "cutoff", "algorithm", "changed_since", "fuzzy")


class _MatchRoute(APIRoute):
    """POST /match/{scope}: the short path for valid requests, FastAPI's handler for the rest."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        generic = super().get_route_handler()

        async def handler(request: Request) -> Response:
            fast = await _fast_match(request)
            return fast if fast is not None else await generic(request)

        return handler


router = APIRouter(tags=["Matching"], route_class=_MatchRoute)


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
    limit: int = Query(**_LIMIT),
    threshold: float | None = Query(**_THRESHOLD),
    cutoff: float | None = Query(**_CUTOFF),
    algorithm: str = Query(**_ALGORITHM),
    include_dataset: list[str] = Query(**_INCLUDE),
    exclude_dataset: list[str] = Query(**_EXCLUDE),
    exclude_entity_ids: list[str] = Query(**_EXCLUDE_IDS),
    exclude_schema: list[str] = Query(**_EXCLUDE_SCHEMA),
    topics: list[str] = Query(**_TOPICS),
    changed_since: str | None = Query(**_CHANGED_SINCE),
    fuzzy: bool = Query(**_FUZZY),
    principal: Principal = Depends(require_role(ROLE)),
) -> Any:
    """Match a batch of example entities (`{"queries": {key: {"schema", "properties"}}}`)
    against the lists in scope. Each response carries, besides yente's fields, tizim's
    `refs` (list -> the list's own references) and `explanation` for every result."""
    params = _MatchParams(
        limit=limit,
        threshold=threshold,
        cutoff=cutoff,
        algorithm=algorithm,
        include_dataset=include_dataset,
        exclude_dataset=exclude_dataset,
        exclude_entity_ids=exclude_entity_ids,
        exclude_schema=exclude_schema,
        topics=topics,
        changed_since=changed_since,
        fuzzy=fuzzy,
    )
    data = await run_in_threadpool(_answer, request, body, scope, params)
    response.headers["x-batch-size"] = str(len(body.queries))
    return data


async def _fast_match(request: Request) -> Response | None:
    """The answer to a plainly valid request, or None to leave the request to FastAPI."""
    content_type = request.headers.get("content-type")
    if content_type is None or content_type.partition(";")[0].strip().lower() != "application/json":
        return None
    raw = await request.body()  # cached on the request: FastAPI's handler reads it again
    if not raw:
        return None
    try:
        # FastAPI parses the body before checking the key (bad JSON is 422 even without
        # one); the same parser, so the same documents pass.
        data = json.loads(raw)
        principal = authenticate_header(request.headers.get("authorization"))
        if not principal.allows(ROLE):
            return None
        params = _MatchParams.model_validate(_query_values(request))
        body = EntityMatchQuery.model_validate(data)
    except (ValueError, HTTPException, ValidationError, RecursionError):
        return None  # FastAPI's handler answers (a body nested too deep: 400)
    request.state.principal = principal
    scope = request.path_params["scope"]
    answer = await run_in_threadpool(_answer, request, body, scope, params)
    return Response(
        orjson.dumps(answer, default=to_jsonable_python, option=orjson.OPT_NON_STR_KEYS),
        media_type="application/json",
        headers={"x-batch-size": str(len(body.queries))},
    )


def _query_values(request: Request) -> dict[str, Any]:
    """Query parameters as FastAPI reads them: the last value of a scalar, all of a list."""
    query = request.query_params
    values: dict[str, Any] = {}
    if not query:
        return values
    for name in _SCALAR_PARAMS:
        value = query.get(name)
        if value is not None:
            values[name] = value
    for name in _LIST_PARAMS:
        items = query.getlist(name)
        if items:
            values[name] = items
    return values


def _answer(request: Request, body: EntityMatchQuery, scope: str, params: _MatchParams) -> dict[str, Any]:
    """The response data (EntityMatchResponse's JSON shape) for a validated request."""
    # Runs in the thread pool, never on the event loop: a slow query (a long name, a large
    # batch) must not stop /healthz or any other request of this worker.
    settings = get_settings()
    count = len(body.queries)
    request.state.queries = count
    if count == 0:
        raise HTTPException(400, detail="no queries provided")
    if count > settings.max_batch_queries:
        raise HTTPException(
            400, detail=f"too many queries in one batch: {count} (limit {settings.max_batch_queries})"
        )
    if params.algorithm.lower().strip() not in ALGORITHMS:
        raise HTTPException(
            400, detail=f"invalid algorithm {params.algorithm!r} (accepted: {', '.join(ALGORITHMS)})"
        )
    lists = resolve_scope(scope)
    if params.include_dataset:
        lists = [n for n in params.include_dataset if lists is None or n in lists]
    threshold = settings.match_threshold if params.threshold is None else params.threshold
    if settings.log_queries:
        request.state.query_log = {k: q.properties for k, q in body.queries.items()}

    from tizim.screening import get_screener

    queries = {key: _query(key, example) for key, example in body.queries.items()}
    screener = get_screener()
    facts = registry_facts.current()
    filtered = bool(params.exclude_schema or params.topics or params.changed_since)
    # Filters apply to the screener's results: ask for more so `limit` remain after them.
    wanted = min(params.limit * 4, 500) if filtered else params.limit
    responses: dict[str, Any] = {}
    for key, (query, schema, properties) in queries.items():
        if query is None or (lists is not None and not lists):
            # Nothing tizim lists can be this (an Address, a Position, no name), or
            # include_dataset names nothing in scope: no results, as yente has none.
            results: list[Any] = []
        else:
            results = screener.match(
                query,
                threshold=threshold,
                limit=wanted,
                lists=lists,
                exclude_lists=params.exclude_dataset or None,
                exclude_ids=params.exclude_entity_ids or None,
            )
        data = [scored_data(r, facts) for r in results]
        if filtered:
            data = _filtered(data, params)[: params.limit]
        # EntityMatches' JSON shape.
        responses[key] = {
            "status": 200,
            "results": data,
            "total": {"value": len(data), "relation": "eq"},
            "query": {"id": example_id(body, key), "schema": schema, "properties": properties},
        }
    return {"responses": responses, "limit": params.limit, "algorithm": params.algorithm, "matcher": MATCHER}


def example_id(body: EntityMatchQuery, key: str) -> str:
    """The query's own id when it gave one, else its key in the batch."""
    return body.queries[key].id or key


def _query(key: str, example: Any) -> tuple[Any, str, dict[str, list[str]]]:
    """The screening query for one example (None when tizim lists nothing it could be), its
    schema and the properties read. As yente does, a property the schema lacks is skipped
    and a schema FtM does not know, or one yente does not match on, is a 400."""
    from followthemoney import model

    from tizim.screening import Query as ScreeningQuery
    from tizim.screening.model import QUERY_SCHEMATA

    schema = model.get(example.schema_)
    if schema is None:
        raise HTTPException(400, detail=f"query {key!r}: unknown schema {example.schema_!r}")
    if schema.name != "Thing" and not schema.matchable:
        raise HTTPException(400, detail=f"query {key!r}: non-matchable schema for query: {schema.name}")
    properties: dict[str, list[str]] = {}
    for prop, values in example.properties.items():
        if schema.get(prop) is None:
            continue
        read = [str(v) for v in (values if isinstance(values, list) else [values]) if v is not None and v != ""]
        if read:
            properties[prop] = read
    if schema.name not in QUERY_SCHEMATA:
        return None, schema.name, properties
    try:
        query = ScreeningQuery.from_dict({"id": key, "schema": schema.name, "properties": properties})
    except InputError:
        # A party without any name: tizim screens names, so nothing can match it.
        return None, schema.name, properties
    return query, schema.name, properties


def _filtered(data: list[dict[str, Any]], params: _MatchParams) -> list[dict[str, Any]]:
    """yente's result filters: exclude_schema, topics, changed_since."""
    from followthemoney import model

    excluded = [s for s in (model.get(n) for n in params.exclude_schema) if s is not None]
    out = []
    for item in data:
        schema = model.get(item["schema"])
        if schema is not None and any(schema.is_a(x) for x in excluded):
            continue
        if params.topics and not set(params.topics) & set(item["properties"].get("topics", [])):
            continue
        if params.changed_since and (item["last_change"] or "") < params.changed_since:
            continue
        out.append(item)
    return out
