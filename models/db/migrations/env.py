"""Alembic environment: always run with a connection handed in by `models.db.engine.upgrade_database`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from models.db import tables  # noqa: F401  (registers the tables on SQLModel.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through models.db.upgrade_database(engine)")

context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
