"""search: a case-folded trigram index over every document's text (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0006_search
Revises: 0005_claim
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from models.db.dialect import create_search_index, drop_search_index, rebuild_search_index

revision = "0006_search"
down_revision = "0005_claim"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    create_search_index(conn)
    rebuild_search_index(conn)


def downgrade() -> None:
    drop_search_index(op.get_bind())
