"""The order documents come in: the next pending document in project order, or the most uncertain first.

Indexed queries, never paging the document list: the window and `tagdesk queue` ask here for "what next".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Document, Status, Suggestion


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
        .where(pending_for(annotator))
        .order_by(func.coalesce(unc, -1.0).desc(), col(Document.position), col(Document.id))
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [int(d) for d in session.exec(stmt).all() if d is not None]


def pending_after(document_id: int | None, *, session: Session, annotator: str, limit: int = 1) -> list[int]:
    """Up to `limit` pending documents (for `annotator`) after `document_id` in project order, wrapping round to
    the top; `document_id` itself comes last if it is pending (nothing else is)."""
    position = -1
    if document_id is not None:
        found = session.exec(select(Document.position).where(Document.id == document_id)).first()
        position = found if found is not None else -1
    base = select(Document.id).where(pending_for(annotator))
    after = session.exec(base.where(Document.position > position).order_by(col(Document.position)).limit(limit)).all()
    out: list[int] = [d for d in after if d is not None]
    if len(out) < limit:
        before = session.exec(base.where(Document.position <= position).order_by(col(Document.position)).limit(limit))
        out += [int(d) for d in before.all() if d is not None and d not in out and d != document_id]
        if document_id is not None and document_id not in out and len(out) < limit:
            out += [int(d) for d in session.exec(base.where(Document.id == document_id)).all() if d is not None]
    return out[:limit]
