"""Shared work: which documents an annotator may be given, and claiming one atomically.

With the project's overlap k, a document is *full* for an annotator when k other people hold it: each holds it by
a decided annotation (not pending) or by a live claim (`claim.expires_at` in the future) not yet decided. An
annotator is given only documents that are not full for them, and `claim` takes one in the caller's write
transaction: on SQLite the write lock (BEGIN IMMEDIATE) serializes claimers; on PostgreSQL the document's row is
locked (SELECT ... FOR UPDATE) before the holders are counted again, so two desktops never both take the last
place. A desktop renews its claim while the document is on screen (`renew`); one that crashed frees its
documents when their claims expire.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, insert, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from ..db.tables import Annotation, Claim, Document, Status, utcnow
from ..team import RESERVED_PREFIX

CLAIM_MINUTES = 30.0  # a claim lasts this long unless renewed (the window renews it while the document is open)


def _decided_by(document: Any, who: Any) -> ColumnElement[bool]:
    """SQL: `who` (a name or a column) has a decided annotation of `document` (a column)."""
    a = aliased(Annotation)
    return exists().where(
        col(a.document_id) == document, col(a.annotator) == who, col(a.status) != Status.pending.value
    )


def holders(document: Any, annotator: str, now: datetime) -> ColumnElement[int]:
    """SQL: how many people other than `annotator` hold `document` (a decided annotation, or a live claim)."""
    a = aliased(Annotation)
    decided = (
        select(func.count())
        .select_from(a)
        .where(
            col(a.document_id) == document,
            col(a.annotator) != annotator,
            ~col(a.annotator).startswith(RESERVED_PREFIX, autoescape=True),
            col(a.status) != Status.pending.value,
        )
        .scalar_subquery()
    )
    c = aliased(Claim)
    claimed = (
        select(func.count())
        .select_from(c)
        .where(
            col(c.document_id) == document,
            col(c.annotator) != annotator,
            col(c.expires_at) > now,
            ~_decided_by(col(c.document_id), col(c.annotator)),  # counted as decided
        )
        .scalar_subquery()
    )
    return decided + claimed


def available_to(annotator: str, overlap: int, now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition on `document`: it may be given to `annotator` (fewer than `overlap` others hold it). The
    queue adds it to its "still to do" query."""
    return holders(col(Document.id), annotator, now or utcnow()) < overlap


def claim(document_id: int, *, session: Session, annotator: str, overlap: int, minutes: float = CLAIM_MINUTES) -> bool:
    """Claim a document for `annotator` (or renew their claim) if fewer than `overlap` others hold it, and
    commit. False (nothing written) when it is full: another annotator took the last place meanwhile."""
    conn = session.connection()
    now = utcnow()
    # PostgreSQL: wait for any other claimer of this document, then count again (SQLite: BEGIN IMMEDIATE did).
    conn.execute(select(col(Document.id)).where(col(Document.id) == document_id).with_for_update())
    taken = conn.execute(select(holders(col(Document.id), annotator, now)).where(col(Document.id) == document_id))
    if int(taken.scalar_one()) >= overlap:
        session.rollback()
        return False
    until = now + timedelta(minutes=minutes)
    mine = and_(col(Claim.document_id) == document_id, col(Claim.annotator) == annotator)
    if conn.execute(update(Claim).where(mine).values(expires_at=until)).rowcount == 0:
        conn.execute(insert(Claim).values(document_id=document_id, annotator=annotator, expires_at=until))
    conn.execute(delete(Claim).where(col(Claim.expires_at) <= now - timedelta(days=1)))  # long-dead claims
    session.commit()
    return True


def renew(document_id: int, *, session: Session, annotator: str, minutes: float = CLAIM_MINUTES) -> bool:
    """Extend `annotator`'s live claim on a document; commit. False if they hold none (it expired)."""
    now = utcnow()
    mine = and_(col(Claim.document_id) == document_id, col(Claim.annotator) == annotator, col(Claim.expires_at) > now)
    done = session.connection().execute(update(Claim).where(mine).values(expires_at=now + timedelta(minutes=minutes)))
    session.commit()
    return bool(done.rowcount)


def release(document_id: int, *, session: Session, annotator: str) -> None:
    """Give a claimed document back (the annotator skipped it or closed the project); commit."""
    session.connection().execute(
        delete(Claim).where(col(Claim.document_id) == document_id, col(Claim.annotator) == annotator)
    )
    session.commit()


def holders_of(document_id: int, *, session: Session) -> list[str]:
    """Who holds a document now (decided or live claim), by name: for tests and the team's figures."""
    now = utcnow()
    decided = select(col(Annotation.annotator)).where(
        col(Annotation.document_id) == document_id,
        col(Annotation.status) != Status.pending.value,
        ~col(Annotation.annotator).startswith(RESERVED_PREFIX, autoescape=True),
    )
    claimed = select(col(Claim.annotator)).where(col(Claim.document_id) == document_id, col(Claim.expires_at) > now)
    names = {str(n) for n in session.execute(decided).scalars()} | {str(n) for n in session.execute(claimed).scalars()}
    return sorted(names)
