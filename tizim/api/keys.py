"""API keys: created once (the secret is shown once), stored as sha256 hashes, revocable.

Why sha256 and not bcrypt/argon2: the secrets are 256-bit random strings, not passwords a
person chose, so there is nothing to brute-force and no need for a slow hash; the hash is
checked on every request, where a deliberately slow hash would dominate latency.

Lookups are cached per process for `CACHE_SECONDS`: a revoked key keeps working for at most
that long in a server that has seen it recently.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, insert, select, update

from tizim.api.tables import api_keys
from tizim.errors import InputError, NotFound
from tizim.store import per_database, transaction

# Ordered from least to most privileged; a role may do everything the roles before it may.
ROLES: tuple[str, ...] = ("viewer", "screener", "analyst", "supervisor", "admin")

KEY_PREFIX = "tz_"
CACHE_SECONDS = 5.0
_CACHE_MAX = 10_000


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's id, its name (the user or system it was issued to), role."""

    key_id: int
    name: str
    role: str

    def allows(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


def role_rank(role: str) -> int:
    try:
        return ROLES.index(role)
    except ValueError:
        raise InputError(f"unknown role {role!r} (roles: {', '.join(ROLES)})", field="role") from None


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class KeyStore:
    """API keys in one database (`url`, default from settings)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._lock = threading.Lock()

    def create(self, name: str, role: str) -> tuple[Principal, str]:
        """A new key for `name` with `role`; returns the principal and the secret (shown once)."""
        name = name.strip()
        if not name:
            raise InputError("a key needs a name", field="name")
        role_rank(role)
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        with transaction(self.url) as conn:
            # One active key per name: the name is who acts in logs and audit trails.
            clash = conn.execute(
                select(api_keys.c.id).where(
                    and_(api_keys.c.name == name, api_keys.c.revoked_at.is_(None))
                )
            ).first()
            if clash is not None:
                raise InputError(
                    f"an active key named {name!r} exists (id {clash.id}); revoke it first",
                    field="name",
                )
            key_id = conn.execute(
                insert(api_keys)
                .values(
                    name=name,
                    role=role,
                    key_hash=hash_key(secret),
                    prefix=secret[: len(KEY_PREFIX) + 6],
                    created_at=_now(),
                    revoked_at=None,
                )
                .returning(api_keys.c.id)
            ).scalar_one()
        return Principal(key_id=key_id, name=name, role=role), secret

    def list_keys(self, include_revoked: bool = True) -> list[dict[str, Any]]:
        query = select(api_keys).order_by(api_keys.c.id)
        if not include_revoked:
            query = query.where(api_keys.c.revoked_at.is_(None))
        with transaction(self.url) as conn:
            return [
                {
                    "id": row.id,
                    "name": row.name,
                    "role": row.role,
                    "prefix": row.prefix,
                    "created_at": row.created_at.isoformat(),
                    "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
                }
                for row in conn.execute(query)
            ]

    def revoke(self, ident: str | int) -> list[int]:
        """Revoke a key by id, or every active key of a name; returns the ids revoked."""
        text = str(ident).strip()
        with transaction(self.url) as conn:
            # All digits means an id (names that are only digits: revoke by id).
            # ASCII digits only ("³" is a digit to str.isdigit, not to int), in the id column's range
            by_id = text.isascii() and text.isdigit() and int(text) <= 2_147_483_647
            where = api_keys.c.id == int(text) if by_id else api_keys.c.name == text
            ids = list(
                conn.execute(
                    select(api_keys.c.id).where(and_(where, api_keys.c.revoked_at.is_(None)))
                ).scalars()
            )
            if not ids:
                raise NotFound(f"no active API key with id or name {text!r}")
            conn.execute(
                update(api_keys).where(api_keys.c.id.in_(ids)).values(revoked_at=_now())
            )
        with self._lock:
            self._cache.clear()
        return ids

    def authenticate(self, secret: str) -> Principal | None:
        """The principal of an active key, or None; cached for CACHE_SECONDS."""
        digest = hash_key(secret)
        now = time.monotonic()
        cached = self._cache.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        with transaction(self.url) as conn:
            row = conn.execute(
                select(api_keys.c.id, api_keys.c.name, api_keys.c.role).where(
                    and_(api_keys.c.key_hash == digest, api_keys.c.revoked_at.is_(None))
                )
            ).first()
        principal = Principal(key_id=row.id, name=row.name, role=row.role) if row else None
        with self._lock:
            if len(self._cache) >= _CACHE_MAX:
                # Bounded: a flood of made-up keys must not grow memory without limit.
                self._cache.clear()
            self._cache[digest] = (now + CACHE_SECONDS, principal)
        return principal

    def role_of(self, name: str) -> str | None:
        """The role of the active key issued to `name`, or None."""
        with transaction(self.url) as conn:
            row = conn.execute(
                select(api_keys.c.role)
                .where(and_(api_keys.c.name == name, api_keys.c.revoked_at.is_(None)))
                .order_by(api_keys.c.id.desc())
            ).first()
        return row.role if row else None


# The process's key store for the configured database (one cache per database URL).
get_key_store = per_database(KeyStore)


def role_of_key_name(name: str) -> str | None:
    """The role of the active API key issued to `name` (for CLI users acting by name)."""
    return get_key_store().role_of(name)
