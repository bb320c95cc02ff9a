"""Counts for `tagdesk stats`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from ..db.tables import Annotation, Span, Status, Suggestion
from .documents import document_count


def stats(*, session: Session, annotator: str | None = None) -> dict[str, Any]:
    """Counts for `tagdesk stats`: documents by status (for `annotator`; a document nobody decided is pending),
    spans by label and origin, and each annotator's decisions and time."""
    total = document_count(session=session)
    by_annotator: dict[str, dict[str, int]] = {}
    for name, status, n in session.exec(
        select(Annotation.annotator, Annotation.status, func.count()).group_by(Annotation.annotator, Annotation.status)
    ).all():
        by_annotator.setdefault(name, {})[status] = n

    def statuses(counts: dict[str, int]) -> dict[str, int]:
        decided = {s.value: counts.get(s.value, 0) for s in Status if s is not Status.pending}
        return {Status.pending.value: total - sum(decided.values()), **decided}

    labels = dict(
        session.exec(
            select(Span.label, func.count()).group_by(Span.label).order_by(func.count().desc(), Span.label)
        ).all()
    )
    origins = dict(session.exec(select(Span.origin, func.count()).group_by(Span.origin).order_by(Span.origin)).all())
    suggested = session.exec(select(func.count(func.distinct(Suggestion.document_id)))).one()
    annotators = []
    for name, counts in sorted(by_annotator.items()):
        seconds = session.exec(
            select(func.coalesce(func.sum(Annotation.seconds_spent), 0.0)).where(Annotation.annotator == name)
        ).one()
        spans = session.exec(
            select(func.count())
            .select_from(Span)
            .join(Annotation, Annotation.id == Span.annotation_id)
            .where(Annotation.annotator == name)
        ).one()
        annotators.append(
            {"name": name, "statuses": statuses(counts), "spans": spans, "seconds_spent": round(seconds, 1)}
        )
    return {
        "documents": total,
        "annotator": annotator,
        "statuses": statuses(by_annotator.get(annotator or "", {})),
        "documents_with_suggestions": suggested,
        "spans": sum(labels.values()),
        "spans_by_label": labels,
        "spans_by_origin": origins,
        "annotators": annotators,
    }
