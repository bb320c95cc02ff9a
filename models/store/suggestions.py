"""The suggestion cache: a model's spans per document and model key, stored in bulk by `models.suggest`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete as _delete
from sqlalchemy import insert
from sqlmodel import Session, col, select

from ..db.tables import Document, Suggestion, utcnow
from .imports import published
from .transactions import _IN_CHUNK


def store_suggestions(document_id: int, model: str, spans: list[dict[str, Any]], *, session: Session) -> None:
    """Cache a model's spans for a document (replacing any for the same model key). Does not commit."""
    old = session.exec(
        select(Suggestion).where(Suggestion.document_id == document_id, Suggestion.model == model)
    ).first()
    if old is not None:
        session.delete(old)
        session.flush()
    session.add(Suggestion(document_id=document_id, model=model, spans=spans))


def suggestions_for(document_id: int, model: str, *, session: Session) -> list[dict[str, Any]] | None:
    """The cached spans of `model` for a document, or None when it has not been run on it."""
    row = session.exec(
        select(Suggestion.spans).where(Suggestion.document_id == document_id, Suggestion.model == model)
    ).first()
    return row


def documents_lacking_suggestions(
    model: str, *, session: Session, first: Sequence[int] = (), only_first: bool = False
) -> list[int]:
    """Ids of documents without cached suggestions for `model`: the ids in `first` (in that order, unknown and
    already-suggested ones skipped), then, unless `only_first`, all the others in project order."""
    has = select(Suggestion.id).where(Suggestion.document_id == Document.id, Suggestion.model == model).exists()
    head: list[int] = []
    wanted = list(dict.fromkeys(first))
    lacking: set[int] = set()
    for i in range(0, len(wanted), _IN_CHUNK):
        chunk = wanted[i : i + _IN_CHUNK]
        lacking.update(session.exec(select(Document.id).where(col(Document.id).in_(chunk), ~has, published())).all())
    head = [i for i in wanted if i in lacking]
    if only_first:
        return head
    rest = session.exec(select(Document.id).where(~has, published()).order_by(Document.position)).all()
    return head + [i for i in rest if i not in lacking]


def store_suggestions_bulk(items: Sequence[tuple[int, list[dict[str, Any]]]], model: str, *, session: Session) -> None:
    """Cache many documents' suggestions for `model` (replacing any already stored for them). Does not commit."""
    if not items:
        return
    conn = session.connection()
    ids = [doc_id for doc_id, _spans in items]
    for i in range(0, len(ids), _IN_CHUNK):
        conn.execute(
            _delete(Suggestion).where(
                col(Suggestion.model) == model, col(Suggestion.document_id).in_(ids[i : i + _IN_CHUNK])
            )
        )
    now = utcnow()
    conn.execute(
        insert(Suggestion),
        [{"document_id": doc_id, "model": model, "spans": spans, "created_at": now} for doc_id, spans in items],
    )
