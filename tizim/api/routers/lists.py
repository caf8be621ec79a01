"""Designation lists: summary, versions, diff between versions, entries in force on a date."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query

from tizim.api.auth import Principal, require_role
from tizim.api.models import ErrorResponse
from tizim.registry.service import Registry

router = APIRouter(prefix="/lists", tags=["Lists"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorResponse, "description": "No such list or version"}}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@router.get("", summary="Every list with its size, versions and last import")
def lists(_: Principal = Depends(require_role("viewer"))) -> list[dict[str, Any]]:
    return Registry().summary()


@router.get("/{name}/versions", summary="The imported versions of a list", responses=_NOT_FOUND)
def versions(name: str, _: Principal = Depends(require_role("viewer"))) -> list[dict[str, Any]]:
    return Registry().versions(name)


@router.get(
    "/{name}/diff",
    summary="Entities added, removed and changed between two versions",
    responses=_NOT_FOUND,
)
def diff(
    name: str,
    from_version: int | None = Query(None, alias="from", ge=0, description="Default: the one before `to`."),
    to_version: int | None = Query(None, alias="to", ge=1, description="Default: the latest."),
    _: Principal = Depends(require_role("viewer")),
) -> dict[str, Any]:
    return Registry().diff(name, from_version, to_version)


@router.get(
    "/{name}/asof/{day}",
    summary="Entries of a list in force on a date",
    responses={**_NOT_FOUND, 422: {"model": ErrorResponse, "description": "Not an ISO date"}},
)
def asof(
    name: str,
    day: str = Path(..., description="ISO date: 2006-11-17 (or 2006-11, 2006)", examples=["2006-11-17"]),
    _: Principal = Depends(require_role("viewer")),
) -> dict[str, Any]:
    if not _DATE.match(day):
        raise HTTPException(status_code=422, detail=f"{day!r} is not an ISO date (YYYY-MM-DD)")
    entries = Registry().asof(name, day)
    return {"list": name, "date": day, "total": len(entries), "entries": entries}
