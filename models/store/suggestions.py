"""The suggestion cache: a model's spans per document and model key, stored in bulk by `models.suggest`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session

from ..db.dialect import upsert
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
    model: str, *, session: Session, first: Sequence[int] = (), only_first: bool = False, scored: bool = False
) -> list[int]:
    """Ids of documents without cached suggestions for `model` (with `scored`: or whose cached suggestions have no
    probabilities yet): the ids in `first` (in that order, unknown and already-suggested ones skipped), then,
    unless `only_first`, all the others in project order. Documents of an import still under way are left out."""
    conn = session.connection()
    cond = [SUGGESTION.c.document_id == DOCUMENT.c.id, SUGGESTION.c.model == model]
    if scored:
        cond.append(SUGGESTION.c.uncertainty.is_not(None))
    has = select(SUGGESTION.c.id).where(*cond)
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


def store_suggestions_bulk(
    items: Sequence[tuple[int, list[dict[str, Any]]]],
    model: str,
    *,
    session: Session,
    uncertainty: Sequence[float | None] | None = None,
) -> None:
    """Cache many documents' suggestions for `model` (replacing any already stored for them), with each document's
    uncertainty when the spans carry probabilities (None: not scored). Does not commit.

    An upsert (ON CONFLICT DO UPDATE): two desktops suggesting the same documents at once do not collide."""
    if not items:
        return
    now = utcnow()
    rows = [
        {
            "document_id": doc_id,
            "model": model,
            "spans": spans,
            "created_at": now,
            "uncertainty": uncertainty[k] if uncertainty is not None else None,
        }
        for k, (doc_id, spans) in enumerate(items)
    ]
    upsert(session.connection(), SUGGESTION, rows, ("document_id", "model"))


def uncertainty_of(ids: Sequence[int], model: str, *, session: Session) -> dict[int, float | None]:
    """{document id: uncertainty} of the cached suggestions of `model` (documents without any are absent)."""
    conn = session.connection()
    out: dict[int, float | None] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[i : i + _IN_CHUNK])
        stmt = select(SUGGESTION.c.document_id, SUGGESTION.c.uncertainty).where(
            SUGGESTION.c.model == model, SUGGESTION.c.document_id.in_(chunk)
        )
        out.update((int(doc_id), unc) for doc_id, unc in conn.execute(stmt))
    return out


def pending_suggestions(
    model: str, *, session: Session, annotator: str, batch: int = 500
) -> Iterator[tuple[int, str, dict[str, Any], list[dict[str, Any]], float | None]]:
    """(id, text, meta, spans, uncertainty) of the pending documents (for `annotator`) with cached suggestions for
    `model`, in project order, `batch` per query (documents of an import still under way left out)."""
    from .queue import pending_for

    conn = session.connection()
    last = -1
    while True:
        stmt = (
            select(
                DOCUMENT.c.id,
                DOCUMENT.c.text,
                DOCUMENT.c.meta,
                SUGGESTION.c.spans,
                SUGGESTION.c.uncertainty,
                DOCUMENT.c.position,
            )
            .join(SUGGESTION, (SUGGESTION.c.document_id == DOCUMENT.c.id) & (SUGGESTION.c.model == model))
            .where(pending_for(annotator), DOCUMENT.c.position > last, published())
            .order_by(DOCUMENT.c.position)
            .limit(batch)
        )
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = rows[-1][5]
        for doc_id, text, meta, spans, unc, _pos in rows:
            yield int(doc_id), str(text), meta or {}, spans, unc


def rekey_suggestions(old_part: str, new_part: str, rename: tuple[str, str], *, session: Session) -> int:
    """A label rename: move every cached suggestion whose key ends with `+old_part` to the same key ending with
    `+new_part`, with the spans labelled `rename[0]` labelled `rename[1]` (scores and uncertainty kept). A row
    already cached under the new key for the same document is replaced. Does not commit; returns rows moved."""
    table = SUGGESTION
    conn = session.connection()
    before, after = rename
    suffix = "+" + old_part
    moved, last = 0, 0
    move = (
        update(table)
        .where(table.c.id == bindparam("row"))
        .values(model=bindparam("new_model"), spans=bindparam("new_spans"))
    )
    while True:
        rows = conn.execute(
            select(table.c.id, table.c.document_id, table.c.model, table.c.spans)
            .where(table.c.model.endswith(suffix, autoescape=True), table.c.id > last)
            .order_by(table.c.id)
            .limit(_IN_CHUNK)
        ).all()
        if not rows:
            return moved
        last = rows[-1][0]
        changes = []
        by_key: dict[str, list[int]] = {}
        for row_id, doc_id, model, spans in rows:
            key = model[: -len(old_part)] + new_part
            by_key.setdefault(key, []).append(doc_id)
            renamed = [{**s, "label": after} if s.get("label") == before else s for s in spans or []]
            changes.append({"row": row_id, "new_model": key, "new_spans": renamed})
        for key, docs in by_key.items():
            conn.execute(delete(table).where(table.c.model == key, table.c.document_id.in_(docs)))
        conn.execute(move, changes)
        moved += len(rows)
