"""Typology tables (SQLAlchemy Core on tizim.store.metadata); created by migration 0010."""

from __future__ import annotations

import sqlalchemy as sa

from tizim.store import metadata

# One row per trained risk model; the newest active one re-weights the typology signals.
models = sa.Table(
    "typ_models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("trained_at", sa.String(40), nullable=False),
    sa.Column("trained_by", sa.String(128), nullable=False),
    sa.Column("labels_file", sa.Text),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("metrics", sa.JSON, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)
