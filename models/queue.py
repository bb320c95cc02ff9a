"""The queue: which document comes next after a decision. The one definition of "next" (no Qt): the window
asks it after every decision, `tagdesk queue` prints it, and whatever orders work later come in through `order`.

Orders: "position" (project order: the next still to do below, then from the top) and "uncertain" (the document
still to do whose suggestions under `model_key` the model is least sure of, from the document uncertainty stored
with scored suggestions; documents not scored yet follow in project order). Both are orders of the document list
(`ListFilters.order`): the window's list sorted most uncertain first shows the documents in the order a / x /
Space take them, and the list's filters apply to both.

Shared work (`overlap`): only documents fewer than `overlap` other people hold are offered
(`models/store/claims.py`), and the one found is claimed for the annotator in the same write transaction, so two
desktops never both take the last place. Review (`order="review"`): the next document whose annotators accepted
it differently and that no reviewer has decided (`models/review.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlmodel import Session

from . import store
from .store.claims import CLAIM_MINUTES, available_to, claim
from .store.listing import NO_FILTERS, Key, ListFilters

ORDERS = ("position", "review", "uncertain")  # more orders extend `next_document`, not its callers


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
    model_key: str | None = None,
    overlap: int | None = None,
    minutes: float = CLAIM_MINUTES,
) -> NextDocument | None:
    """The next document still to do for `annotator` in the list `filters` show, after the document `after` (the
    one just decided; None: from the top): the first one below it, else the first one from the top, never `after`
    itself. None when nothing in the list is left to do. One indexed query (two when it wraps).

    `overlap` (shared work): only a document fewer than `overlap` others hold, claimed for `annotator` (for
    `minutes`) before it is returned; `session` must then be a write session (it is committed).
    `order="review"`: the next document still to review (`annotator` is the gold annotation's).
    With `order="uncertain"` (and the suggestions' `model_key`): the most uncertain document still to do in the
    list, from the top (uncertainties change as the model does), never `after`; `order` decides, whatever order
    `filters` had."""
    if order not in ORDERS:
        raise ValueError(f"unknown queue order {order!r}; known: {', '.join(ORDERS)}")
    if order == "review":
        return _next_to_review(session=session, after=after)
    filters = filters.sorted_by(order, model_key if order == "uncertain" else None)
    key = None
    if after is not None and order == "position":
        key = store.document_key(after, session=session)
    for _attempt in range(CLAIM_ATTEMPTS):
        also = available_to(annotator, overlap) if overlap is not None else None
        step = _first(session, annotator, filters, key, after, also)
        if step is None or overlap is None:
            return step
        if claim(step.document_id, session=session, annotator=annotator, overlap=overlap, minutes=minutes):
            return step
        # another desktop took its last place between the search and the claim (PostgreSQL): search again
    return None


CLAIM_ATTEMPTS = 10


def _first(
    session: Session,
    annotator: str,
    filters: ListFilters,
    key: Key | None,
    after: int | None,
    also: ColumnElement[bool] | None,
) -> NextDocument | None:
    """The first document still to do after `key`, else from the top (wrapped)."""
    found = store.next_to_do(session=session, annotator=annotator, filters=filters, after=key, skip=after, also=also)
    if found is not None:
        return NextDocument(found)
    if key is None:
        return None
    found = store.next_to_do(session=session, annotator=annotator, filters=filters, after=None, skip=after, also=also)
    return NextDocument(found, wrapped=True) if found is not None else None


def upcoming(
    *, session: Session, annotator: str, order: str = "position", limit: int = 20, model_key: str | None = None
) -> list[int]:
    """The next `limit` pending documents, in the order the window gives them (from the top)."""
    if order == "uncertain":
        return store.uncertain_pending(model_key or "", session=session, annotator=annotator, limit=limit)
    out: list[int] = []
    after: int | None = None
    while len(out) < limit:
        step = next_document(session=session, annotator=annotator, after=after)
        if step is None or step.document_id in out:
            break
        out.append(step.document_id)
        after = step.document_id
    return out


def _next_to_review(*, session: Session, after: int | None) -> NextDocument | None:
    """The first document after `after` in project order (wrapping) whose annotators differ, unreviewed."""
    from .review import to_review

    ids = [p.document_id for p in to_review(session=session)]
    if not ids:
        return None
    order = {d: i for i, d in enumerate(store.document_ids(session=session))}
    here = order.get(after, -1) if after is not None else -1
    later = [d for d in ids if order[d] > here]
    earlier = [d for d in ids if order[d] < here]
    if later:
        return NextDocument(later[0])
    return NextDocument(earlier[0], wrapped=True) if earlier else None


def progress(*, session: Session, annotator: str, filters: ListFilters = NO_FILTERS) -> Progress:
    """How many documents of the list `filters` show are still to do, and how many it shows (two counts)."""
    total = store.count_documents(session=session, annotator=annotator, filters=filters)
    to_do_filters = ListFilters(status=filters.to_do, label=filters.label, search=filters.search)
    to_do = store.count_documents(session=session, annotator=annotator, filters=to_do_filters)
    return Progress(to_do=to_do, total=total)
