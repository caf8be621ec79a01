"""Authentication and roles for the HTTP API.

Public for other packages' routers: `from tizim.api.auth import require_role, Principal`.
`require_role("analyst")` is a FastAPI dependency that returns the caller's `Principal`, or
answers 401 (no or unknown key) / 403 (role too low) with `{"detail": "..."}`.

Keys come as `Authorization: Bearer <key>` or, as yente clients send them,
`Authorization: ApiKey <key>`.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyHeader

from tizim.api.keys import ROLES, Principal, get_key_store, role_of_key_name, role_rank

__all__ = ["ROLES", "Principal", "require_role", "role_of_key_name", "authenticate_header"]

# Declared as an API-key header so /openapi.json documents the scheme for clients.
_header = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    description="`Bearer <key>` or `ApiKey <key>`; create keys with `tizim keys create`.",
)

_SCHEMES = ("bearer", "apikey")


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(
        status_code=401, detail=detail, headers={"WWW-Authenticate": 'Bearer realm="tizim"'}
    )


def authenticate_header(value: str | None) -> Principal:
    """The principal for an Authorization header value; raises the 401 HTTPException."""
    if not value:
        raise _unauthorized("missing API key: send 'Authorization: Bearer <key>'")
    scheme, _, secret = value.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() not in _SCHEMES or not secret:
        raise _unauthorized("malformed Authorization header: use 'Bearer <key>' or 'ApiKey <key>'")
    principal = get_key_store().authenticate(secret)
    if principal is None:
        raise _unauthorized("invalid or revoked API key")
    return principal


def require_role(role: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency admitting keys of `role` or any higher role."""
    role_rank(role)  # fail at import time on a typo, not at request time

    # async so FastAPI runs it on the event loop, not via a threadpool hop per request; the
    # key lookup is a dict hit, and a short indexed query once per key per CACHE_SECONDS.
    async def dependency(request: Request, authorization: str | None = Depends(_header)) -> Principal:
        principal = authenticate_header(authorization)
        # The access-log middleware reads the caller's name from here.
        request.state.principal = principal
        if not principal.allows(role):
            raise HTTPException(
                status_code=403,
                detail=f"role {principal.role!r} may not do this; needs {role!r} or higher",
            )
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency
