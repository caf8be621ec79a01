"""One entity with its designations (and their citations) and relationships; its neighbours."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from tizim.api.auth import Principal, require_role
from tizim.api.convert import entity_response, other_properties
from tizim.api.models import AdjacentResults, EntityAdjacentResponse, ErrorResponse, TotalSpec
from tizim.registry.service import Registry

router = APIRouter(prefix="/entities", tags=["Data access"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such entity"}}


@router.get("/{entity_id}", summary="An entity, its designations and relationships", responses=_NOT_FOUND)
def fetch_entity(
    entity_id: str,
    nested: bool = Query(
        False,
        description="yente's shape: the entity merged across lists (the id /match returns), its "
        "Sanction and adjacent entities nested in its properties",
    ),
    _: Principal = Depends(require_role("viewer")),
) -> dict[str, Any]:
    """The entity in FtM shape (as yente returns it) plus tizim's `designations` (with
    their citations and history), `names_by_script` and `relationships`; with `nested=true`,
    exactly yente's nested entity (what nomenklatura's enricher expands)."""
    if nested:
        from tizim.api.nested import nested_entity

        return nested_entity(entity_id)
    found = Registry().entity(entity_id)
    response = entity_response(found["entity"], found["list"]).model_dump(by_alias=True)
    response.update(
        {
            "list": found["list"],
            "designated": found["designated"],
            "removed": found["removed"],
            "names_by_script": found["names_by_script"],
            "other_properties": other_properties(found["entity"]),
            "designations": found["designations"],
            "relationships": found["relationships"],
        }
    )
    return response


@router.get(
    "/{entity_id}/adjacent",
    summary="Entities related to this one, grouped by relationship kind",
    response_model=EntityAdjacentResponse,
    responses=_NOT_FOUND,
)
def fetch_adjacent(
    entity_id: str,
    limit: int = Query(10, ge=1, le=500, description="Results per relationship kind"),
    offset: int = Query(0, ge=0, le=10_000),
    _: Principal = Depends(require_role("viewer")),
) -> EntityAdjacentResponse:
    registry = Registry()
    found = registry.entity(entity_id)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for rel in found["relationships"]:
        grouped.setdefault(rel["kind"], []).append(rel)
    adjacent: dict[str, AdjacentResults] = {}
    for kind, rels in sorted(grouped.items()):
        page = rels[offset : offset + limit]
        results = []
        for rel in page:
            item: dict[str, Any] = {
                "relationship": rel,
                "id": rel["other_id"],
                "caption": rel["other_caption"],
            }
            if rel["other_caption"] is not None:
                # The other end is in the registry: include it whole.
                other = registry.entity(rel["other_id"])
                item["entity"] = entity_response(other["entity"], other["list"]).model_dump(by_alias=True)
            results.append(item)
        adjacent[kind] = AdjacentResults(
            limit=limit, offset=offset, total=TotalSpec(value=len(rels), relation="eq"), results=results
        )
    return EntityAdjacentResponse(entity=entity_response(found["entity"], found["list"]), adjacent=adjacent)
