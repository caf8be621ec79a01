"""API keys over HTTP, for admins: list, create (the secret is returned once), revoke."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from tizim.api.auth import Principal, require_role
from tizim.api.keys import ROLES, get_key_store
from tizim.api.models import ErrorResponse

router = APIRouter(prefix="/keys", tags=["Administration"])


class KeyRequest(BaseModel):
    name: str = Field(..., min_length=1, max_length=128, examples=["core-banking"])
    role: str = Field(..., examples=["screener"], description=f"One of: {', '.join(ROLES)}")


class KeyCreated(BaseModel):
    id: int
    name: str
    role: str
    key: str = Field(..., description="The secret; shown only in this response")


@router.get("", summary="Every API key (never the secret)")
def list_keys(_: Principal = Depends(require_role("admin"))) -> list[dict[str, Any]]:
    return get_key_store().list_keys()


@router.post(
    "",
    summary="Create an API key",
    status_code=201,
    response_model=KeyCreated,
    responses={400: {"model": ErrorResponse, "description": "Unknown role, or the name has an active key"}},
)
def create_key(body: KeyRequest, _: Principal = Depends(require_role("admin"))) -> KeyCreated:
    principal, secret = get_key_store().create(body.name, body.role)
    return KeyCreated(id=principal.key_id, name=principal.name, role=principal.role, key=secret)


@router.delete(
    "/{ident}",
    summary="Revoke a key by id, or the active key of a name",
    responses={404: {"model": ErrorResponse, "description": "No such active key"}},
)
def revoke_key(ident: str, _: Principal = Depends(require_role("admin"))) -> dict[str, list[int]]:
    """Servers stop accepting the key within a few seconds (their lookup cache)."""
    return {"revoked": get_key_store().revoke(ident)}
