"""What to tell the user when the database fails: the driver's message matched to advice, per backend.

Every failure the store turns into a user error goes through `as_user_error`; the change in progress was rolled
back (a SQLite or PostgreSQL transaction is all or nothing), which is why most messages say "NOT saved" and that
everything saved before is intact. A server that cannot be reached is a `ServerUnavailableError`: the window
keeps trying and says when the server is back.
"""

from __future__ import annotations

from sqlalchemy import Engine

from ..errors import DatabaseError, ServerUnavailableError

BUSY_TIMEOUT_S = 10.0  # how long a SQLite writer waits for another one (models.db.engine sets it)


def short_reason(exc: BaseException) -> str:
    """The driver's own one-line message for a database exception (no SQL, no links)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).splitlines()[0] if str(orig) else orig.__class__.__name__


# What SQLite says -> what the user should do. The first match wins; the change in progress was rolled back.
_SQLITE_ADVICE = [
    (
        "database or disk is full",
        "the disk is full (or the database reached its size limit): this change was NOT "
        "saved, everything saved before is intact; free some disk space, then redo it",
    ),
    (
        "readonly database",
        "the database or its folder is read-only (Tagdesk writes a journal beside the file): "
        "changes cannot be saved; make both writable (chmod u+w), or work on a copy of the "
        "project",
    ),
    (
        "unable to open database file",
        "cannot open the database: its folder must be writable (Tagdesk keeps a "
        "journal beside it); make the folder writable or copy the project elsewhere",
    ),
    (
        "database is locked",
        f"another program held the project's write lock for more than {BUSY_TIMEOUT_S:.0f} s: "
        "this change was NOT saved; close the other program (or wait), then redo it",
    ),
    (
        "disk i/o error",
        "the disk reported an error: this change was NOT saved; check the disk, then reopen the project",
    ),
    (
        "malformed",
        "cannot be read: the database file is damaged (truncated or overwritten); restore it from a "
        "backup (a tagdesk.sqlite.bak-* file beside it, or your own) or move it away to start anew",
    ),
    (
        "not a database",
        "cannot be read: this file is not a SQLite database; restore it from a backup (a "
        "tagdesk.sqlite.bak-* file beside it, or your own) or move it away to start anew",
    ),
]


_UNREACHABLE = (
    "the server cannot be reached (stopped, restarting, or the network is down): this change was NOT saved, "
    "everything saved before is on the server; Tagdesk reconnects by itself when the server is back, then redo it"
)

# What PostgreSQL (or libpq) says -> what the user should do; (needle, advice, the server is unreachable).
_POSTGRESQL_ADVICE = [
    (
        "password authentication failed",
        "the server refused the login's password: put the right one in your "
        "password file (~/.pgpass, or the file PGPASSFILE names) or your service file (~/.pg_service.conf), never in "
        "tagdesk.toml; see the README's Team setup",
        False,
    ),
    (
        "no password supplied",
        "the server wants a password and none was found: put it in your password file "
        "(~/.pgpass, or the file PGPASSFILE names) or your service file (~/.pg_service.conf), never in "
        "tagdesk.toml; see the README's Team setup",
        False,
    ),
    (
        "does not exist",
        "the server has no such database or login: create them (README, Team setup) or correct "
        "database_url in tagdesk.toml",
        False,
    ),
    (
        "no pg_hba.conf entry",
        "the server does not accept this login from this computer: ask its administrator to allow it (pg_hba.conf)",
        False,
    ),
    (
        "permission denied to create extension",
        "the login may not install the pg_trgm extension the search "
        "needs: ask the server's administrator to run CREATE EXTENSION pg_trgm in this database, then retry",
        False,
    ),
    (
        "permission denied",
        "the login lacks a privilege on the project's tables: ask the server's administrator "
        "to grant it (README, Team setup); this change was NOT saved",
        False,
    ),
    (
        "no space left on device",
        "the server's disk is full: this change was NOT saved, everything saved "
        "before is intact; ask its administrator to free space, then redo it",
        False,
    ),
    (
        "could not extend file",
        "the server's disk is full: this change was NOT saved, everything saved before "
        "is intact; ask its administrator to free space, then redo it",
        False,
    ),
    (
        "deadlock detected",
        "another desktop changed the same rows at the same moment: this change was NOT saved; redo it",
        False,
    ),
    (
        "could not serialize",
        "another desktop changed the same rows at the same moment: this change was NOT saved; redo it",
        False,
    ),
    (
        "too many connections",
        "the server has no free connection slot: this change was NOT saved; close "
        "other programs using it (or ask its administrator to raise max_connections), then redo it",
        False,
    ),
    ("timeout expired", _UNREACHABLE, True),
    ("terminating connection", _UNREACHABLE, True),
    ("server closed the connection", _UNREACHABLE, True),
    ("connection is lost", _UNREACHABLE, True),
    ("connection is closed", _UNREACHABLE, True),
    ("consuming input failed", _UNREACHABLE, True),
    ("sending query failed", _UNREACHABLE, True),
    ("connection refused", _UNREACHABLE, True),
    ("no such file or directory", _UNREACHABLE, True),
    ("could not connect", _UNREACHABLE, True),
    ("connection failed", _UNREACHABLE, True),
    ("the database system is", _UNREACHABLE, True),  # ... shutting down / starting up / in recovery mode
    (
        "could not translate host name",
        "the server's name cannot be resolved: check the host in database_url "
        "(tagdesk.toml) and the network; this change was NOT saved",
        True,
    ),
]


def _where(engine: Engine) -> str:
    from .engine import where

    return where(engine)


def as_user_error(exc: BaseException, engine: Engine) -> DatabaseError:
    """A `DatabaseError` that says what went wrong with the project's database and what to do."""
    reason = short_reason(exc)
    lowered = reason.lower()
    if engine.dialect.name == "postgresql":
        for needle, advice, unreachable in _POSTGRESQL_ADVICE:
            if needle in lowered:
                kind = ServerUnavailableError if unreachable else DatabaseError
                return kind(f"{_where(engine)}: {advice} (PostgreSQL: {reason})")
        if getattr(exc, "connection_invalidated", False):
            return ServerUnavailableError(f"{_where(engine)}: {_UNREACHABLE} (PostgreSQL: {reason})")
        return DatabaseError(f"{_where(engine)}: database error, this change was NOT saved (PostgreSQL: {reason})")
    for needle, advice in _SQLITE_ADVICE:
        if needle in lowered:
            return DatabaseError(f"{_where(engine)}: {advice} (SQLite: {reason})")
    return DatabaseError(f"{_where(engine)}: database error, this change was NOT saved ({reason})")
