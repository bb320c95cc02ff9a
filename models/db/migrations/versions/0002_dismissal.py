"""dismissal: suggestions an annotator rejected one by one

Revision ID: 0002_dismissal
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_dismissal"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dismissal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("annotation_id", "start", "end", "label", name="uq_dismissal_span"),
    )
    with op.batch_alter_table("dismissal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dismissal_annotation_id"), ["annotation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("dismissal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dismissal_annotation_id"))
    op.drop_table("dismissal")
