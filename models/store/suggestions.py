"""The suggestion cache: a model's spans per document and model key, stored in bulk by `models.suggest`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, insert, select
from sqlmodel import Session

from ..db.tables import DOCUMENT, SUGGESTION, utcnow
from .imports import published
from .transactions import _IN_CHUNK

_SPANS = select(SUGGESTION.c.spans).where(
    SUGGESTION.c.document_id == bindparam("doc"), SUGGESTION.c.model == bindparam("model")
)


def store_suggestions(document_id: int, model: str, spans: list[dict[str, Any]], *, session: Session) -> None:
    """Cache a model's spans for a document (replacing any for the same model key). Does not commit."""
    store_suggestions_bulk([(document_id, spans)], model, session=session)


def suggestions_for(document_id: int, model: str, *, session: Session) -> list[dict[str, Any]] | None:
    """The cached spans of `model` for a document, or None when it has not been run on it."""
    spans: list[dict[str, Any]] | None = (
        session.connection().execute(_SPANS, {"doc": document_id, "model": model}).scalar()
    )
    return spans


def documents_lacking_suggestions(
    model: str, *, session: Session, first: Sequence[int] = (), only_first: bool = False
) -> list[int]:
    """Ids of documents without cached suggestions for `model`: the ids in `first` (in that order, unknown and
    already-suggested ones skipped), then, unless `only_first`, all the others in project order. Documents of an
    import still under way are left out."""
    conn = session.connection()
    has = select(SUGGESTION.c.id).where(SUGGESTION.c.document_id == DOCUMENT.c.id, SUGGESTION.c.model == model)
    lacking_here = select(DOCUMENT.c.id).where(~has.exists(), published())
    wanted = list(dict.fromkeys(first))
    lacking: set[int] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        lacking.update(conn.execute(lacking_here.where(DOCUMENT.c.id.in_(chunk))).scalars())
    head = [i for i in wanted if i in lacking]
    if only_first:
        return head
    rest = conn.execute(lacking_here.order_by(DOCUMENT.c.position)).scalars()
    return head + [i for i in rest if i not in lacking]


def store_suggestions_bulk(items: Sequence[tuple[int, list[dict[str, Any]]]], model: str, *, session: Session) -> None:
    """Cache many documents' suggestions for `model` (replacing any already stored for them). Does not commit."""
    if not items:
        return
    conn = session.connection()
    ids = [doc_id for doc_id, _spans in items]
    for i in range(0, len(ids), _IN_CHUNK):
        conn.execute(
            delete(SUGGESTION).where(SUGGESTION.c.model == model, SUGGESTION.c.document_id.in_(ids[i : i + _IN_CHUNK]))
        )
    now = utcnow()
    conn.execute(
        insert(SUGGESTION),
        [{"document_id": doc_id, "model": model, "spans": spans, "created_at": now} for doc_id, spans in items],
    )
