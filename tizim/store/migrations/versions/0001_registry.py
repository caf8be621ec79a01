"""Registry: lists, versions, entities, designations, names, relationships, list events.

Revision ID: 0001_registry
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_registry"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lists",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("publisher", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_name", sa.String(64), sa.ForeignKey("lists.name"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("file_hash", sa.String(64), nullable=False),
        sa.Column("source_file", sa.Text, nullable=False),
        sa.Column("published_at", sa.String(32)),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entity_count", sa.Integer, nullable=False),
        sa.Column("added", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
    )
    op.create_index("ix_list_versions_list_seq", "list_versions", ["list_name", "seq"], unique=True)
    op.create_table(
        "entities",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("list_name", sa.String(64), sa.ForeignKey("lists.name"), nullable=False),
        sa.Column("schema", sa.String(32), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("content_hash", sa.String(40), nullable=False),
        sa.Column("designated", sa.Integer, nullable=False),
        sa.Column("first_version_id", sa.Integer, sa.ForeignKey("list_versions.id"), nullable=False),
        sa.Column("last_version_id", sa.Integer, sa.ForeignKey("list_versions.id"), nullable=False),
        sa.Column("removed_version_id", sa.Integer, sa.ForeignKey("list_versions.id")),
    )
    op.create_index("ix_entities_list", "entities", ["list_name", "removed_version_id"])
    op.create_table(
        "entity_changes",
        sa.Column("version_id", sa.Integer, sa.ForeignKey("list_versions.id"), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("change", sa.String(16), nullable=False),
        sa.Column("content_hash", sa.String(40)),
        sa.Column("caption", sa.Text, nullable=False),
    )
    op.create_table(
        "designations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity_id", sa.String(128), sa.ForeignKey("entities.id"), nullable=False),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(128), nullable=False),
        sa.Column("programme", sa.Text),
        sa.Column("authority", sa.Text),
        sa.Column("legal_basis", sa.Text),
        sa.Column("listed_on", sa.String(32)),
        sa.Column("delisted_on", sa.String(32)),
        sa.Column("citation", sa.JSON),
        sa.Column("events", sa.JSON),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_designations_entity", "designations", ["entity_id"])
    op.create_index("ix_designations_list_ref", "designations", ["list_name", "reference"])
    op.create_table(
        "names",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity_id", sa.String(128), sa.ForeignKey("entities.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("script", sa.String(8), nullable=False),
    )
    op.create_index("ix_names_entity", "names", ["entity_id"])
    op.create_table(
        "relationships",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("list_name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(128), nullable=False),
        sa.Column("target_id", sa.String(128), nullable=False),
        sa.Column("start_date", sa.String(32)),
        sa.Column("end_date", sa.String(32)),
        sa.Column("note", sa.Text),
        sa.Column("citation", sa.JSON),
    )
    op.create_index("ix_relationships_source", "relationships", ["source_id"])
    op.create_index("ix_relationships_target", "relationships", ["target_id"])
    op.create_table(
        "list_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_name", sa.String(64), sa.ForeignKey("lists.name"), nullable=False),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("list_versions.id"), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("date", sa.String(32)),
        sa.Column("authority", sa.Text),
        sa.Column("count", sa.Integer),
        sa.Column("description", sa.Text),
        sa.Column("citation", sa.JSON),
    )


def downgrade() -> None:
    for table in ("list_events", "relationships", "names", "designations", "entity_changes",
                  "entities", "list_versions", "lists"):
        op.drop_table(table)
