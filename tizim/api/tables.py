"""API tables (SQLAlchemy Core). The schema itself is created by Alembic migration 0003_api."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table

from tizim.store import metadata

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    # sha256 hex of the secret; the secret itself is shown once and never stored.
    Column("key_hash", String(64), nullable=False),
    # The first characters of the secret, so a user can tell keys apart in `keys list`.
    Column("prefix", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Index("ix_api_keys_key_hash", "key_hash", unique=True),
    Index("ix_api_keys_name", "name"),
)
