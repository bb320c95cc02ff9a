"""search watermark: SQLite's search index is filled after an import instead of in it; one row says up to which
document id it has caught up (every document there is, on upgrade). PostgreSQL gets the same table, unused.

Revision ID: 0012_search_watermark
Revises: 0011_row_security
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from models.db.dialect import SEARCH_WATERMARK, create_search_watermark, index_pending

revision = "0012_search_watermark"
down_revision = "0011_row_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_search_watermark(op.get_bind())


def downgrade() -> None:
    # the revision before keeps every document in the index: catch up first, then forget the watermark

    conn = op.get_bind()
    while index_pending(conn, 2000):
        pass
    conn.execute(text(f"DROP TABLE {SEARCH_WATERMARK}"))
