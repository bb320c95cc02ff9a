"""import runs: an import's rows are stored in short transactions tagged with its id, hidden until it publishes

Revision ID: 0010_import_run
Revises: 0009_event_baseline
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_import_run"
down_revision = "0009_event_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("annotator", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("running", sa.Integer(), nullable=True),
        sa.Column("host", sa.String(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("running", name="uq_import_run_running"),
    )
    # A plain ADD COLUMN ... REFERENCES (standard SQL; SQLite and PostgreSQL accept it): rebuilding `document` in
    # batch mode would drop a table others point to, which foreign keys forbid inside the migration's transaction.
    op.execute("ALTER TABLE document ADD COLUMN import_id INTEGER REFERENCES import_run (id)")
    op.create_index(op.f("ix_document_import_id"), "document", ["import_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_document_import_id"), table_name="document")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("import_id")
    op.drop_table("import_run")
