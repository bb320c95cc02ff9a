"""The "most uncertain first" order of pending documents (`models.queue` uses it for `order="uncertain"`).

The order is the document list's (`models/store/listing.py`, `ListFilters(order="uncertain")`): the window's list
sorted most uncertain first, the queue's next document and `tagdesk queue --order uncertain` are one order.
One indexed query, never paging the document list.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from ..db.tables import Annotation, Document, Status
from .listing import ListFilters, document_rows


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
    are scored, most uncertain first (ties in project order), then every other pending document in project order."""
    filters = ListFilters(status=Status.pending.value, order="uncertain", model=model)
    return [row.id for row in document_rows(session=session, annotator=annotator, filters=filters, limit=limit)]
