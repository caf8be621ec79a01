"""Screening tables (SQLAlchemy Core). Created by Alembic migration 0002_screening."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

from tizim.store import metadata

screening_decisions = Table(
    "screening_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_key", String(256), nullable=False),
    # the cluster id the analyst saw
    Column("entity_id", String(128), nullable=False),
    # the cluster's content hash then: a later change to the listing revives the alert
    Column("content_hash", String(40), nullable=False),
    Column("decision", String(16), nullable=False),  # "not_match"
    Column("user", String(128), nullable=False),
    Column("reason", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Index("ix_screening_decisions_subject", "subject_key", "entity_id"),
)
