"""suggestion.uncertainty: how unsure the model is of a document's suggestions (None: not scored yet)

Revision ID: 0008_suggestion_uncertainty
Revises: 0007_search
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_suggestion_uncertainty"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uncertainty", sa.Float(), nullable=True))
        batch_op.create_index("ix_suggestion_model_uncertainty", ["model", "uncertainty"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("suggestion", schema=None) as batch_op:
        batch_op.drop_index("ix_suggestion_model_uncertainty")
        batch_op.drop_column("uncertainty")
