"""Customer tables (SQLAlchemy Core on tizim.store.metadata); created by migration 0007."""

from __future__ import annotations

import sqlalchemy as sa

from tizim.store import metadata

# The book as it stands: one row per customer, its current version and screening state.
customers = sa.Table(
    "cust_customers",
    metadata,
    sa.Column("customer_id", sa.String(128), primary_key=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # unscreened | clear | alert | frozen | closed
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("closed_at", sa.String(40)),
    # the version last screened against the whole lists, and when (the delta rescreens keep
    # it current as lists change: see rescreen.py)
    sa.Column("screened_version", sa.Integer),
    sa.Column("screened_at", sa.String(40)),
)
sa.Index("ix_cust_customers_status", customers.c.status)

# Every version of every customer: the history an auditor reads.
versions = sa.Table(
    "cust_versions",
    metadata,
    sa.Column("customer_id", sa.String(128), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("change", sa.String(16), nullable=False),  # imported | updated | closed | reopened
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("content_hash", sa.String(40), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("source", sa.Text),
)

accounts = sa.Table(
    "cust_accounts",
    metadata,
    sa.Column("account", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("frozen", sa.Integer, nullable=False),
    sa.Column("frozen_at", sa.String(40)),
    sa.Column("frozen_case_id", sa.Integer),
    sa.Column("unfrozen_at", sa.String(40)),
    # 1 once the customer no longer holds it (a later version dropped it, or the customer closed)
    sa.Column("closed", sa.Integer, nullable=False),
)
sa.Index("ix_cust_accounts_customer", accounts.c.customer_id)

# Screening hits: one row per customer, listed entity and way in (own name, owner, director).
matches = sa.Table(
    "cust_matches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("customer_id", sa.String(128), nullable=False),
    sa.Column("entity_id", sa.String(128), nullable=False),
    # "name" or "owner:<ref>" / "director:<ref>": the same entity met through an owner is
    # another alert than met by the customer's own name
    sa.Column("via", sa.String(300), nullable=False),
    sa.Column("caption", sa.Text),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("designated", sa.Integer, nullable=False),
    sa.Column("freeze", sa.Integer, nullable=False),
    sa.Column("lists", sa.JSON, nullable=False),
    sa.Column("refs", sa.JSON, nullable=False),
    sa.Column("explanation", sa.JSON, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("list_name", sa.String(64)),
    sa.Column("list_version", sa.Integer),
    sa.Column("published_at", sa.String(40)),
    sa.Column("found_at", sa.String(40), nullable=False),
    sa.Column("case_id", sa.Integer),
    # open | dismissed | confirmed | delisted | released
    sa.Column("status", sa.String(16), nullable=False),
    sa.UniqueConstraint("customer_id", "entity_id", "via", name="uq_cust_matches_hit"),
)
sa.Index("ix_cust_matches_customer", matches.c.customer_id)
sa.Index("ix_cust_matches_entity", matches.c.entity_id)

# The words of every customer's names as the screening engine folds them: a list update is
# matched against the customers who share a word (or a near spelling) with its new entries.
tokens = sa.Table(
    "cust_tokens",
    metadata,
    sa.Column("fold", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.String(128), primary_key=True),
)
sa.Index("ix_cust_tokens_customer", tokens.c.customer_id)

# Who owns or directs an organization customer: another customer (by id) or a bare name.
links = sa.Table(
    "cust_links",
    metadata,
    sa.Column("customer_id", sa.String(128), primary_key=True),
    sa.Column("ref", sa.String(300), primary_key=True),
    sa.Column("role", sa.String(16), primary_key=True),  # owner | director
    sa.Column("share", sa.Float),
)
sa.Index("ix_cust_links_ref", links.c.ref)

# One row per list version re-screened against the book (a re-run skips these versions).
rescreens = sa.Table(
    "cust_rescreens",
    metadata,
    sa.Column("list_name", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("rescreened_at", sa.String(40), nullable=False),
    sa.Column("new_entries", sa.Integer, nullable=False),
    sa.Column("removed_entries", sa.Integer, nullable=False),
    sa.Column("candidates", sa.Integer, nullable=False),
    sa.Column("alerts", sa.Integer, nullable=False),
    sa.Column("frozen", sa.Integer, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
)
