"""SQLModel tables. Offsets are Python str indices (code points), end-exclusive.

Schema changes need an Alembic migration in `models/db/migrations/versions/`; a test checks that the
migrations and these classes agree.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, LargeBinary, Table, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A point in time, always timezone-aware (UTC) in Python, on both backends.

    PostgreSQL stores `timestamp with time zone`; SQLite has no such type and keeps the UTC wall time as text,
    read back naive: this type converts aware values to UTC on the way in and marks values read as UTC.
    A naive value handed in is refused (its zone is unknown)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one (e.g. datetime.now(UTC))")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Status(str, enum.Enum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    ignored = "ignored"


class Origin(str, enum.Enum):
    human = "human"
    model = "model"
    pattern = "pattern"
    imported = "import"


class ImportRun(SQLModel, table=True):
    """One import of a file. Its rows are stored in chunks (short transactions) tagged with its id, and stay
    hidden until it is published (`running` NULL, `published_at` set), one row updated at the end. `running` is 1
    while it runs; the unique index lets one import run at a time. An import whose process died (`host`, `pid`,
    `heartbeat_at`) is removed with its rows the next time the project opens."""

    __tablename__ = "import_run"
    __table_args__ = (UniqueConstraint("running", name="uq_import_run_running"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = ""
    annotator: str = ""
    started_at: datetime = Field(default_factory=utcnow)
    heartbeat_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    running: int | None = 1
    host: str = ""
    pid: int = 0


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (
        # `length` read without the row (models.db.dialect.document_length)
        Index("ix_document_id_length", "id", "length"),
        # project order with the hashes, read without the rows (an export's list of what it writes)
        Index("ix_document_position_id_hash", "position", "id", "text_hash", "import_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    text: str
    text_hash: str = Field(unique=True, index=True, max_length=64)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = ""
    position: int
    # The file's own token boundaries (models.tokens.pack), or None: the project's tokenizer is used.
    tokens: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    import_id: int | None = Field(default=None, foreign_key="import_run.id", index=True)
    # len(text): its length in code points, stored so that a decision checks its span without reading the text
    length: int


class Annotation(SQLModel, table=True):
    """One annotator's work on one document."""

    __tablename__ = "annotation"
    __table_args__ = (UniqueConstraint("document_id", "annotator", name="uq_annotation_document_annotator"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    annotator: str
    status: str = Field(default=Status.pending.value, index=True)
    seconds_spent: float = 0.0
    updated_at: datetime = _when()
    version: int = 0


class Span(SQLModel, table=True):
    """One entity of an annotation. The spans of one annotation never overlap, so in order of start they are in
    order of end too: the index on (annotation_id, start) finds the only one that can overlap a range."""

    __tablename__ = "span"
    __table_args__ = (Index("ix_span_annotation_id_start", "annotation_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    annotation_id: int = Field(foreign_key="annotation.id")
    start: int
    end: int
    label: str = Field(index=True)
    origin: str = Origin.human.value
    score: float | None = None


class Suggestion(SQLModel, table=True):
    """A model's spans for a document, cached per model key (name@version plus patterns hash)."""

    __tablename__ = "suggestion"
    __table_args__ = (
        UniqueConstraint("document_id", "model", name="uq_suggestion_document_model"),
        Index("ix_suggestion_model_uncertainty", "model", "uncertainty"),
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    model: str
    spans: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when()
    # How unsure the model is of this document: the likeliest mistake among its spans (1 - the probability of a
    # shown entity, or the probability of an entity the beam finds and the greedy parse does not). None: the
    # spans have no probabilities yet. Scores are added after caching and never change the cache key.
    uncertainty: float | None = None


class Event(SQLModel, table=True):
    """Append-only log of every decision, written in the same transaction as the decision."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_annotator_at", "annotator", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    annotator: str
    document_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    action: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Dismissal(SQLModel, table=True):
    """A suggestion an annotator rejected on its own (Delete on a pending suggestion): it is not shown again
    for this annotation, whatever model suggests the same span later."""

    __tablename__ = "dismissal"
    __table_args__ = (UniqueConstraint("annotation_id", "start", "end", "label", name="uq_dismissal_span"),)
    id: int | None = Field(default=None, primary_key=True)
    annotation_id: int = Field(foreign_key="annotation.id", index=True)
    start: int
    end: int
    label: str
    at: datetime = _when()


class ProjectLabel(SQLModel, table=True):
    """A label of the project: its name (what spans carry), colour, shortcut key ("" for none) and place in the
    label bar. Shared by everyone working on the project database."""

    __tablename__ = "label"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    color: str
    key: str = ""
    position: int


class Setting(SQLModel, table=True):
    """A project setting the whole team shares (the suggester's pipeline and patterns, the label mapping,
    overlap), as JSON. The row `revision` counts changes to labels and settings, so windows notice them."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))


class Note(SQLModel, table=True):
    """An annotator's comment on a document and a flag ("unsure", "needs review") a reviewer can filter on; part
    of that annotator's annotation (changing it bumps the annotation's version and is logged)."""

    __tablename__ = "note"
    id: int | None = Field(default=None, primary_key=True)
    annotation_id: int = Field(foreign_key="annotation.id", unique=True)
    comment: str = ""
    flag: str | None = Field(default=None, index=True)
    updated_at: datetime = _when()


class Member(SQLModel, table=True):
    """A person of the project's team and their role (`models.team.ROLES`). With no members the project is one
    person's (or an unmanaged shared folder) and nothing is checked; once there are, the store lets each person
    write only their own annotation, and only reviewers the gold annotation and the team."""

    __tablename__ = "member"
    name: str = Field(primary_key=True)
    role: str
    added_at: datetime = _when()


class Claim(SQLModel, table=True):
    """A document an annotator was given to work on, until `expires_at` (renewed while they work): with the
    decided annotations it counts toward the project's overlap, so no more annotators than that get the document
    at once; a desktop that crashed frees it when its claim expires."""

    __tablename__ = "claim"
    document_id: int = Field(foreign_key="document.id", primary_key=True)
    annotator: str = Field(primary_key=True)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


# The tables themselves, for the store's SQLAlchemy Core statements (`SPAN.c.start`, typed for mypy).
IMPORT_RUN: Table = ImportRun.__table__  # type: ignore[attr-defined]
DOCUMENT: Table = Document.__table__  # type: ignore[attr-defined]
ANNOTATION: Table = Annotation.__table__  # type: ignore[attr-defined]
SPAN: Table = Span.__table__  # type: ignore[attr-defined]
SUGGESTION: Table = Suggestion.__table__  # type: ignore[attr-defined]
EVENT: Table = Event.__table__  # type: ignore[attr-defined]
DISMISSAL: Table = Dismissal.__table__  # type: ignore[attr-defined]
NOTE: Table = Note.__table__  # type: ignore[attr-defined]
CLAIM: Table = Claim.__table__  # type: ignore[attr-defined]
