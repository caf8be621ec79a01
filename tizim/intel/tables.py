"""Intel tables (SQLAlchemy Core). The schema itself is created by Alembic migration 0005_intel."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, Integer, String, Table, Text

from tizim.store import metadata

documents = Table(
    "intel_documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("path", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("title", Text),
    Column("publisher", Text),
    Column("published_at", String(32)),
    Column("text", Text, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

sentences = Table(
    "intel_sentences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("intel_documents.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("paragraph", Integer, nullable=False),
    Column("section", Text),
    Column("text", Text, nullable=False),
    Index("ix_intel_sentences_doc", "document_id", "seq"),
)

mentions = Table(
    "intel_mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("intel_documents.id"), nullable=False),
    Column("sentence_seq", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("label", String(16), nullable=False),
    Column("entity_id", String(128)),
    Column("caption", Text),
    Column("score", JSON),
    Column("lists", JSON),
    Index("ix_intel_mentions_doc", "document_id"),
    Index("ix_intel_mentions_entity", "entity_id"),
)

facts = Table(
    "intel_facts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", Integer, ForeignKey("intel_documents.id"), nullable=False),
    Column("sentence_seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("action", String(32)),
    Column("subject", Text),
    Column("subject_id", String(128)),
    Column("object", Text),
    Column("object_id", String(128)),
    Column("date", String(32)),
    Column("place", Text),
    Column("numbers", JSON),
    Column("data", JSON),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("sentence", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("outcome", JSON),
    Index("ix_intel_facts_kind", "kind", "status"),
    Index("ix_intel_facts_subject", "subject_id"),
    Index("ix_intel_facts_object", "object_id"),
)
