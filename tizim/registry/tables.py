"""Registry tables (SQLAlchemy Core). The schema itself is created by Alembic migration 0001."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from tizim.store import metadata

lists = Table(
    "lists",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", Text),
    Column("publisher", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # sanctions, pep, watchlist or other (migration 0008): only a sanctions list freezes.
    Column("kind", String(16), nullable=False, server_default="other"),
)

list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_name", String(64), ForeignKey("lists.name"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("file_hash", String(64), nullable=False),
    Column("source_file", Text, nullable=False),
    Column("published_at", String(32)),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("entity_count", Integer, nullable=False),
    Column("added", Integer, nullable=False),
    Column("removed", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    # 1: an older snapshot than the current version, kept as history (migration 0008); it
    # changed no entry.
    Column("history", Integer, nullable=False, server_default="0"),
    Index("ix_list_versions_list_seq", "list_name", "seq", unique=True),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("list_name", String(64), ForeignKey("lists.name"), nullable=False),
    Column("schema", String(32), nullable=False),
    Column("caption", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("content_hash", String(40), nullable=False),
    # Designated on this list (False for parties present only as relationship ends).
    Column("designated", Integer, nullable=False),
    Column("first_version_id", Integer, ForeignKey("list_versions.id"), nullable=False),
    Column("last_version_id", Integer, ForeignKey("list_versions.id"), nullable=False),
    Column("removed_version_id", Integer, ForeignKey("list_versions.id")),
    Index("ix_entities_list", "list_name", "removed_version_id"),
)

entity_changes = Table(
    "entity_changes",
    metadata,
    Column("version_id", Integer, ForeignKey("list_versions.id"), primary_key=True),
    Column("entity_id", String(128), primary_key=True),
    Column("change", String(16), nullable=False),  # added | removed | changed
    Column("content_hash", String(40)),  # after the change; NULL when removed
    Column("caption", Text, nullable=False),
)

designations = Table(
    "designations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(128), ForeignKey("entities.id"), nullable=False),
    Column("list_name", String(64), nullable=False),
    Column("reference", String(128), nullable=False),
    Column("programme", Text),
    Column("authority", Text),
    Column("legal_basis", Text),
    Column("listed_on", String(32)),
    Column("delisted_on", String(32)),
    Column("citation", JSON),
    Column("events", JSON),
    Column("note", Text),
    Index("ix_designations_entity", "entity_id"),
    Index("ix_designations_list_ref", "list_name", "reference"),
)

names = Table(
    "names",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(128), ForeignKey("entities.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("script", String(8), nullable=False),
    Index("ix_names_entity", "entity_id"),
)

relationships = Table(
    "relationships",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("list_name", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("source_id", String(128), nullable=False),
    Column("target_id", String(128), nullable=False),
    Column("start_date", String(32)),
    Column("end_date", String(32)),
    Column("note", Text),
    Column("citation", JSON),
    Index("ix_relationships_source", "source_id"),
    Index("ix_relationships_target", "target_id"),
)

list_events = Table(
    "list_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_name", String(64), ForeignKey("lists.name"), nullable=False),
    Column("version_id", Integer, ForeignKey("list_versions.id"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("date", String(32)),
    Column("authority", Text),
    Column("count", Integer),
    Column("description", Text),
    Column("citation", JSON),
)
