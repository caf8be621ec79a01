"""Free-text search of the registry (yente's /search/{dataset}), with facets."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query
from followthemoney import model

from tizim.api.auth import Principal, require_role
from tizim.api.convert import entity_response
from tizim.api.models import ErrorResponse, SearchFacet, SearchFacetItem, SearchResponse, TotalSpec
from tizim.api.scope import resolve_scope
from tizim.api.search_index import get_search_index
from tizim.registry.model import SCHEMATA

router = APIRouter(tags=["Matching"])

_FACET_LABELS = {"lists": "Lists", "schema": "Entity types", "countries": "Countries"}


@router.get(
    "/search/{scope}",
    summary="Simple entity search",
    response_model=SearchResponse,
    responses={404: {"model": ErrorResponse, "description": "No such list"}},
)
def search(
    scope: str,
    q: str = Query("", max_length=1000, description="Name or part of a name; empty lists all"),
    schema: list[str] = Query(
        [], description="Only these schemata and those extending them (yente's Thing: all; LegalEntity: parties)"
    ),
    countries: list[str] = Query([], description="Only entities tied to these ISO country codes"),
    lists: list[str] = Query([], description="Only entities on these lists (within the scope)"),
    limit: int = Query(10, ge=0, le=500),
    offset: int = Query(0, ge=0, le=10_000),
    _: Principal = Depends(require_role("viewer")),
) -> SearchResponse:
    """Names containing every word of `q` (word prefixes, any script), best first. Facet
    counts (`lists`, `schema`, `countries`) cover every hit, not only the page."""
    in_scope = resolve_scope(scope)
    # A `lists` filter narrows the scope; names outside the scope select nothing.
    wanted = [n for n in lists if in_scope is None or n in in_scope] if lists else in_scope
    hits, facets = get_search_index().search(
        q, lists=wanted, schemata=_schemata(schema), countries=[c.lower() for c in countries] or None
    )
    page = hits[offset : offset + limit]
    return SearchResponse(
        limit=limit,
        offset=offset,
        total=TotalSpec(value=len(hits), relation="eq"),
        results=[entity_response(h.doc.data, h.doc.list_name) for h in page],
        facets={
            key: SearchFacet(
                label=_FACET_LABELS[key],
                values=[
                    SearchFacetItem(name=name, label=_label(key, name), count=count)
                    for name, count in counter.most_common(50)
                ],
            )
            for key, counter in facets.items()
        },
    )


def _schemata(names: list[str]) -> list[str] | None:
    """The registry schemata a `schema` filter selects: each named schema and those that
    extend it, as yente reads it (its default, Thing, selects every entity)."""
    if not names:
        return None
    wanted = []
    for name in names:
        schema = model.get(name)
        if schema is None:
            raise HTTPException(400, detail=f"invalid schema {name!r}")
        wanted.append(schema)
    return [name for name in SCHEMATA if any(model.get(name).is_a(w) for w in wanted)]  # type: ignore[union-attr]


def _label(facet: str, name: str) -> str:
    if facet == "countries":
        return name.upper()
    return name


