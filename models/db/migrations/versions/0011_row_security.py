"""row security: on PostgreSQL the server keeps the team's roles (each login writes its own annotations, reviewers
anyone's and the team, labels and settings); nothing changes on SQLite

Revision ID: 0011_row_security
Revises: 0010_import_run
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from models.db.row_security import disable_row_security, enable_row_security

revision = "0011_row_security"
down_revision = "0010_import_run"
branch_labels = None
depends_on = None


def upgrade() -> None:
    enable_row_security(op.get_bind())


def downgrade() -> None:
    disable_row_security(op.get_bind())
