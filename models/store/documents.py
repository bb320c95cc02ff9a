"""Documents: adding them (an import run, in chunks published at the end), reading them, their place in project
order."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update
from sqlmodel import Session

from ..db.dialect import (
    bulk_insert,
    document_length,
    index_for_search,
    index_pending,
    lock_event_log,
    lock_imports,
    reserve_ids,
)
from ..db.tables import ANNOTATION, DOCUMENT, EVENT, SPAN, Document, Origin, Status, utcnow
from ..errors import DocumentValueError, TagdeskError
from . import events
from .imports import Chunks, begin_import, finished, heartbeat, publish, published, remove_import
from .members import check_write
from .transactions import _IN_CHUNK, _bound

# one encoder for every row (json.dumps with options builds a new one per call)
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def meta_json(meta: dict[str, Any], line: int | None = None) -> str:
    """A document's meta as the database holds it: JSON that can be written as UTF-8 (a lone surrogate would
    break every later export), else DocumentValueError naming the line."""
    try:
        out = _to_json(meta)
        out.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise DocumentValueError(
            line,
            f"a value beside the text has a lone surrogate {exc.object[exc.start]!r}"
            " (half of an emoji or other character cut in two); fix the tool that wrote it",
        ) from None
    except (TypeError, ValueError) as exc:
        raise DocumentValueError(line, f"the document's meta cannot be stored as JSON ({exc})") from None
    return out


def text_hash(text: str) -> str:
    """A document's identity: SHA-256 of its UTF-8 text (hex)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


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
    # The file's own token boundaries, packed (models.tokens.pack); None: the project's tokenizer is used.
    tokens: bytes | None = None


@dataclass
class AddResult:
    added: int = 0
    duplicates: int = 0  # already in the project, or repeated within the input
    annotated: int = 0  # annotations stored (of new documents and of documents already here)
    joined: int = 0  # of those, annotations added to a document already here (another annotator's)
    # Annotations stored on texts already in the project (`joined` of them onto documents stored before).
    attached: int = 0
    # Annotations not stored: (line, why), for texts whose annotator has an annotation of them already.
    not_attached: list[tuple[int | None, str]] = field(default_factory=list)
    # Texts repeated within the input: (line, line of the first occurrence); the repeat is not stored again.
    repeated: list[tuple[int | None, int | None]] = field(default_factory=list)
    duplicate_lines: list[int] = field(default_factory=list)
    import_id: int | None = None
    transactions: int = 0  # commits it took (chunks of bounded time)


BATCH_DOCUMENTS = 500  # documents written between two looks at the clock
BATCH_CHARS = 4_000_000  # ... or fewer, when they are long


def add_documents(
    docs: Sequence[NewDocument],
    *,
    session: Session,
    source: str = "",
    annotator: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> AddResult:
    """Store new documents (and any spans/status they carry) as one import run, and commit.

    The rows go in short transactions (`imports.Chunks`), hidden from every list, export and suggestion run until
    the run is published at the end; if anything fails, what was written is removed again (or, if the process
    dies, on the next open): users see all of it or none. Texts already in the project (or earlier in `docs`) are
    not stored again (a document never changes after import); an annotation such a text carries is added when its
    annotator has none of that document yet (several annotators' work on one text), in the publishing
    transaction (it shows on a document already listed), else the text is counted as a duplicate. `annotator`
    owns carried annotations when a document names none; each stored annotation gets one `import` event. Raises
    before writing anything if a carried span is out of range (TagdeskError), carried spans overlap or a meta
    cannot be stored (DocumentValueError naming the document's line). `on_progress(done, total)` is called as rows
    are written.
    """
    for d in docs:
        for start, end, label in d.spans or ():
            check_span(d.text, start, end, label)
        _refuse_overlapping(d)
    items = [(d, text_hash(d.text), meta_json(d.meta, d.line)) for d in docs]
    for owner in sorted({d.annotator or annotator or "" for d in docs if d.spans is not None or d.status}):
        check_write(owner, session=session)  # importing others' annotations is a reviewer's action in a team
    session.rollback()  # end the reads: the import's own transactions begin below
    result = AddResult()
    total = len(docs)
    run_id = begin_import(session, source=source, annotator=annotator or "")
    result.import_id = run_id
    state = _ImportState()
    try:
        chunks = Chunks(session)
        done = 0
        for batch in _batches(items):
            conn = session.connection()
            _store_batch(conn, batch, run_id=run_id, source=source, annotator=annotator, result=result, state=state)
            heartbeat(conn, run_id)
            done += len(batch)
            if on_progress:
                on_progress(done, total)
            if chunks.due():
                chunks.next()
        conn = session.connection()
        joined = _new_annotators(conn=conn, default_annotator=annotator, result=result, state=state)
        result.attached = len(joined)
        if joined:
            result.annotated += _add_imported_annotations(
                joined, conn=conn, default_annotator=annotator, source=source, run_id=run_id
            )
            result.joined = len(joined)
        summary = {"source": source, "added": result.added, "duplicates": result.duplicates}
        publish(conn, run_id, annotator=annotator or "", payload=summary)
        session.commit()
        result.transactions = chunks.commits + 2  # registering, the chunks, publishing
    except BaseException:
        session.rollback()
        try:
            remove_import(session, run_id)
        except Exception:  # noqa: BLE001 - the next open removes it; the first failure is the one to report
            session.rollback()
        raise
    finally:
        finished(run_id)
    result.duplicate_lines.sort()
    if on_progress:
        on_progress(total, total)
    return result


Item = tuple[NewDocument, str, str]  # a document, its text's hash, its meta as JSON


def _batches(items: list[Item]) -> Iterator[list[Item]]:
    batch: list[Item] = []
    chars = 0
    for item in items:
        batch.append(item)
        chars += len(item[0].text)
        if len(batch) >= BATCH_DOCUMENTS or chars >= BATCH_CHARS:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


@dataclass
class _ImportState:
    """What an import run carries from one batch to the next."""

    again: list[tuple[int, NewDocument]] = field(default_factory=list)  # texts stored already, annotated
    taken: list[tuple[int, NewDocument]] = field(default_factory=list)  # new documents stored with an annotation
    first_line: dict[int, int | None] = field(default_factory=dict)  # document id -> line of its first occurrence


def _store_batch(
    conn: Connection,
    batch: list[Item],
    *,
    run_id: int,
    source: str,
    annotator: str | None,
    result: AddResult,
    state: _ImportState,
) -> None:
    """Write one batch of documents in the caller's transaction: new texts with their annotations. Texts already
    stored (in the project or earlier in this import) that carry an annotation go to `state.again`."""
    lock_imports(conn)  # PostgreSQL: one import at a time, so positions and duplicate checks stay exact
    existing: dict[str, int] = {}
    hashes = [h for _d, h, _m in batch]
    for i in range(0, len(hashes), _IN_CHUNK):
        stmt = select(DOCUMENT.c.text_hash, DOCUMENT.c.id).where(DOCUMENT.c.text_hash.in_(hashes[i : i + _IN_CHUNK]))
        existing.update((str(h), int(doc_id)) for h, doc_id in conn.execute(stmt))
    position = conn.execute(select(func.coalesce(func.max(DOCUMENT.c.position), -1))).scalar_one() + 1
    # ids for the new texts, before the loop names them (a sequence on PostgreSQL, max(id) + 1 on SQLite)
    ids = reserve_ids(conn, DOCUMENT, len({h for h in hashes if h not in existing}))
    new: list[Item] = []
    first_line = state.first_line
    for d, h, m in batch:
        known = existing.get(h)
        if known is not None:
            if known in first_line and not (d.spans is not None or d.status):
                result.repeated.append((d.line, first_line[known]))
            first_line.setdefault(known, d.line)
            if d.spans is not None or d.status:
                state.again.append((known, d))
            else:
                _duplicate(result, d)
            continue
        existing[h] = ids[len(new)]
        first_line[existing[h]] = d.line
        new.append((d, h, m))
    if not new:
        return
    rows = [
        {
            "id": ids[i],
            "text": d.text,
            "length": len(d.text),
            "text_hash": h,
            "meta": m,
            "source": source,
            "position": position + i,
            "tokens": d.tokens,
            "import_id": run_id,
        }
        for i, (d, h, m) in enumerate(new)
    ]
    bulk_insert(conn, DOCUMENT, rows)
    index_for_search(conn, ((row["id"], row["text"]) for row in rows))
    result.added += len(rows)
    annotated = [(ids[i], d) for i, (d, _h, _m) in enumerate(new) if d.spans is not None or d.status]
    if annotated:
        state.taken += annotated
        result.annotated += _add_imported_annotations(
            annotated, conn=conn, default_annotator=annotator, source=source, run_id=run_id
        )


def catch_up_search(session: Session, *, batch: int = 1000, should_stop: Callable[[], bool] | None = None) -> int:
    """Add the documents SQLite's search index has not caught up with yet, `batch` texts per committed write
    transaction (each holds the write lock only briefly), until none are left or `should_stop()`; how many were
    added. Search finds those documents meanwhile too (slower); nothing to do on PostgreSQL. `session` must be a
    writing one (the watermark is read and moved under the write lock)."""
    done = 0
    while not (should_stop is not None and should_stop()):
        added = index_pending(session.connection(), batch)
        session.commit()
        if not added:
            break
        done += added
    return done


def _refuse_overlapping(doc: NewDocument) -> None:
    """Refuse a document whose carried spans overlap (or repeat): an annotation's spans never overlap, which the
    decisions' overlap check relies on (it looks at one neighbour only). The readers of files leave such spans out
    and say so; this guards any other caller."""
    ordered = sorted(doc.spans or ())  # in order already from every reader: one pass
    for (a1, b1, lab1), (a2, b2, lab2) in zip(ordered, ordered[1:], strict=False):
        if a2 < b1:
            raise DocumentValueError(
                doc.line, f"the spans {a1}-{b1} ({lab1}) and {a2}-{b2} ({lab2}) overlap; entities cannot overlap"
            )


def _duplicate(result: AddResult, doc: NewDocument) -> None:
    result.duplicates += 1
    if doc.line is not None:
        result.duplicate_lines.append(doc.line)


def _new_annotators(
    *, conn: Connection, default_annotator: str | None, result: AddResult, state: _ImportState
) -> list[tuple[int, NewDocument]]:
    """Of annotations carried by texts stored already (`state.again`), those whose annotator has none of that
    document (in the project, this import included, or earlier in the file); the others are counted as
    duplicates, with why (`result.not_attached`, or `result.repeated` for a repeat within this import). A
    document without tokens of its own gets the ones the file brought."""
    items = state.again
    if not items:
        return []

    def who(d: NewDocument) -> str:
        return d.annotator or default_annotator or ""

    have: set[tuple[int, str]] = set()
    ids = sorted({doc_id for doc_id, _d in items})
    for i in range(0, len(ids), _IN_CHUNK):
        stmt = select(ANNOTATION.c.document_id, ANNOTATION.c.annotator).where(
            ANNOTATION.c.document_id.in_(ids[i : i + _IN_CHUNK])
        )
        have.update((int(doc_id), str(name)) for doc_id, name in conn.execute(stmt))
    here_before = {doc_id for doc_id, _d in state.taken}
    out: list[tuple[int, NewDocument]] = []
    for doc_id, d in items:
        if (doc_id, who(d)) in have:
            _duplicate(result, d)
            if doc_id in here_before or (doc_id, who(d)) in {(i, who(x)) for i, x in out}:
                result.repeated.append((d.line, state.first_line.get(doc_id)))
            else:
                name = who(d) or "the annotator"
                result.not_attached.append((d.line, f"{name} already has an annotation of this text; kept"))
            continue
        have.add((doc_id, who(d)))
        out.append((doc_id, d))
        if d.tokens is not None:
            conn.execute(_SET_TOKENS, {"doc": doc_id, "blob": d.tokens})
    return out


_SET_TOKENS = (
    update(DOCUMENT)
    .where(DOCUMENT.c.id == bindparam("doc"), DOCUMENT.c.tokens.is_(None))
    .values(tokens=bindparam("blob"))
)


def _add_imported_annotations(
    items: list[tuple[int, NewDocument]], *, conn: Connection, default_annotator: str | None, source: str, run_id: int
) -> int:
    ann_ids = reserve_ids(conn, ANNOTATION, len(items))
    ann_rows: list[tuple[Any, ...]] = []
    span_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    now = _bound(conn, ANNOTATION.c.updated_at, utcnow())
    imported, pending = Origin.imported.value, Status.pending.value  # (an enum's .value is slow in a loop)
    for k, (doc_id, d) in enumerate(items):
        ann_id = ann_ids[k]
        for value in (d.annotator, d.status):
            if value and "\x00" in value:
                raise DocumentValueError(d.line, f"{value!r} has a NUL character; no text field may hold one")
        who = d.annotator or default_annotator or ""
        status = d.status or pending
        ann_rows.append((ann_id, doc_id, who, status, 0.0, now, 1))
        spans = d.spans or ()
        span_rows += [(ann_id, start, end, label, imported, None) for start, end, label in spans]
        payload = events.imported(status, [(*span, imported, None) for span in spans], source=source, import_id=run_id)
        event_rows.append((now, who, doc_id, "import", _to_json(payload)))
    # COPY on PostgreSQL, the driver's executemany on SQLite, values already as it takes them (3x faster than
    # Core's per-row processing here)
    bulk_insert(conn, ANNOTATION, ann_rows, ANNOTATION_KEYS)
    bulk_insert(conn, SPAN, span_rows, SPAN_KEYS)
    lock_event_log(conn)
    bulk_insert(conn, EVENT, event_rows, EVENT_KEYS)
    return len(ann_rows)


ANNOTATION_KEYS = ("id", "document_id", "annotator", "status", "seconds_spent", "updated_at", "version")
SPAN_KEYS = ("annotation_id", "start", "end", "label", "origin", "score")
EVENT_KEYS = ("at", "annotator", "document_id", "action", "payload")


def check_span(text: str | int, start: int, end: int, label: str) -> None:
    """Refuse a span that is not inside `text` (or a text of that length), is empty, or has no label."""
    length = text if isinstance(text, int) else len(text)
    if not (isinstance(start, int) and isinstance(end, int)):
        raise TagdeskError(f"span offsets must be integers, got {start!r}, {end!r}")
    if not 0 <= start < end <= length:
        raise TagdeskError(f"span {start}-{end} ({label}) is outside the text (0-{length}) or empty")
    if not label:
        raise TagdeskError(f"span {start}-{end} has an empty label")
    if "\x00" in label:  # PostgreSQL cannot store it, so neither backend takes it
        raise TagdeskError(f"span {start}-{end}: the label {label!r} has a NUL character")


def document_count(*, session: Session) -> int:
    """How many documents the project has (those of an import still under way not counted)."""
    stmt = select(func.count()).select_from(DOCUMENT).where(published())
    return int(session.connection().execute(stmt).scalar_one())


def text_length(document_id: int, *, session: Session) -> int:
    """A document's length in code points, as stored beside its text (decisions check spans against it):
    `length(text)` would read the whole text on SQLite."""
    length = document_length(session.connection(), document_id)
    if length is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return length


_DOCUMENT = select(DOCUMENT).where(DOCUMENT.c.id == bindparam("doc"))


def get_document(document_id: int, *, session: Session) -> Document:
    """A document by id (detached)."""
    row = session.connection().execute(_DOCUMENT, {"doc": document_id}).first()
    if row is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    return Document(**row._mapping)


def document_index(document_id: int, *, session: Session) -> tuple[int, int]:
    """(1-based place of a document in project order, number of documents)."""
    conn = session.connection()
    position = conn.execute(select(DOCUMENT.c.position).where(DOCUMENT.c.id == document_id)).scalar()
    if position is None:
        raise TagdeskError(f"document {document_id} is not in this project")
    before = select(func.count()).select_from(DOCUMENT).where(DOCUMENT.c.position <= position, published())
    return int(conn.execute(before).scalar_one()), document_count(session=session)


def document_ids(*, session: Session) -> list[int]:
    """Every document id in project order (ints only: cheap even for 100,000 documents)."""
    stmt = select(DOCUMENT.c.id).where(published()).order_by(DOCUMENT.c.position)
    return [int(i) for i in session.connection().execute(stmt).scalars()]


def document_texts(ids: Sequence[int], *, session: Session) -> dict[int, str]:
    """{id: text} for the given document ids (missing ids are absent)."""
    out: dict[int, str] = {}
    conn = session.connection()
    for i in range(0, len(ids), _IN_CHUNK):
        chunk = list(ids[i : i + _IN_CHUNK])
        rows = conn.execute(select(DOCUMENT.c.id, DOCUMENT.c.text).where(DOCUMENT.c.id.in_(chunk)))
        out.update((int(r.id), str(r.text)) for r in rows)
    return out


def document_tokens(document_id: int, *, session: Session) -> bytes | None:
    """A document's own tokens as stored at import (`models.tokens.pack`), or None when it has none."""
    tokens: bytes | None = session.connection().execute(_TOKENS, {"doc": document_id}).scalar()
    return tokens


_TOKENS = select(DOCUMENT.c.tokens).where(DOCUMENT.c.id == bindparam("doc"))
