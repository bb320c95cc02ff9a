"""tagdesk backup DIR [--out PATH]"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from ..config import CONFIG_NAME, load_config
from ..db.backup import backup_sqlite, describe_copy
from ..errors import ConfigError, TagdeskError, no_project
from ..project import resolve_database_url


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "backup",
        help="write a consistent copy of the project's database (safe while it is open)",
        description="Copy the project's SQLite database with SQLite's backup API: one consistent "
        "snapshot, even while Tagdesk is open and annotating in another window. "
        "The copy is a single file that opens as tagdesk.sqlite of a project.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--out",
        type=Path,
        metavar="PATH",
        help="the copy to write, or a folder for it (default: DIR/backups/tagdesk-DATE-TIME.sqlite)",
    )
    p.set_defaults(func=run)


def database_file(folder: Path) -> Path:
    """The SQLite file of the project in `folder` (without opening or migrating it)."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder")
    if not (folder / CONFIG_NAME).exists():
        raise no_project(folder)
    config = load_config(folder / CONFIG_NAME)
    url = make_url(resolve_database_url(config.project.database_url, folder))
    if url.get_backend_name() != "sqlite":
        raise TagdeskError(
            f"{folder}: the database is on a {url.get_backend_name()} server; back it up with that "
            "server's own tool (e.g. pg_dump)"
        )
    db = Path(url.database)
    if not db.exists():
        raise TagdeskError(f"{db}: no database yet (the project was never opened); nothing to back up")
    return db


def target(folder: Path, out: Path | None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if out is None:
        out = folder / "backups"
    if out.is_dir() or out == folder / "backups":
        base = out / f"tagdesk-{stamp}.sqlite"
        out, n = base, 2
        while out.exists():
            out, n = base.with_name(f"tagdesk-{stamp}-{n}.sqlite"), n + 1
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
    backup_sqlite(db, out)
    docs, rev = describe_copy(out)
    print(f"{out}: copy of {db.name} ({docs} document{'s' if docs != 1 else ''}, schema {rev or 'unknown'})")
    return 0
