"""document.tokens: the token boundaries a token-carrying file brought

Revision ID: 0006_document_tokens
Revises: 0005_claim
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_document_tokens"
down_revision = "0005_claim"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column appended: existing documents keep using the project's tokenizer.
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tokens", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("tokens")
