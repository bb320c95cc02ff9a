"""The project's labels in the database: add, change (name, colour, key), move, remove; each one committed
transaction with its events.

Project-level events (`document_id` NULL) rebuild the label table when replayed from empty, in id order:
`label_add` {"label": row}, `label_update` {"before": row, "after": row}, `label_move` {"order": [names]},
`label_remove` {"label": row}; a row is {"name", "color", "key", "position"}.
Renaming a label used by spans, or removing one with its spans, also changes annotations: each annotation it
touches gets its version bumped and one event of its own (annotator = the annotation's owner, "by" = who did it):
`rename_label` {"before": old name, "after": new name} (spans and dismissals with the old name take the new one),
`remove_label` {"label": name, "removed": [[start, end, label, origin, score], ...]}.
Validation of names, colours and keys is the caller's (`models.labels`); this module refuses what only the
database can tell (a name or key another label has, a label that is gone), inside the transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlmodel import Session, SQLModel

from ..db.tables import Span
from ..errors import TagdeskError
from . import events
from .decisions import _touch_row
from .members import require_reviewer
from .settings import _write_setting, bump_revision, project_event
from .suggestions import rekey_suggestions
from .transactions import _commit

_LAB = SQLModel.metadata.tables["label"]
_SPAN = SQLModel.metadata.tables["span"]
_ANN = SQLModel.metadata.tables["annotation"]
_DIS = SQLModel.metadata.tables["dismissal"]


@dataclass(frozen=True)
class LabelRow:
    name: str
    color: str
    key: str
    position: int


@dataclass(frozen=True)
class LabelUsage:
    """How much annotation uses a label: spans, documents and annotators."""

    spans: int
    documents: int
    annotators: int


def read_labels(*, session: Session) -> list[LabelRow]:
    """The project's labels in label-bar order."""
    rows = session.connection().execute(
        select(_LAB.c.name, _LAB.c.color, _LAB.c.key, _LAB.c.position).order_by(_LAB.c.position, _LAB.c.id)
    )
    return [LabelRow(*row) for row in rows]


def label_usage(name: str, *, session: Session) -> LabelUsage:
    """Spans carrying `name`, in how many documents, by how many annotators."""
    row = (
        session.connection()
        .execute(
            select(
                func.count(_SPAN.c.id),
                func.count(func.distinct(_ANN.c.document_id)),
                func.count(func.distinct(_ANN.c.annotator)),
            )
            .select_from(Span)
            .join(_ANN, _ANN.c.id == _SPAN.c.annotation_id)
            .where(_SPAN.c.label == name)
        )
        .one()
    )
    return LabelUsage(int(row[0]), int(row[1]), int(row[2]))


def _row(conn: Connection, name: str) -> LabelRow:
    found = conn.execute(
        select(_LAB.c.name, _LAB.c.color, _LAB.c.key, _LAB.c.position).where(_LAB.c.name == name)
    ).first()
    if found is None:
        raise TagdeskError(f"label {name!r} is not a label of this project (removed meanwhile?)")
    return LabelRow(*found)


def _refuse_taken(conn: Connection, *, name: str | None = None, key: str | None = None, other_than: str = "") -> None:
    if name is not None:
        taken = conn.execute(select(_LAB.c.name).where(_LAB.c.name == name, _LAB.c.name != other_than)).first()
        if taken is not None:
            raise TagdeskError(f"there is a label {name!r} already; choose another name")
    if key:
        taken = conn.execute(select(_LAB.c.name).where(_LAB.c.key == key, _LAB.c.name != other_than)).first()
        if taken is not None:
            raise TagdeskError(f"key {key!r} is {taken[0]}'s; choose another key, or take it from {taken[0]} first")


def insert_label(name: str, color: str, key: str, *, session: Session, annotator: str) -> LabelRow:
    """Add a label at the end of the bar with its `label_add` event; commit."""
    require_reviewer(session=session, what="changing the labels")
    conn = session.connection()
    _refuse_taken(conn, name=name, key=key)
    last = conn.execute(select(func.max(_LAB.c.position))).scalar()
    row = LabelRow(name, color, key, 0 if last is None else int(last) + 1)
    conn.execute(_LAB.insert(), asdict(row))
    project_event(conn, "label_add", {"label": asdict(row)}, annotator=annotator)
    bump_revision(conn)
    _commit(session)
    return row


def _touched_annotations(conn: Connection, label: str) -> list[Any]:
    """(id, version, document_id, annotator) of every annotation with a span or a dismissal labelled `label`."""
    with_span = select(_SPAN.c.annotation_id).where(_SPAN.c.label == label)
    with_dismissal = select(_DIS.c.annotation_id).where(_DIS.c.label == label)
    return list(
        conn.execute(
            select(_ANN.c.id, _ANN.c.version, _ANN.c.document_id, _ANN.c.annotator)
            .where(_ANN.c.id.in_(with_span.union(with_dismissal)))
            .order_by(_ANN.c.id)
        ).all()
    )


def change_label(
    name: str,
    *,
    session: Session,
    annotator: str,
    new_name: str | None = None,
    color: str | None = None,
    key: str | None = None,
    label_map: dict[str, str] | None = None,
    suggestions: tuple[str, str] | None = None,
) -> tuple[LabelRow, LabelRow, int]:
    """Rename, recolour or rekey a label and commit (before, after, spans renamed). A rename renames its spans
    and dismissals in the same transaction, one `rename_label` event per annotation touched; `label_map` (the
    mapping with the new name) is stored with it, and `suggestions` (the old and new labels parts of the cache
    key, `models.suggest.carry`) moves the cached suggestions to the new key, renamed."""
    require_reviewer(session=session, what="changing the labels")
    conn = session.connection()
    before = _row(conn, name)
    after = LabelRow(
        new_name if new_name is not None else before.name,
        color if color is not None else before.color,
        key if key is not None else before.key,
        before.position,
    )
    if after == before:
        session.rollback()
        return before, after, 0
    _refuse_taken(
        conn, name=after.name if after.name != before.name else None, key=after.key or None, other_than=before.name
    )
    conn.execute(
        update(_LAB).where(_LAB.c.name == before.name).values(name=after.name, color=after.color, key=after.key)
    )
    renamed = 0
    if after.name != before.name:
        touched = _touched_annotations(conn, before.name)
        renamed = conn.execute(update(_SPAN).where(_SPAN.c.label == before.name).values(label=after.name)).rowcount
        conn.execute(update(_DIS).where(_DIS.c.label == before.name).values(label=after.name))
        for ann_id, version, document_id, owner in touched:
            _touch_row(
                conn,
                ann_id,
                version,
                annotator=owner,
                document_id=document_id,
                action="rename_label",
                payload=events.rename_label(before.name, after.name, by=annotator),
            )
        if label_map is not None:
            _map_event(conn, label_map, annotator)
        if suggestions is not None:
            rekey_suggestions(*suggestions, (before.name, after.name), session=session)
    project_event(conn, "label_update", {"before": asdict(before), "after": asdict(after)}, annotator=annotator)
    bump_revision(conn)
    _commit(session)
    return before, after, renamed


def _map_event(conn: Connection, label_map: dict[str, str], annotator: str) -> None:
    old = _write_setting(conn, "label_map", label_map)
    if old != label_map:
        project_event(conn, "set_setting", {"key": "label_map", "before": old, "after": label_map}, annotator=annotator)


def move_label(name: str, position: int, *, session: Session, annotator: str) -> list[str]:
    """Put a label at `position` (0-based, clamped) in the bar and commit; returns the new order."""
    require_reviewer(session=session, what="changing the labels")
    conn = session.connection()
    order = [row.name for row in read_labels(session=session)]
    if name not in order:
        raise TagdeskError(f"label {name!r} is not a label of this project (removed meanwhile?)")
    before = list(order)
    order.remove(name)
    order.insert(max(0, min(position, len(order))), name)
    if order == before:
        session.rollback()
        return order
    for i, label in enumerate(order):
        conn.execute(update(_LAB).where(_LAB.c.name == label).values(position=i))
    project_event(conn, "label_move", {"before": before, "order": order}, annotator=annotator)
    bump_revision(conn)
    _commit(session)
    return order


def delete_label(
    name: str, *, session: Session, annotator: str, label_map: dict[str, str] | None = None
) -> tuple[LabelRow, int]:
    """Remove a label and commit; spans carrying it go too (one `remove_label` event per annotation). Returns the
    label and how many spans were removed. `label_map` (without mappings to it) is stored with it."""
    require_reviewer(session=session, what="changing the labels")
    conn = session.connection()
    row = _row(conn, name)
    if conn.execute(select(func.count(_LAB.c.id))).scalar_one() <= 1:
        raise TagdeskError(f"{name} is the project's only label; add another one before removing it")
    spans = conn.execute(
        select(
            _SPAN.c.annotation_id,
            _SPAN.c.start,
            _SPAN.c.end,
            _SPAN.c.label,
            _SPAN.c.origin,
            _SPAN.c.score,
            _ANN.c.version,
        )
        .join(_ANN, _ANN.c.id == _SPAN.c.annotation_id)
        .where(_SPAN.c.label == name)
        .order_by(_SPAN.c.annotation_id, _SPAN.c.start)
    ).all()
    by_annotation: dict[int, list[list[Any]]] = {}
    for ann_id, start, end, label, origin, score, _version in spans:
        by_annotation.setdefault(ann_id, []).append([start, end, label, origin, score])
    if by_annotation:
        owners = conn.execute(
            select(_ANN.c.id, _ANN.c.version, _ANN.c.document_id, _ANN.c.annotator).where(
                _ANN.c.id.in_(list(by_annotation))
            )
        ).all()
        conn.execute(delete(_SPAN).where(_SPAN.c.label == name))
        for ann_id, version, document_id, owner in owners:
            _touch_row(
                conn,
                ann_id,
                version,
                annotator=owner,
                document_id=document_id,
                action="remove_label",
                payload=events.remove_label(name, by_annotation[ann_id], by=annotator),
            )
    conn.execute(delete(_LAB).where(_LAB.c.name == name))
    rest = conn.execute(select(_LAB.c.name).order_by(_LAB.c.position, _LAB.c.id)).scalars().all()
    for i, label in enumerate(rest):
        conn.execute(update(_LAB).where(_LAB.c.name == label).values(position=i))
    if label_map is not None:
        _map_event(conn, label_map, annotator)
    project_event(conn, "label_remove", {"label": asdict(row)}, annotator=annotator)
    bump_revision(conn)
    _commit(session)
    return row, len(spans)
