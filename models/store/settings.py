"""The settings a team shares, in the database: the suggester's pipeline and patterns, the label mapping, overlap.

Rows of the `setting` table hold JSON values. The row `revision` counts every change to labels and settings, so
a window compares one integer to notice that another desktop (or the command line) changed them. Every change
appends a project-level event (`document_id` NULL): `set_setting` with the key, the value before and after.
A project whose tagdesk.toml still lists labels and a [model] section gets them copied in once by
`seed_settings` (a new database, or one upgraded from before the move).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlmodel import Session, SQLModel

from ..db.tables import utcnow
from .members import require_reviewer
from .transactions import _commit

REVISION = "revision"
SEEDED_FROM = "seeded_from"  # a hash of the tagdesk.toml sections the database was seeded from
SHARED = ("pipeline", "patterns", "label_map", "overlap", "retrain_every")

_SET = SQLModel.metadata.tables["setting"]
_LAB = SQLModel.metadata.tables["label"]
_EV = SQLModel.metadata.tables["event"]


def project_event(conn: Connection, action: str, payload: dict[str, Any], *, annotator: str) -> None:
    """Append a project-level event (no document) in the caller's transaction."""
    conn.execute(
        insert(_EV),
        {"at": utcnow(), "annotator": annotator, "document_id": None, "action": action, "payload": payload},
    )


def bump_revision(conn: Connection) -> int:
    """Count one more change to labels or settings (in the caller's transaction); returns the new revision."""
    found = conn.execute(select(_SET.c.value).where(_SET.c.key == REVISION)).first()
    new = (int(found[0]) if found and found[0] is not None else 0) + 1
    if found is None:
        conn.execute(insert(_SET), {"key": REVISION, "value": new})
    else:
        conn.execute(update(_SET).where(_SET.c.key == REVISION).values(value=new))
    return new


def settings_revision(*, session: Session) -> int:
    """How many times labels or settings changed (0 before the first): cheap enough to poll."""
    found = session.connection().execute(select(_SET.c.value).where(_SET.c.key == REVISION)).first()
    return int(found[0]) if found and found[0] is not None else 0


def read_settings(*, session: Session) -> dict[str, Any]:
    """Every shared setting stored (keys of SHARED, plus SEEDED_FROM); missing keys are absent."""
    rows = session.connection().execute(select(_SET.c.key, _SET.c.value)).all()
    return {key: value for key, value in rows if key != REVISION}


def _write_setting(conn: Connection, key: str, value: Any) -> Any:
    """Store one setting; returns the value it had (None when new)."""
    found = conn.execute(select(_SET.c.value).where(_SET.c.key == key)).first()
    if found is None:
        conn.execute(insert(_SET), {"key": key, "value": value})
        return None
    conn.execute(update(_SET).where(_SET.c.key == key).values(value=value))
    return found[0]


def set_setting(key: str, value: Any, *, session: Session, annotator: str) -> Any:
    """Change one shared setting with its `set_setting` event and commit; returns the value before."""
    require_reviewer(session=session, what="changing the shared settings")
    conn = session.connection()
    before = _write_setting(conn, key, value)
    if before != value:
        bump_revision(conn)
        project_event(conn, "set_setting", {"key": key, "before": before, "after": value}, annotator=annotator)
    _commit(session)
    return before


def has_labels(*, session: Session) -> bool:
    return session.connection().execute(select(_LAB.c.id).limit(1)).first() is not None


def seed_settings(
    labels: list[dict[str, Any]],
    settings: dict[str, Any],
    *,
    session: Session,
    annotator: str,
    seeded_from: str | None = None,
) -> bool:
    """Give a database without labels its first labels (dicts with name, color, key) and settings, with one
    `label_add` / `set_setting` event each, in one transaction; commit. False (nothing written) when the database
    has labels already (another desktop seeded it first)."""
    conn = session.connection()
    if conn.execute(select(_LAB.c.id).limit(1)).first() is not None:
        session.rollback()
        return False
    for position, lab in enumerate(labels):
        row = {"name": lab["name"], "color": lab["color"], "key": lab.get("key", ""), "position": position}
        conn.execute(insert(_LAB), row)
        project_event(conn, "label_add", {"label": row}, annotator=annotator)
    for key, value in settings.items():
        before = _write_setting(conn, key, value)
        project_event(conn, "set_setting", {"key": key, "before": before, "after": value}, annotator=annotator)
    if seeded_from is not None:
        _write_setting(conn, SEEDED_FROM, seeded_from)
    bump_revision(conn)
    _commit(session)
    return True
