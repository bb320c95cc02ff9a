"""tagdesk backup DIR [--out PATH]"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import CONFIG_NAME, load_config
from ..db.backup import backup_sqlite, describe_copy
from ..db.engine import make_engine, where
from ..db.transfer import copy_database
from ..errors import ConfigError, TagdeskError, no_project
from ..project import resolve_database_url


def add(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "backup",
        help="write a consistent copy of the project's database (safe while it is open)",
        description="Copy the project's database into a single SQLite file: one consistent snapshot, even "
        "while Tagdesk is open and annotating in another window or on other desktops. A SQLite project is "
        "copied with SQLite's backup API; a PostgreSQL one with everything in it (event log included) into a "
        "new SQLite file that opens as tagdesk.sqlite of a project, or goes back with tagdesk copy.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="the copy to write, or a folder for it (default: DIR/backups/tagdesk-DATE-TIME.sqlite)",
    )
    p.set_defaults(func=run)


def database_url(folder: Path) -> str:
    """The project's database URL (without opening or migrating the database)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder")
    if not (folder / CONFIG_NAME).exists():
        raise no_project(folder)
    config = load_config(folder / CONFIG_NAME)
    return resolve_database_url(config.project.database_url, folder)


def database_file(folder: Path) -> Path | None:
    """The SQLite file of the project in `folder`; None when its database is on a server."""
    url = make_url(database_url(folder))
    if url.get_backend_name() != "sqlite":
        return None
    db = Path(url.database or "")
    if not db.exists():
        raise TagdeskError(f"{db}: no database yet (the project was never opened); nothing to back up")
    return db


def target(folder: Path, out: Path | None, *, stem: str = "tagdesk") -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if out is None:
        out = folder / "backups"
    if out.is_dir() or out == folder / "backups":
        base = out / f"{stem}-{stamp}.sqlite"
        out, n = base, 2
        while out.exists():
            out, n = base.with_name(f"{stem}-{stamp}-{n}.sqlite"), n + 1
    elif out.exists():
        raise TagdeskError(f"{out}: already exists; choose another --out or remove it first")
    return out


def run(args: argparse.Namespace) -> int:
    db = database_file(args.dir)
    out = target(args.dir, args.out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TagdeskError(f"{out.parent}: cannot create the folder ({exc.strerror})") from None
    if db is not None:
        backup_sqlite(db, out)
        name = db.name
    else:
        engine = make_engine(database_url(args.dir))
        try:
            copy_database(engine, f"sqlite:///{out}")
            name = where(engine)
        finally:
            engine.dispose()
    docs, rev = describe_copy(out)
    print(f"{out}: copy of {name} ({docs} document{'s' if docs != 1 else ''}, schema {rev or 'unknown'})")
    return 0
