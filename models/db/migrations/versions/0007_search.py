"""search: a case-folded trigram index over every document's text (FTS5 on SQLite, pg_trgm on PostgreSQL)

Revision ID: 0007_search
Revises: 0006_document_tokens
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from models.db.dialect import create_search_index, drop_search_index, rebuild_search_index

revision = "0007_search"
down_revision = "0006_document_tokens"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    create_search_index(conn)
    rebuild_search_index(conn, watermark=False)  # the watermark comes in 0012_search_watermark


def downgrade() -> None:
    drop_search_index(op.get_bind())
