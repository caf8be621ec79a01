"""Workspace tables (SQLAlchemy Core): people who sign in, their sessions, the signing key.

Created by Alembic migration 0011_workspace.
"""

from __future__ import annotations

import sqlalchemy as sa

from tizim.store import metadata

# People (API keys stay for machines): the same roles as keys, argon2 password hashes.
users = sa.Table(
    "web_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    # Base32 TOTP secret once the user turned two-step sign-in on.
    sa.Column("totp_secret", sa.String(64)),
    sa.Column("language", sa.String(8)),
    sa.Column("time_zone", sa.String(64)),
    # Set for a generated one-time password: the user must choose their own at sign-in.
    sa.Column("must_change_password", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    sa.Column("disabled_at", sa.DateTime(timezone=True)),
)

# Server-side sessions; the cookie holds a random token, the table only its sha256.
sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("web_users.id"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    # Password checked, one-time code still due: not signed in yet.
    sa.Column("pending_totp", sa.Boolean, nullable=False, default=False),
)
sa.Index("ix_web_sessions_user", sessions.c.user_id)

# Server secrets (the CSRF signing key), made once per database so every worker shares them.
secrets_table = sa.Table(
    "web_secrets",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
)
