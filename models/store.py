"""Store functions: every read and write of the project database goes through here.

Functions take `session=` (SQLModel `Session`). Decision functions (`add_span`, `remove_span`, `update_span`,
`set_status`) each commit one transaction holding the change and its `event` row (DESIGN.md invariant 3), and
bump the annotation's `version`; pass `expected_version` to refuse a stale edit made in another window.
Use `writing(engine)` for sessions that write: it takes SQLite's write lock at BEGIN (no SQLITE_BUSY half-way).
Bulk work (imports) uses SQLAlchemy Core, not ORM objects: ~20x faster.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, case, func, insert, literal, or_, update
from sqlalchemy import delete as _delete
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col, select

from .db.engine import as_user_error, casefold
from .db.tables import Annotation, Dismissal, Document, Event, Origin, Span, Status, Suggestion, utcnow
from .errors import OverlapError, StaleAnnotationError, TagdeskError

PREVIEW_CHARS = 120


def text_hash(text: str) -> str:
    """A document's identity: SHA-256 of its UTF-8 text (hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock at once (SQLite BEGIN IMMEDIATE).

    A database failure (disk full, read-only file, lock held too long, damaged file) rolls the change back and
    is raised as `models.errors.DatabaseError` saying what to do.
    """
    with (
        _user_errors(engine),
        Session(engine.execution_options(tagdesk_immediate=True), expire_on_commit=False) as session,
    ):
        yield session


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """A session for reads; database failures are raised as `models.errors.DatabaseError`."""
    with _user_errors(engine), Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def _user_errors(engine: Engine) -> Iterator[None]:
    try:
        yield
    except (sa_exc.OperationalError, sa_exc.InternalError) as exc:
        raise as_user_error(exc, engine) from exc
    except sa_exc.DatabaseError as exc:
        if isinstance(exc, (sa_exc.IntegrityError, sa_exc.ProgrammingError)):
            raise  # a bug, not the user's problem
        raise as_user_error(exc, engine) from exc


# ---------------------------------------------------------------------------------------------- documents


@dataclass
class NewDocument:
    """A document to store, as read from a file. `line` is where it came from (1-based), for messages."""

    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None
    # Optional annotation carried by richer formats (origin "import").
    spans: list[tuple[int, int, str]] | None = None
    status: str | None = None
    annotator: str | None = None


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0  # already in the project, or repeated within the input
    annotated: int = 0  # documents whose annotation was stored
    duplicate_lines: list[int] = field(default_factory=list)


def add_documents(
    docs: Sequence[NewDocument],
    *,
    session: Session,
    source: str = "",
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Store new documents (and any spans/status they carry) in ONE transaction; commit.

    Texts already in the project are skipped and counted as duplicates (a document never changes after import).
    `annotator` owns carried annotations when a document names none. Raises before writing anything if a
    carried span is out of range. `on_progress(done, total)` is called as rows are written.
    """
    result = AddResult()
    total = len(docs)
    hashes = [text_hash(d.text) for d in docs]
    existing: set[str] = set()
    for i in range(0, len(hashes), 900):
        chunk = hashes[i : i + 900]
        existing.update(session.exec(select(Document.text_hash).where(col(Document.text_hash).in_(chunk))).all())
    fresh: list[tuple[NewDocument, str]] = []
    seen: set[str] = set()
    for doc, h in zip(docs, hashes, strict=True):
        if h in existing or h in seen:
            result.duplicates += 1
            if doc.line is not None:
                result.duplicate_lines.append(doc.line)
            continue
        seen.add(h)
        fresh.append((doc, h))
    position = session.exec(select(func.coalesce(func.max(Document.position), -1))).one() + 1
    first_id = session.exec(select(func.coalesce(func.max(Document.id), 0))).one() + 1
    rows = [
        {
            "id": first_id + i,
            "text": d.text,
            "text_hash": h,
            "meta": json.dumps(d.meta, ensure_ascii=False),
            "source": source,
            "position": position + i,
        }
        for i, (d, h) in enumerate(fresh)
    ]
    step = 5000
    conn = session.connection()
    for i in range(0, len(rows), step):
        _bulk_insert(conn, Document, rows[i : i + step])
        if on_progress:
            on_progress(min(i + step, len(rows)), total)
    annotated = [(first_id + i, d) for i, (d, _h) in enumerate(fresh) if d.spans is not None or d.status]
    if annotated:
        result.annotated = _add_imported_annotations(annotated, conn=conn, default_annotator=annotator)
    result.added = len(rows)
    if rows:
        conn.execute(
            insert(Event),
            [
                {
                    "at": utcnow(),
                    "annotator": annotator or "",
                    "document_id": None,
                    "action": "import",
                    "payload": {"source": source, "added": len(rows), "duplicates": result.duplicates},
                }
            ],
        )
    session.commit()
    if on_progress:
        on_progress(total, total)
    return result


def _bulk_insert(conn, table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows through the driver's executemany, skipping SQLAlchemy's per-value processing
    (JSON columns must already be serialized). ~2x faster than Core for 100k rows; dialect-neutral."""
    if not rows:
        return
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=list(rows[0]))
    if compiled.positional:
        params = [tuple(row[k] for k in compiled.positiontup) for row in rows]
    else:
        params = rows
    conn.exec_driver_sql(compiled.string, params)


def _add_imported_annotations(items: list[tuple[int, NewDocument]], *, conn, default_annotator: str | None) -> int:
    first = conn.execute(select(func.coalesce(func.max(Annotation.id), 0))).scalar_one() + 1
    ann_rows, span_rows = [], []
    now = utcnow()
    for k, (doc_id, d) in enumerate(items):
        ann_id = first + k
        ann_rows.append(
            {
                "id": ann_id,
                "document_id": doc_id,
                "annotator": d.annotator or default_annotator or "",
                "status": d.status or Status.pending.value,
                "seconds_spent": 0.0,
                "updated_at": now,
                "version": 1,
            }
        )
        for start, end, label in d.spans or ():
            check_span(d.text, start, end, label)
            span_rows.append(
                {
                    "annotation_id": ann_id,
                    "start": start,
                    "end": end,
                    "label": label,
                    "origin": Origin.imported.value,
                    "score": None,
                }
            )
    conn.execute(insert(Annotation), ann_rows)
    if span_rows:
        conn.execute(insert(Span), span_rows)
    return len(ann_rows)


def check_span(text: str | int, start: int, end: int, label: str) -> None:
    """Refuse a span that is not inside `text` (or a text of that length), is empty, or has no label."""
    length = text if isinstance(text, int) else len(text)
    if not (isinstance(start, int) and isinstance(end, int)):
        raise TagdeskError(f"span offsets must be integers, got {start!r}, {end!r}")
    if not 0 <= start < end <= length:
        raise TagdeskError(f"span {start}-{end} ({label}) is outside the text (0-{length}) or empty")
    if not label:
        raise TagdeskError(f"span {start}-{end} has an empty label")


def document_count(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(Document)).one()


def text_length(document_id: int, *, session: Session) -> int:
    """A document's length in code points, without loading its text (decisions check spans against it)."""
    length = session.connection().execute(_TEXT_LENGTH, {"doc": document_id}).scalar()
    if length is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return length


def get_document(document_id: int, *, session: Session) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return doc


@dataclass(frozen=True)
class DocumentRow:
    """What a document list shows: no full text."""

    id: int
    position: int
    preview: str
    length: int
    status: str


def _filtered_documents(*, annotator: str, status: str | None, label: str | None, search: str | None):
    ann = (
        select(Annotation.document_id, Annotation.status, Annotation.id)
        .where(Annotation.annotator == annotator)
        .subquery()
    )
    stmt = select(
        Document.id,
        Document.position,
        func.substr(Document.text, 1, PREVIEW_CHARS),
        func.length(Document.text),
        func.coalesce(ann.c.status, Status.pending.value),
    ).outerjoin(ann, ann.c.document_id == Document.id)
    if status:
        if status == Status.pending.value:
            stmt = stmt.where(or_(ann.c.status.is_(None), ann.c.status == status))
        else:
            stmt = stmt.where(ann.c.status == status)
    if label:
        stmt = stmt.where(select(Span.id).where(Span.annotation_id == ann.c.id, Span.label == label).exists())
    if search:
        stmt = stmt.where(func.instr(casefold(Document.text), casefold(literal(search))) > 0)
    return stmt


def document_rows(
    *,
    session: Session,
    annotator: str,
    offset: int = 0,
    limit: int = 200,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
) -> list[DocumentRow]:
    """A page of the document list, in project order, with this annotator's status."""
    stmt = _filtered_documents(annotator=annotator, status=status, label=label, search=search)
    stmt = stmt.order_by(Document.position).offset(offset).limit(limit)
    return [DocumentRow(*row) for row in session.exec(stmt).all()]


def count_documents(
    *, session: Session, annotator: str, status: str | None = None, label: str | None = None, search: str | None = None
) -> int:
    sub = _filtered_documents(annotator=annotator, status=status, label=label, search=search).subquery()
    return session.exec(select(func.count()).select_from(sub)).one()


# ---------------------------------------------------------------------------------------------- annotations


def get_annotation(document_id: int, *, session: Session, annotator: str) -> Annotation | None:
    return session.exec(
        select(Annotation).where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    ).first()


def annotation_version(document_id: int, *, session: Session, annotator: str) -> int:
    """The version of this annotator's annotation of a document (0 before the first edit): a window passes it
    back as `expected_version` to find out whether another window changed the document meanwhile."""
    version = session.exec(
        select(Annotation.version).where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    ).first()
    return version or 0


def spans_of(document_id: int, *, session: Session, annotator: str) -> list[Span]:
    """This annotator's spans of a document, in reading order."""
    stmt = (
        select(Span)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
        .order_by(Span.start, Span.end)
    )
    return list(session.exec(stmt).all())


# Statements built once (a decision's cost was mostly SQLAlchemy building statements again on every keystroke).
_TEXT_LENGTH = select(func.length(Document.text)).where(Document.id == bindparam("doc"))
_ANNOTATION_ROW = select(Annotation.id, Annotation.version).where(
    Annotation.document_id == bindparam("doc"), Annotation.annotator == bindparam("who")
)
_OVERLAP = (
    select(Span.label, Span.start, Span.end)
    .where(
        Span.annotation_id == bindparam("ann"),
        Span.start < bindparam("end"),
        Span.end > bindparam("start"),
        Span.id != bindparam("ignore"),
    )
    .limit(1)
)
_BUMP_VERSION = (
    update(Annotation)
    .where(Annotation.id == bindparam("ann"))
    .values(version=bindparam("version"), updated_at=bindparam("now"))
)
_SPAN_ROW = (
    select(
        Span.id,
        Span.annotation_id,
        Span.start,
        Span.end,
        Span.label,
        Span.origin,
        Span.score,
        Annotation.annotator,
        Annotation.version,
        Annotation.document_id,
    )
    .join(Annotation, Annotation.id == Span.annotation_id)
    .where(Span.id == bindparam("span"))
)
_DELETE_SPAN = _delete(Span).where(Span.id == bindparam("span"))
_UPDATE_SPAN = (
    update(Span)
    .where(Span.id == bindparam("span"))
    .values(start=bindparam("start"), end=bindparam("end"), label=bindparam("label"))
)


def _annotation_row(conn, document_id: int, annotator: str, expected_version: int | None) -> tuple[int, int]:
    """(id, version) of this annotator's annotation of a document, created when missing; refuses a stale edit."""
    row = conn.execute(_ANNOTATION_ROW, {"doc": document_id, "who": annotator}).first()
    found = row.version if row else 0
    if expected_version is not None and expected_version != found:
        raise StaleAnnotationError(document_id, expected_version, found)
    if row is not None:
        return row.id, row.version
    created = conn.execute(
        insert(Annotation),
        {
            "document_id": document_id,
            "annotator": annotator,
            "status": Status.pending.value,
            "seconds_spent": 0.0,
            "updated_at": utcnow(),
            "version": 0,
        },
    )
    return created.inserted_primary_key[0], 0


def _refuse_overlap_row(conn, annotation_id: int, start: int, end: int, ignore_id: int | None = None) -> None:
    other = conn.execute(
        _OVERLAP, {"ann": annotation_id, "start": start, "end": end, "ignore": -1 if ignore_id is None else ignore_id}
    ).first()
    if other is not None:
        raise OverlapError(
            f"{start}-{end} overlaps the {other.label} span at {other.start}-{other.end}; "
            "entities cannot overlap: remove or shrink that one first"
        )


def _touch_row(
    conn, annotation_id: int, version: int, *, annotator: str, document_id: int, action: str, payload: dict[str, Any]
) -> None:
    """Bump the annotation's version and append the event, in the caller's transaction."""
    now = utcnow()
    conn.execute(_BUMP_VERSION, {"ann": annotation_id, "version": version + 1, "now": now})
    conn.execute(
        insert(Event),
        {
            "at": now,
            "annotator": annotator,
            "document_id": document_id,
            "action": action,
            "payload": {**payload, "version": version + 1},
        },
    )


def _span_row(conn, span_id: int, annotator: str, expected_version: int | None):
    row = conn.execute(_SPAN_ROW, {"span": span_id}).first()
    if row is None:
        raise TagdeskError(f"span {span_id} no longer exists (removed in another window?)")
    if row.annotator != annotator:
        raise TagdeskError(f"span {span_id} belongs to {row.annotator}, not {annotator}")
    if expected_version is not None and row.version != expected_version:
        raise StaleAnnotationError(row.document_id, expected_version, row.version)
    return row


def _set_dismissal_rows(conn, annotation_id: int, items: Iterable[tuple[int, int, str]], dismissed: bool) -> list[list]:
    """Record (or forget) dismissals of suggestions for one annotation; does not commit. Returns what changed."""
    changed = []
    for start, end, label in items:
        found = conn.execute(
            select(Dismissal.id).where(
                Dismissal.annotation_id == annotation_id,
                Dismissal.start == start,
                Dismissal.end == end,
                Dismissal.label == label,
            )
        ).first()
        if dismissed and found is None:
            conn.execute(insert(Dismissal).values(annotation_id=annotation_id, start=start, end=end, label=label))
        elif not dismissed and found is not None:
            conn.execute(_delete(Dismissal).where(Dismissal.id == found.id))
        else:
            continue
        changed.append([start, end, label])
    return changed


def _commit(session: Session) -> None:
    session.commit()
    session.expire_all()


def add_span(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    origin: str = Origin.human.value,
    score: float | None = None,
    expected_version: int | None = None,
    undismiss: Iterable[tuple[int, int, str]] = (),
) -> Span:
    """Add one span and commit. Raises OverlapError if it overlaps another span of this annotator.

    `undismiss` (start, end, label) forgets those suggestion dismissals in the same transaction (the undo of a
    `remove_span(..., dismiss=...)`)."""
    length = text_length(document_id, session=session)
    check_span(length, start, end, label)
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    _refuse_overlap_row(conn, ann_id, start, end)
    span_id = conn.execute(
        insert(Span),
        {"annotation_id": ann_id, "start": start, "end": end, "label": label, "origin": origin, "score": score},
    ).inserted_primary_key[0]
    restored = _set_dismissal_rows(conn, ann_id, undismiss, False)
    _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="add_span",
        payload={
            "span_id": span_id,
            "start": start,
            "end": end,
            "label": label,
            "origin": origin,
            **({"undismissed": restored} if restored else {}),
        },
    )
    _commit(session)
    return Span(id=span_id, annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)


def remove_span(
    span_id: int,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
    dismiss: Iterable[tuple[int, int, str]] = (),
) -> Span:
    """Remove one span and commit. Returns the removed span (detached) so it can be restored.

    `dismiss` (start, end, label) records those suggestions as rejected in the same transaction: deleting a span
    that hid the model's suggestions means "no entity here", so they must not come back."""
    conn = session.connection()
    row = _span_row(conn, span_id, annotator, expected_version)
    conn.execute(_DELETE_SPAN, {"span": span_id})
    dismissed = _set_dismissal_rows(conn, row.annotation_id, dismiss, True)
    _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="remove_span",
        payload={
            "span_id": span_id,
            "start": row.start,
            "end": row.end,
            "label": row.label,
            **({"dismissed": dismissed} if dismissed else {}),
        },
    )
    _commit(session)
    return Span(
        id=row.id,
        annotation_id=row.annotation_id,
        start=row.start,
        end=row.end,
        label=row.label,
        origin=row.origin,
        score=row.score,
    )


def update_span(
    span_id: int,
    *,
    session: Session,
    annotator: str,
    start: int | None = None,
    end: int | None = None,
    label: str | None = None,
    expected_version: int | None = None,
) -> Span:
    """Relabel or resize one span and commit."""
    conn = session.connection()
    row = _span_row(conn, span_id, annotator, expected_version)
    new_start = row.start if start is None else start
    new_end = row.end if end is None else end
    new_label = row.label if label is None else label
    check_span(text_length(row.document_id, session=session), new_start, new_end, new_label)
    _refuse_overlap_row(conn, row.annotation_id, new_start, new_end, ignore_id=span_id)
    conn.execute(_UPDATE_SPAN, {"span": span_id, "start": new_start, "end": new_end, "label": new_label})
    _touch_row(
        conn,
        row.annotation_id,
        row.version,
        annotator=annotator,
        document_id=row.document_id,
        action="update_span",
        payload={
            "span_id": span_id,
            "before": {"start": row.start, "end": row.end, "label": row.label},
            "after": {"start": new_start, "end": new_end, "label": new_label},
        },
    )
    _commit(session)
    return Span(
        id=span_id,
        annotation_id=row.annotation_id,
        start=new_start,
        end=new_end,
        label=new_label,
        origin=row.origin,
        score=row.score,
    )


def set_status(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[tuple[int, int, str, str, float | None]] = (),
    seconds: float = 0.0,
    expected_version: int | None = None,
) -> Annotation:
    """Record a decision on a document and commit, adding `add_spans` (start, end, label, origin, score) first,
    e.g. the pending suggestions an "accept" turns into spans. (`decide` without removals.)"""
    ann, _added = decide(
        document_id,
        status,
        session=session,
        annotator=annotator,
        add_spans=add_spans,
        seconds=seconds,
        expected_version=expected_version,
    )
    return ann


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


# ---------------------------------------------------------------------------------------------- stats


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


# ---------------------------------------------------------------------------------------------- annotation window
# Used by the desktop window's undo commands (desktop/undo.py). Spans are found by their position: NER spans do
# not overlap, so (document, start, end) names one span of an annotator at any moment, across undo/redo cycles
# that re-create rows with new ids.


def span_at(document_id: int, start: int, end: int, *, session: Session, annotator: str) -> Span | None:
    """This annotator's span of a document exactly at `start`-`end`, or None."""
    stmt = (
        select(Span)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(
            Annotation.document_id == document_id,
            Annotation.annotator == annotator,
            Span.start == start,
            Span.end == end,
        )
    )
    return session.exec(stmt).first()


def decide(
    document_id: int,
    status: Status | str,
    *,
    session: Session,
    annotator: str,
    add_spans: Iterable[tuple[int, int, str, str, float | None]] = (),
    remove_spans: Iterable[tuple[int, int]] = (),
    seconds: float = 0.0,
    expected_version: int | None = None,
) -> tuple[Annotation, list[Span]]:
    """Set a document's status, adding `add_spans` (start, end, label, origin, score) and removing the spans at
    `remove_spans` (start, end), in one committed transaction with one `set_status` event.

    Returns the annotation and the spans added. Accepting a document adds its pending suggestions; undoing that
    removes them again and restores the previous status. Raises OverlapError (nothing written) on an overlap.
    """
    status = Status(status).value
    length = text_length(document_id, session=session)
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    before = conn.execute(select(Annotation.status).where(Annotation.id == ann_id)).scalar_one()
    removed = []
    for start, end in remove_spans:
        row = conn.execute(
            select(Span.id, Span.label).where(Span.annotation_id == ann_id, Span.start == start, Span.end == end)
        ).first()
        if row is not None:
            removed.append({"start": start, "end": end, "label": row.label})
            conn.execute(_delete(Span).where(Span.id == row.id))
    added: list[Span] = []
    try:
        for start, end, label, origin, score in add_spans:
            check_span(length, start, end, label)
            _refuse_overlap_row(conn, ann_id, start, end)
            span_id = conn.execute(
                insert(Span).values(annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)
            ).inserted_primary_key[0]
            added.append(
                Span(id=span_id, annotation_id=ann_id, start=start, end=end, label=label, origin=origin, score=score)
            )
    except TagdeskError:
        session.rollback()
        raise
    conn.execute(
        update(Annotation)
        .where(Annotation.id == ann_id)
        .values(status=status, seconds_spent=Annotation.seconds_spent + seconds)
    )
    _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="set_status",
        payload={"status": status, "before": before, "added_span_ids": [sp.id for sp in added], "removed": removed},
    )
    _commit(session)
    return session.get(Annotation, ann_id), added


def dismiss_suggestion(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
) -> None:
    """Remember that this annotator rejected one suggested span, so it is not shown again; commit."""
    _dismissal(
        document_id, (start, end, label), True, session=session, annotator=annotator, expected_version=expected_version
    )


def restore_suggestion(
    document_id: int,
    start: int,
    end: int,
    label: str,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
) -> None:
    """Forget a dismissal (undo of `dismiss_suggestion`); commit."""
    _dismissal(
        document_id, (start, end, label), False, session=session, annotator=annotator, expected_version=expected_version
    )


def _dismissal(
    document_id: int,
    item: tuple[int, int, str],
    dismissed: bool,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None,
) -> None:
    text_length(document_id, session=session)  # raises if the document is gone
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    _set_dismissal_rows(conn, ann_id, [item], dismissed)
    start, end, label = item
    _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="dismiss_suggestion" if dismissed else "restore_suggestion",
        payload={"start": start, "end": end, "label": label},
    )
    _commit(session)


def dismissals_of(document_id: int, *, session: Session, annotator: str) -> set[tuple[int, int, str]]:
    """The (start, end, label) of suggestions this annotator dismissed in a document."""
    stmt = (
        select(Dismissal.start, Dismissal.end, Dismissal.label)
        .join(Annotation, Annotation.id == Dismissal.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
    )
    return {tuple(row) for row in session.exec(stmt).all()}


def span_tuples(
    document_id: int, *, session: Session, annotator: str
) -> list[tuple[int, int, int, str, str, float | None]]:
    """(id, start, end, label, origin, score) of this annotator's spans, in reading order; no ORM objects
    (a 1 MB article has ~16,000 spans)."""
    stmt = (
        select(Span.id, Span.start, Span.end, Span.label, Span.origin, Span.score)
        .join(Annotation, Annotation.id == Span.annotation_id)
        .where(Annotation.document_id == document_id, Annotation.annotator == annotator)
        .order_by(Span.start, Span.end)
    )
    return [tuple(row) for row in session.exec(stmt).all()]


def last_decision(*, session: Session, annotator: str) -> int | None:
    """The document this annotator decided most recently that is still decided (for "back"), or None."""
    stmt = (
        select(Event.document_id)
        .join(Annotation, (Annotation.document_id == Event.document_id) & (Annotation.annotator == Event.annotator))
        .where(Event.annotator == annotator, Event.action == "set_status", Annotation.status != Status.pending.value)
        .order_by(Event.id.desc())
        .limit(1)
    )
    return session.exec(stmt).first()


def decided_since(since, *, session: Session, annotator: str) -> int:
    """How many documents this annotator has decided (not pending) whose annotation changed since `since`
    (a timezone-aware datetime)."""
    stmt = (
        select(func.count())
        .select_from(Annotation)
        .where(
            Annotation.annotator == annotator, Annotation.status != Status.pending.value, Annotation.updated_at >= since
        )
    )
    return session.exec(stmt).one()


def document_index(document_id: int, *, session: Session) -> tuple[int, int]:
    """(1-based place of a document in project order, number of documents)."""
    position = session.exec(select(Document.position).where(Document.id == document_id)).first()
    if position is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    place = session.exec(select(func.count()).select_from(Document).where(Document.position <= position)).one()
    return place, document_count(session=session)


def document_ids(*, session: Session) -> list[int]:
    """Every document id in project order (ints only: cheap even for 100,000 documents)."""
    return list(session.exec(select(Document.id).order_by(Document.position)).all())


# ============================================================================================== export
# (formats issue) Reading annotated documents in bulk for export: SQLAlchemy Core, batched, in project order.


@dataclass
class AnnotatedDocument:
    """A document with one annotator's decision and spans, as exported."""

    id: int
    text: str
    meta: dict[str, Any]
    status: str
    spans: list[tuple[int, int, str]]


def _export_query(*, annotator: str, statuses: Sequence[str]):
    ann = (
        select(Annotation.document_id, Annotation.status, Annotation.id)
        .where(Annotation.annotator == annotator)
        .subquery()
    )
    status = func.coalesce(ann.c.status, Status.pending.value)
    return (
        select(Document.id, Document.text, Document.meta, status, ann.c.id)
        .outerjoin(ann, ann.c.document_id == Document.id)
        .where(status.in_(list(statuses)))
    )


def export_document_ids(*, session: Session, annotator: str, statuses: Sequence[str]) -> list[int]:
    """Ids of the documents whose status (for `annotator`; undecided = pending) is in `statuses`, in project order."""
    sub = _export_query(annotator=annotator, statuses=statuses).subquery()
    stmt = select(sub.c.id).join(Document, Document.id == sub.c.id).order_by(Document.position, Document.id)
    return list(session.exec(stmt).all())


def iter_annotated_documents(
    *, session: Session, annotator: str, statuses: Sequence[str], batch: int = 2000
) -> Iterator[AnnotatedDocument]:
    """Documents whose status for `annotator` is in `statuses`, with that annotator's spans sorted by offset,
    in project order. Reads `batch` documents and their spans per query (two queries per batch)."""
    from sqlalchemy import tuple_

    conn = session.connection()
    base = _export_query(annotator=annotator, statuses=statuses)
    last = None
    while True:  # keyset pages on (position, id): no OFFSET scans, no row missed if positions repeat
        stmt = base.add_columns(Document.position).order_by(Document.position, Document.id).limit(batch)
        if last is not None:
            stmt = stmt.where(tuple_(Document.position, Document.id) > tuple_(*last))
        rows = conn.execute(stmt).all()
        if not rows:
            return
        last = (rows[-1][-1], rows[-1][0])
        ann_ids = [r[4] for r in rows if r[4] is not None]
        spans: dict[int, list[tuple[int, int, str]]] = {}
        if ann_ids:
            for ann_id, start, end, label in conn.execute(
                select(Span.annotation_id, Span.start, Span.end, Span.label)
                .where(col(Span.annotation_id).in_(ann_ids))
                .order_by(Span.annotation_id, Span.start, Span.end)
            ):
                spans.setdefault(ann_id, []).append((start, end, label))
        for doc_id, text, meta, status, ann_id, _position in rows:
            yield AnnotatedDocument(doc_id, text, meta or {}, status, spans.get(ann_id, []) if ann_id else [])


# ---------------------------------------------------------------------------------------------- suggestions in bulk
# (models.suggest.suggest_documents) SQLAlchemy Core: one statement per batch, no ORM objects.


_IN_CHUNK = 900  # stay under SQLite's bound-parameter limit


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
        lacking.update(session.exec(select(Document.id).where(col(Document.id).in_(chunk), ~has)).all())
    head = [i for i in wanted if i in lacking]
    if only_first:
        return head
    rest = session.exec(select(Document.id).where(~has).order_by(Document.position)).all()
    return head + [i for i in rest if i not in lacking]


def document_texts(ids: Sequence[int], *, session: Session) -> dict[int, str]:
    """{id: text} for the given document ids (missing ids are absent)."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[i : i + _IN_CHUNK])
        out.update(session.exec(select(Document.id, Document.text).where(col(Document.id).in_(chunk))).all())
    return out


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


# ---------------------------------------------------------------------------------------------- list position
# (desktop document list) Where a document sits in the filtered list, in one COUNT, so the list can load the rows
# up to it in one query instead of paging with OFFSET until it appears.


def filtered_row_of(
    document_id: int,
    *,
    session: Session,
    annotator: str,
    status: str | None = None,
    label: str | None = None,
    search: str | None = None,
) -> int | None:
    """The 0-based row of a document in the list under these filters (the number of listed documents before it
    in project order), or None if the filters hide it or it does not exist."""
    position = select(Document.position).where(Document.id == document_id).scalar_subquery()
    sub = (
        _filtered_documents(annotator=annotator, status=status, label=label, search=search)
        .where(Document.position <= position)
        .subquery()
    )
    listed = func.max(case((sub.c.id == document_id, 1), else_=0))
    count, found = session.exec(select(func.count(), listed).select_from(sub)).one()
    return count - 1 if found else None
