"""The queue: which document comes next after a decision. The one definition of "next" (no Qt): the window
asks it after every decision, and so will the command line and whatever orders work later (most uncertain first,
documents claimed by teammates) through `order`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from . import store
from .store.listing import NO_FILTERS, ListFilters

ORDERS = ("position",)  # project order; more orders extend `next_document`, not its callers


@dataclass(frozen=True)
class NextDocument:
    """The document to show next. `wrapped`: it was found above the current one (the queue went back to the top
    of the list, the documents below being done)."""

    document_id: int
    wrapped: bool = False


@dataclass(frozen=True)
class Progress:
    """How much of a list is done: `to_do` of its `total` documents are still to do (`ListFilters.to_do`)."""

    to_do: int
    total: int

    @property
    def done(self) -> int:
        return self.total - self.to_do


def next_document(
    *,
    session: Session,
    annotator: str,
    after: int | None,
    filters: ListFilters = NO_FILTERS,
    order: str = "position",
) -> NextDocument | None:
    """The next document still to do for `annotator` in the list `filters` show, after the document `after` (the
    one just decided; None: from the top): the first one below it, else the first one from the top, never `after`
    itself. None when nothing in the list is left to do. One indexed query (two when it wraps)."""
    if order not in ORDERS:
        raise ValueError(f"unknown queue order {order!r}; known: {', '.join(ORDERS)}")
    key = store.document_key(after, session=session) if after is not None else None
    found = store.next_to_do(session=session, annotator=annotator, filters=filters, after=key, skip=after)
    if found is not None:
        return NextDocument(found)
    if key is None:
        return None
    found = store.next_to_do(session=session, annotator=annotator, filters=filters, after=None, skip=after)
    return NextDocument(found, wrapped=True) if found is not None else None


def progress(*, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> Progress:
    """How many documents of the list `filters` show are still to do, and how many it shows (two counts)."""
    total = store.count_documents(session=session, annotator=annotator, filters=filters)
    to_do_filters = ListFilters(status=filters.to_do, label=filters.label, search=filters.search)
    to_do = store.count_documents(session=session, annotator=annotator, filters=to_do_filters)
    return Progress(to_do=to_do, total=total)
