"""A project folder: `tagdesk.toml` + its database (+ `exports/`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from . import store
from .config import CONFIG_NAME, ProjectConfig, load_config, make_config, save_config
from .db.backup import backup_sqlite
from .db.engine import as_user_error, durability_notice, make_engine, upgrade_database
from .errors import ConfigError, DatabaseError, no_project


def resolve_database_url(url: str, folder: Path) -> str:
    """The config's `database_url` made absolute. A SQLite database lives inside its project folder.

    A relative SQLite path is relative to the project folder (not the working directory). A path that leaves the
    folder (`../../x.sqlite`, or an absolute path elsewhere) is refused, so a project someone sends you cannot make
    Tagdesk create or change a file outside it; a shared database is a server URL (`postgresql://...`).
    """
    where = f"{folder / CONFIG_NAME}: project.database_url"
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigError(
            f"{where}: {url!r} is not a database URL; "
            'expected e.g. "sqlite:///tagdesk.sqlite" or "postgresql://host/db"'
        ) from None
    if parsed.get_backend_name() != "sqlite":
        return url
    if parsed.database in (None, "", ":memory:"):
        raise ConfigError(
            f"{where}: {url!r} is an in-memory database, which loses everything on close; "
            'use "sqlite:///tagdesk.sqlite"'
        )
    if parsed.query:
        raise ConfigError(
            f"{where}: {url!r} has options ({', '.join(parsed.query)}); a SQLite URL is just a "
            'file name, e.g. "sqlite:///tagdesk.sqlite"'
        )
    base = Path(os.path.abspath(folder))
    path = Path(os.path.normpath(base / parsed.database))
    if path != base and base not in path.parents:
        raise ConfigError(
            f"{where}: {parsed.database} is outside the project folder; keep the SQLite file inside "
            'it (e.g. "sqlite:///tagdesk.sqlite"), or use a server URL (postgresql://...) '
            "for a shared database"
        )
    return str(parsed.set(database=str(path)))


def backup_before_upgrade(project: Project, old_revision: str) -> None:
    """Copy a SQLite database to `<file>.bak-<old revision>` (SQLite backup API) before migrating it."""
    db = project.database_path
    if db is not None:
        backup_sqlite(db, db.with_name(f"{db.name}.bak-{old_revision}"))


@dataclass
class Project:
    """An open project. `engine` is shared; open short sessions with `session()` / `writing()`."""

    folder: Path
    config: ProjectConfig
    engine: Engine
    migrated_from: str | None = field(default=None)
    # Lasting notices about how the project's database runs (e.g. without the write-ahead log): the command line
    # prints them, the window shows them in its notice bar.
    notices: list[str] = field(default_factory=list)

    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_NAME

    @property
    def annotator(self) -> str:
        return self.config.project.annotator

    @property
    def database_path(self) -> Path | None:
        db = self.engine.url.database
        return Path(db) if self.engine.url.get_backend_name() == "sqlite" and db else None

    def session(self) -> AbstractContextManager[Session]:
        return store.reading(self.engine)

    def writing(self) -> AbstractContextManager[Session]:
        return store.writing(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_project(
    folder: Path | str, *, before_upgrade: Callable[[Project, str], None] | None = backup_before_upgrade
) -> Project:
    """Open a project folder: read its config, open (or create) its database, run pending migrations.

    `before_upgrade(project, old_revision)` runs before an older database is migrated; by default it keeps a
    copy of a SQLite database as `tagdesk.sqlite.bak-<old revision>` (`None`: no copy).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder; create a project with: tagdesk new {folder} --labels PERSON,ORG")
    cfg_path = folder / CONFIG_NAME
    if not cfg_path.exists():
        raise no_project(folder)
    config = load_config(cfg_path)
    url = resolve_database_url(config.project.database_url, folder)
    engine = make_engine(url)
    project = Project(folder=folder, config=config, engine=engine)
    hook = (lambda old: before_upgrade(project, old)) if before_upgrade else None
    try:
        project.migrated_from = upgrade_database(engine, before_upgrade=hook)
        _remove_dead_imports(project)
        project.notices = [n for n in [durability_notice(engine)] if n]
    except DatabaseError:
        engine.dispose()
        raise
    except Exception as exc:  # noqa: BLE001 - any driver failure on open becomes a message
        engine.dispose()
        raise as_user_error(exc, engine) from None
    for notice in project.notices:
        for listener in notice_listeners:
            listener(notice)
    return project


# Called with each lasting notice of a project as it opens (the command line prints them).
notice_listeners: list[Callable[[str], None]] = []


def _remove_dead_imports(project: Project) -> None:
    """An import whose process died left hidden rows: remove them (reads only when there are none, so a
    read-only project still opens)."""
    with project.session() as s:
        dead = store.imports.dead_imports(session=s)
    if dead:
        with project.writing() as s:
            for run_id in dead:
                store.imports.remove_import(s, run_id)


def new_project(
    folder: Path | str, labels: list[str], *, pipeline: str | None = None, annotator: str | None = None
) -> Project:
    """Create a project folder with a config and an empty database. Refuses to overwrite an existing project."""
    folder = Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise ConfigError(f"{folder / CONFIG_NAME}: a project is already here; open it, or choose another folder")
    labels = [lab.strip() for lab in labels if lab.strip()]
    if not labels:
        raise ConfigError("no labels given; name them, e.g. --labels PERSON,ORG,GPE")
    kwargs = {"pipeline": pipeline} if pipeline else {}
    from pydantic import ValidationError

    try:
        config = make_config(folder.resolve().name or "project", labels, annotator=annotator, **kwargs)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"--labels: {err['msg'].removeprefix('Value error, ')}") from None
    folder.mkdir(parents=True, exist_ok=True)
    save_config(config, folder / CONFIG_NAME)
    return open_project(folder)
