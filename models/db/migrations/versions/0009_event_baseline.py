"""event baseline: one event per existing annotation stating it whole, so the event log rebuilds every annotation

Revision ID: 0009_event_baseline
Revises: 0008_suggestion_uncertainty
Create Date: 2026-12-02

Older event payloads named spans by row id and left out origins, scores, dismissals and time spent, and imported
annotations had no event at all: the log could not rebuild what it recorded. From here on every event carries
what changed (models/store/events.py). This writes one `baseline` event per annotation with its status, spans,
dismissals, seconds spent and current version; the replay starts each annotation at its baseline.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from models.store import events

revision = "0009_event_baseline"
down_revision = "0008_suggestion_uncertainty"
branch_labels = None
depends_on = None

BATCH = 500

annotation = sa.table(
    "annotation",
    sa.column("id", sa.Integer),
    sa.column("document_id", sa.Integer),
    sa.column("annotator", sa.String),
    sa.column("status", sa.String),
    sa.column("seconds_spent", sa.Float),
    sa.column("version", sa.Integer),
)
span = sa.table(
    "span",
    sa.column("annotation_id", sa.Integer),
    sa.column("start", sa.Integer),
    sa.column("end", sa.Integer),
    sa.column("label", sa.String),
    sa.column("origin", sa.String),
    sa.column("score", sa.Float),
)
dismissal = sa.table(
    "dismissal",
    sa.column("annotation_id", sa.Integer),
    sa.column("start", sa.Integer),
    sa.column("end", sa.Integer),
    sa.column("label", sa.String),
)
event = sa.table(
    "event",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("annotator", sa.String),
    sa.column("document_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("payload", sa.JSON),
)


def upgrade() -> None:
    conn = op.get_bind()
    now = datetime.now(UTC)
    last = 0
    while True:
        anns = conn.execute(
            sa.select(annotation).where(annotation.c.id > last).order_by(annotation.c.id).limit(BATCH)
        ).all()
        if not anns:
            return
        last = anns[-1].id
        ids = [a.id for a in anns]
        spans: dict[int, list[tuple[Any, ...]]] = {}
        for row in conn.execute(
            sa.select(span).where(span.c.annotation_id.in_(ids)).order_by(span.c.annotation_id, span.c.start)
        ):
            spans.setdefault(row.annotation_id, []).append((row.start, row.end, row.label, row.origin, row.score))
        dismissed: dict[int, list[tuple[Any, ...]]] = {}
        for row in conn.execute(sa.select(dismissal).where(dismissal.c.annotation_id.in_(ids))):
            dismissed.setdefault(row.annotation_id, []).append((row.start, row.end, row.label))
        conn.execute(
            sa.insert(event),
            [
                {
                    "at": now,
                    "annotator": a.annotator,
                    "document_id": a.document_id,
                    "action": "baseline",
                    "payload": events.baseline(
                        a.status,
                        spans.get(a.id, []),
                        dismissed=sorted(dismissed.get(a.id, [])),
                        seconds=a.seconds_spent,
                        version=a.version,
                    ),
                }
                for a in anns
            ],
        )


def downgrade() -> None:
    op.execute("DELETE FROM event WHERE action = 'baseline'")
