"""The "most uncertain first" order of pending documents (`models.queue` uses it for `order="uncertain"`).

One indexed query, never paging the document list.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Document, Status, Suggestion
from .imports import published


def pending_for(annotator: str) -> Any:
    """SQL condition: the document is pending for `annotator` (no annotation, or a pending one)."""
    decided = (
        select(Annotation.id)
        .where(
            Annotation.document_id == Document.id,
            Annotation.annotator == annotator,
            Annotation.status != Status.pending.value,
        )
        .exists()
    )
    return ~decided


def uncertain_pending(model: str, *, session: Session, annotator: str, limit: int | None = None) -> list[int]:
    """Pending documents (for `annotator`) in "most uncertain first" order: those whose suggestions for `model`
    are scored, most uncertain first (ties in project order), then every other pending document in project order.
    One indexed query."""
    unc = (
        select(Suggestion.uncertainty)
        .where(Suggestion.document_id == Document.id, Suggestion.model == model)
        .scalar_subquery()
    )
    stmt = (
        select(Document.id)
        .where(pending_for(annotator), published())
        .order_by(func.coalesce(unc, -1.0).desc(), col(Document.position), col(Document.id))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [int(d) for d in session.exec(stmt).all() if d is not None]
