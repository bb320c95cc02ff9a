"""An annotator's note on a document: a free comment and a flag ("unsure", "needs review") a reviewer filters on.

The note belongs to the annotator's annotation: changing it bumps the annotation's version (a window with an older
copy is refused, as for any edit) and appends one `set_note` event {"comment", "flag", "before": {"comment",
"flag"}}, enough to rebuild the note when the log is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update
from sqlmodel import Session, SQLModel

from ..db.tables import utcnow
from ..errors import TagdeskError
from . import events
from .decisions import Written, _annotation_row, _touch_row
from .documents import text_length
from .transactions import _commit

FLAGS = ("unsure", "needs review")
MAX_COMMENT = 10_000

_NOTE = SQLModel.metadata.tables["note"]
_ANN = SQLModel.metadata.tables["annotation"]


@dataclass(frozen=True)
class DocumentNote:
    comment: str = ""
    flag: str | None = None

    def __bool__(self) -> bool:
        return bool(self.comment or self.flag)


def check_note(comment: str, flag: str | None) -> None:
    if flag is not None and flag not in FLAGS:
        raise TagdeskError(f"flag {flag!r} is not one of {', '.join(FLAGS)} (or none)")
    if len(comment) > MAX_COMMENT:
        raise TagdeskError(f"the comment is {len(comment):,} characters long; keep it under {MAX_COMMENT:,}")


def _note_row(conn: Connection, annotation_id: int) -> DocumentNote | None:
    found = conn.execute(select(_NOTE.c.comment, _NOTE.c.flag).where(_NOTE.c.annotation_id == annotation_id)).first()
    return DocumentNote(found[0], found[1]) if found else None


def note_of(document_id: int, *, session: Session, annotator: str) -> DocumentNote:
    """This annotator's note on a document (empty when none)."""
    found = (
        session.connection()
        .execute(
            select(_NOTE.c.comment, _NOTE.c.flag)
            .join(_ANN, _ANN.c.id == _NOTE.c.annotation_id)
            .where(_ANN.c.document_id == document_id, _ANN.c.annotator == annotator)
        )
        .first()
    )
    return DocumentNote(found[0], found[1]) if found else DocumentNote()


def set_note(
    document_id: int,
    comment: str,
    flag: str | None,
    *,
    session: Session,
    annotator: str,
    expected_version: int | None = None,
) -> Written:
    """Set this annotator's comment and flag on a document with its `set_note` event; commit. Returns the
    annotation's new version (the event's payload keeps the note it replaced)."""
    check_note(comment, flag)
    text_length(document_id, session=session)  # raises if the document is gone
    conn = session.connection()
    ann_id, version = _annotation_row(conn, document_id, annotator, expected_version)
    before = _note_row(conn, ann_id)
    if before is None:
        conn.execute(insert(_NOTE), {"annotation_id": ann_id, "comment": comment, "flag": flag, "updated_at": utcnow()})
    else:
        conn.execute(
            update(_NOTE).where(_NOTE.c.annotation_id == ann_id).values(comment=comment, flag=flag, updated_at=utcnow())
        )
    old = before or DocumentNote()
    written = _touch_row(
        conn,
        ann_id,
        version,
        annotator=annotator,
        document_id=document_id,
        action="set_note",
        payload=events.set_note(comment, flag, before=(old.comment, old.flag)),
    )
    _commit(session)
    return Written(written)


def notes_for(annotation_ids: list[int], *, conn: Connection) -> dict[int, DocumentNote]:
    """{annotation id: note} for the given annotations that have one (exports add them to meta)."""
    out: dict[int, DocumentNote] = {}
    for i in range(0, len(annotation_ids), 900):
        chunk = annotation_ids[i : i + 900]
        for ann_id, comment, flag in conn.execute(
            select(_NOTE.c.annotation_id, _NOTE.c.comment, _NOTE.c.flag).where(_NOTE.c.annotation_id.in_(chunk))
        ):
            note = DocumentNote(comment, flag)
            if note:
                out[ann_id] = note
    return out
