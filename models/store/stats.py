"""Counts for `tagdesk stats`: the project's, and each annotator's (the gold annotation is counted apart).
Documents of an import still under way are not counted."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from statistics import median
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..db.tables import Annotation, Event, Span, Status, Suggestion
from ..team import GOLD, is_person
from .documents import document_count
from .imports import hidden_documents, published_annotation


def stats(*, session: Session, annotator: str | None = None) -> dict[str, Any]:
    """Counts for `tagdesk stats`: documents by status (for `annotator`; a document nobody decided is pending),
    spans by label and origin, and each annotator's decisions and time."""
    total = document_count(session=session)
    shown = published_annotation()  # an import still under way is not counted
    by_annotator: dict[str, dict[str, int]] = {}
    for name, status, n in session.exec(
        select(Annotation.annotator, Annotation.status, func.count())
        .where(shown)
        .group_by(Annotation.annotator, Annotation.status)
    ).all():
        by_annotator.setdefault(name, {})[status] = n

    def statuses(counts: dict[str, int]) -> dict[str, int]:
        decided = {s.value: counts.get(s.value, 0) for s in Status if s is not Status.pending}
        return {Status.pending.value: total - sum(decided.values()), **decided}

    labels = dict(
        session.exec(
            select(Span.label, func.count())
            .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
            .where(shown)
            .group_by(Span.label)
            .order_by(func.count().desc(), Span.label)
        ).all()
    )
    origins = dict(
        session.exec(
            select(Span.origin, func.count())
            .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
            .where(shown)
            .group_by(Span.origin)
            .order_by(Span.origin)
        ).all()
    )
    suggested = session.exec(
        select(func.count(func.distinct(Suggestion.document_id))).where(
            col(Suggestion.document_id).not_in(hidden_documents())
        )
    ).one()
    labels_of: dict[str, dict[str, int]] = {}
    for name, label, n in session.exec(
        select(Annotation.annotator, Span.label, func.count())
        .select_from(Span)
        .join(Annotation, col(Annotation.id) == col(Span.annotation_id))
        .where(shown)
        .group_by(Annotation.annotator, Span.label)
        .order_by(Annotation.annotator, func.count().desc(), Span.label)
    ).all():
        labels_of.setdefault(name, {})[label] = n
    times: dict[str, list[float]] = {}
    for name, seconds in session.exec(
        select(Annotation.annotator, Annotation.seconds_spent).where(
            Annotation.status != Status.pending.value, Annotation.seconds_spent > 0, shown
        )
    ).all():
        times.setdefault(name, []).append(seconds)
    annotators = []
    for name, counts in sorted(by_annotator.items()):
        if not is_person(name):
            continue
        seconds = session.exec(
            select(func.coalesce(func.sum(Annotation.seconds_spent), 0.0)).where(Annotation.annotator == name, shown)
        ).one()
        used = labels_of.get(name, {})
        decided = sum(n for status, n in counts.items() if status != Status.pending.value)
        timed = times.get(name, [])
        annotators.append(
            {
                "name": name,
                "statuses": statuses(counts),
                "spans": sum(used.values()),
                "spans_by_label": used,
                "seconds_spent": round(seconds, 1),
                # from the time the window measured on decided documents (imports carry none)
                "seconds_per_document": round(median(timed), 1) if timed else None,
                "documents_per_hour": round(len(timed) / (sum(timed) / 3600), 1) if timed else None,
                "decided": decided,
            }
        )
    gold = by_annotator.get(GOLD, {})
    return {
        "documents": total,
        "annotator": annotator,
        "statuses": statuses(by_annotator.get(annotator or "", {})),
        "documents_with_suggestions": suggested,
        "spans": sum(labels.values()),
        "spans_by_label": labels,
        "spans_by_origin": origins,
        "annotators": annotators,
        "reviewed": sum(n for status, n in gold.items() if status != Status.pending.value),
    }


def annotator_progress(*, session: Session, annotator: str) -> tuple[int, int, float | None]:
    """(documents this annotator decided, documents in the project, average seconds spent on a decided document;
    None before the first)."""
    total = document_count(session=session)
    decided, seconds = session.exec(
        select(func.count(), func.coalesce(func.sum(Annotation.seconds_spent), 0.0)).where(
            Annotation.annotator == annotator, Annotation.status != Status.pending.value, published_annotation()
        )
    ).one()
    return int(decided), total, (float(seconds) / decided if decided and seconds else None)


def activity(*, session: Session, annotator: str | None = None) -> dict[str, Any]:
    """What the statistics view plots: decisions (documents accepted, rejected or ignored) per local day and per
    hour of the day, from the event log, and the seconds spent on each decided document. `annotator` None: all."""
    stmt = select(Event.at, Event.payload).where(Event.action == "set_status")
    if annotator is not None:
        stmt = stmt.where(Event.annotator == annotator)
    per_day: Counter[date] = Counter()
    per_hour = [0] * 24
    for at, payload in session.exec(stmt).all():
        if (payload or {}).get("status", Status.pending.value) == Status.pending.value:
            continue
        when = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone()
        per_day[when.date()] += 1
        per_hour[when.hour] += 1
    seconds = select(Annotation.seconds_spent).where(Annotation.status != Status.pending.value)
    if annotator is not None:
        seconds = seconds.where(Annotation.annotator == annotator)
    return {
        "per_day": sorted(per_day.items()),
        "per_hour": per_hour,
        "seconds": [float(x) for x in session.exec(seconds).all() if x],
        "today": datetime.now().astimezone().date(),
    }


def annotators(*, session: Session) -> list[str]:
    """Everyone with an annotation in the project, sorted (people only: not the gold annotation)."""
    return sorted(n for n in session.exec(select(Annotation.annotator).distinct()).all() if n and is_person(n))
