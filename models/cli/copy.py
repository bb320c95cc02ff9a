"""tagdesk copy DIR --to URL [--switch]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from ..config import CONFIG_NAME, load_config, save_config
from ..db.engine import where
from ..db.transfer import Progress as OnProgress
from ..db.transfer import copy_database
from ..errors import ConfigError, TagdeskError
from ..project import open_project, resolve_database_url


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "copy",
        help="copy the project's database, event log included, into an empty PostgreSQL database or a new SQLite file",
        description="Copy everything in the project's database (documents, annotations, spans, suggestions, the "
        "event log, with their ids) into an empty database: a PostgreSQL database for a team "
        "(postgresql+psycopg://host/db; create it first with createdb) or a new SQLite file. One consistent "
        "snapshot: others may keep annotating meanwhile. The project keeps using its old database unless "
        "--switch is given.",
    )
    p.add_argument("dir", type=Path, metavar="DIR", help="the project folder")
    p.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="postgresql+psycopg://[user@]host[:port]/database (no password: see the README's Team setup), "
        "or sqlite:///path/to/new.sqlite (or just a path ending in .sqlite)",
    )
    p.add_argument(
        "--switch",
        action="store_true",
        help="afterwards, point DIR/tagdesk.toml at the copy (database_url); the old database is kept as it is",
    )
    p.set_defaults(func=run)


def target_url(to: str) -> str:
    """The copy's URL: a server URL as given, a SQLite URL or bare path made absolute (relative to here)."""
    if "://" not in to:
        to = f"sqlite:///{to}"
    try:
        url = make_url(to)
    except ArgumentError:
        raise TagdeskError(f"--to {to}: not a database URL; e.g. postgresql+psycopg://host/team") from None
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise TagdeskError("--to: give the SQLite file to write, e.g. sqlite:///copy.sqlite")
        return f"sqlite:///{Path(url.database).resolve()}"
    if url.get_backend_name() != "postgresql":
        raise TagdeskError(f"--to {to}: Tagdesk copies to PostgreSQL or SQLite, not {url.get_backend_name()}")
    return to


def switch_config(folder: Path, url: str) -> str:
    """Point the project's tagdesk.toml at `url`; returns what was written."""
    config = load_config(folder / CONFIG_NAME)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        try:
            url = f"sqlite:///{path.relative_to(folder.resolve())}"
        except ValueError:
            raise ConfigError(
                f"--switch: {path} is outside {folder}; a project's SQLite file stays in its folder "
                "(copy it there, or leave the project as it is)"
            ) from None
    resolve_database_url(url, folder)  # refuses a password in the URL before anything is written
    project = config.project.model_copy(update={"database_url": url})
    save_config(config.model_copy(update={"project": project}), folder / CONFIG_NAME)
    return url


def progress_bar(show: bool) -> tuple[Progress, OnProgress]:
    bar = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), disable=not show, transient=True
    )
    tasks: dict[str, TaskID] = {}

    def update(table: str, done: int, total: int) -> None:
        if table not in tasks:
            tasks[table] = bar.add_task(f"copying {table}", total=total)
        bar.update(tasks[table], completed=done)

    return bar, update


def run(args: argparse.Namespace) -> int:
    url = target_url(args.to)
    if args.switch and make_url(url).password is not None:
        raise ConfigError("--switch: the URL holds a password, which must never go into tagdesk.toml; see the README")
    with open_project(args.dir) as project:
        bar, update = progress_bar(sys.stderr.isatty())
        with bar:
            result = copy_database(project.engine, url, on_progress=update)
        source = where(project.engine)
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"Copied {source} to {shown}: {result.summary()} (schema {result.revision})")
    if args.switch:
        written = switch_config(args.dir, url)
        print(f"{args.dir / CONFIG_NAME}: database_url = {written!r}; the old database was left as it was")
    else:
        print(f"To use the copy, set database_url = {shown!r} in {args.dir / CONFIG_NAME} (or rerun with --switch)")
    return 0
