"""The project database: tables, engine, migrations. SQL lives here and in `models.store`."""

from __future__ import annotations

from .engine import make_engine, upgrade_database
from .tables import Annotation, Dismissal, Document, Event, Span, Status, Suggestion

__all__ = [
    "Annotation",
    "Dismissal",
    "Document",
    "Event",
    "Span",
    "Status",
    "Suggestion",
    "make_engine",
    "upgrade_database",
]
