"""Sessions for the store: `writing` (takes the write lock at BEGIN) and `reading`, database failures turned
into user errors, and the bulk-insert helper imports use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine
from sqlalchemy import exc as sa_exc
from sqlmodel import Session

from ..db.engine import as_user_error


@contextmanager
def writing(engine: Engine, *, user: str | None = None) -> Iterator[Session]:
    """A session whose transaction takes the write lock at once (SQLite BEGIN IMMEDIATE).

    `user` is the person writing: once the project has a team, the store lets them write only what their role
    allows (`models/store/members.py`). A database failure (disk full, read-only file, lock held too long,
    damaged file) rolls the change back and is raised as `models.errors.DatabaseError` saying what to do.
    """
    with (
        _user_errors(engine),
        Session(engine.execution_options(tagdesk_immediate=True), expire_on_commit=False) as session,
    ):
        if user:
            session.info["tagdesk_user"] = user
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
        if isinstance(exc, sa_exc.IntegrityError) or (isinstance(exc, sa_exc.ProgrammingError) and not _denied(exc)):
            raise  # a bug, not the user's problem
        raise as_user_error(exc, engine) from exc
    except sa_exc.InterfaceError as exc:  # psycopg: the connection was closed under us (server gone)
        raise as_user_error(exc, engine) from exc


def _denied(exc: BaseException) -> bool:
    """PostgreSQL's "permission denied" (SQLSTATE 42501) is a ProgrammingError, yet the user's to fix."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "42501"


def _commit(session: Session) -> None:
    session.commit()
    session.expire_all()


def _bound(conn: Connection, column: ColumnElement[Any], value: Any) -> Any:
    """`value` as the driver receives it for `column` (e.g. a datetime as SQLite's text), for `bulk_insert`."""
    process = column.type.dialect_impl(conn.dialect).bind_processor(conn.dialect)
    return process(value) if process else value


_IN_CHUNK = 900  # stay under SQLite's bound-parameter limit
