"""document.length and span (annotation_id, start): the two lookups every decision makes, without reading the text
or every span of the annotation

Revision ID: 0013_document_length_span_start
Revises: 0012_search_watermark
Create Date: 2026-12-03

A decision checks its span against the document's length: `length(text)` read the whole text on SQLite (14 ms for
5 MB), so the length in code points is stored beside it, filled here for every document there is (both backends'
`length` counts code points), and read from an index on (id, length). The overlap check takes the span of the
annotation with the largest start before the new span's end: the index on (annotation_id, start) finds it in one
step instead of a scan over every span of the annotation, and serves every lookup by annotation_id that the index
on that column alone served.
"""

from __future__ import annotations

from alembic import op

from models.db.dialect import is_postgresql

revision = "0013_document_length_span_start"
down_revision = "0012_search_watermark"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (as 0010: rebuilding `document` in batch mode would drop a table others point to). SQLite
    # adds a NOT NULL column only with a default; PostgreSQL drops it once the rows are filled, so there an insert
    # that leaves the length out fails instead of storing 0.
    op.execute("ALTER TABLE document ADD COLUMN length INTEGER NOT NULL DEFAULT 0")
    op.execute("UPDATE document SET length = length(text)")
    if is_postgresql(op.get_bind()):
        op.alter_column("document", "length", server_default=None)
    # SQLite appends the column after the text: reading it from the row walks the text's overflow pages (1.2 ms for
    # 5 MB), from this index it does not (models.db.dialect.document_length)
    op.create_index("ix_document_id_length", "document", ["id", "length"], unique=False)
    op.create_index("ix_span_annotation_id_start", "span", ["annotation_id", "start"], unique=False)
    op.drop_index("ix_span_annotation_id", table_name="span")


def downgrade() -> None:
    op.drop_index("ix_document_id_length", table_name="document")
    op.create_index("ix_span_annotation_id", "span", ["annotation_id"], unique=False)
    op.drop_index("ix_span_annotation_id_start", table_name="span")
    # ALTER TABLE ... DROP COLUMN on both (SQLite has it since 3.35), for the same reason as the ADD COLUMN above
    op.execute("ALTER TABLE document DROP COLUMN length")
