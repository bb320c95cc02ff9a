"""tagdesk upgrade DIR"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..db.backup import backup_project, database_url
from ..db.engine import (
    as_user_error,
    current_revision,
    head_revision,
    is_shared,
    known_revisions,
    make_engine,
    upgrade_database,
    where,
)
from ..project import open_project


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "upgrade",
        help="bring the project's database to this Tagdesk's schema (a shared one only this way), after a backup",
        description="Migrate the project's database to the schema this Tagdesk needs. A SQLite project is also "
        "upgraded when it is opened (with a copy beside it first); a shared PostgreSQL database only by this "
        "command, after everyone has this Tagdesk: other desktops refuse to open it until then, or after. A "
        "SQLite copy of the database as it was is written to DIR/backups first.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    folder: Path = args.dir
    engine = make_engine(database_url(folder))
    try:
        if not is_shared(engine):
            engine.dispose()
            with open_project(folder) as project:  # SQLite: opening migrates, after the usual .bak copy
                old = project.migrated_from
            print(_done(folder, old))
            return 0
        try:
            old = current_revision(engine)
        except Exception as exc:  # noqa: BLE001 - cannot connect, no such database
            raise as_user_error(exc, engine) from None
        head = head_revision()
        if old == head:
            print(f"{where(engine)}: already at schema {head}; nothing to do")
            return 0
        if old is not None and old not in known_revisions():
            upgrade_database(engine, shared_upgrade=True)  # refuses: made by a newer Tagdesk, says what to do
        backup = None
        if old is not None:
            backup = backup_project(folder, stem=f"before-upgrade-{old}").path
        upgrade_database(engine, shared_upgrade=True)
        print(_done(folder, old) + (f"; the database as it was is in {backup}" if backup else ""))
        return 0
    finally:
        engine.dispose()


def _done(folder: Path, old: str | None) -> str:
    head = head_revision()
    if old == head:
        return f"{folder}: already at schema {head}; nothing to do"
    return f"{folder}: upgraded from schema {old or '(empty)'} to {head}"
