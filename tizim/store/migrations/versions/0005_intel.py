"""Intel: documents, sentences, mentions, facts under review.

Revision ID: 0005_intel
Revises: 0001_registry
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_intel"
down_revision = "0001_registry"
branch_labels = ("intel",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intel_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("publisher", sa.Text),
        sa.Column("published_at", sa.String(32)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "intel_sentences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("intel_documents.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("paragraph", sa.Integer, nullable=False),
        sa.Column("section", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_index("ix_intel_sentences_doc", "intel_sentences", ["document_id", "seq"])
    op.create_table(
        "intel_mentions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("intel_documents.id"), nullable=False),
        sa.Column("sentence_seq", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("label", sa.String(16), nullable=False),
        sa.Column("entity_id", sa.String(128)),
        sa.Column("caption", sa.Text),
        sa.Column("score", sa.JSON),
        sa.Column("lists", sa.JSON),
    )
    op.create_index("ix_intel_mentions_doc", "intel_mentions", ["document_id"])
    op.create_index("ix_intel_mentions_entity", "intel_mentions", ["entity_id"])
    op.create_table(
        "intel_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("intel_documents.id"), nullable=False),
        sa.Column("sentence_seq", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32)),
        sa.Column("subject", sa.Text),
        sa.Column("subject_id", sa.String(128)),
        sa.Column("object", sa.Text),
        sa.Column("object_id", sa.String(128)),
        sa.Column("date", sa.String(32)),
        sa.Column("place", sa.Text),
        sa.Column("numbers", sa.JSON),
        sa.Column("data", sa.JSON),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.JSON),
    )
    op.create_index("ix_intel_facts_kind", "intel_facts", ["kind", "status"])
    op.create_index("ix_intel_facts_subject", "intel_facts", ["subject_id"])
    op.create_index("ix_intel_facts_object", "intel_facts", ["object_id"])


def downgrade() -> None:
    for table in ("intel_facts", "intel_mentions", "intel_sentences", "intel_documents"):
        op.drop_table(table)
