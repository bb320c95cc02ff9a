"""A project folder: `tagdesk.toml` + its database (+ `exports/`)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session

from . import store
from .config import (
    CONFIG_NAME,
    DEFAULT_PIPELINE,
    ConfigFile,
    Label,
    ModelSection,
    ProjectConfig,
    ProjectSection,
    check_labels,
    default_label_map,
    default_labels,
    load_config,
    save_config,
)
from .db.backup import backup_sqlite
from .db.dialect import database_login
from .db.engine import as_user_error, durability_notice, is_shared, make_engine, upgrade_database
from .errors import ConfigError, DatabaseError, TagdeskError, no_project
from .user_settings import LOGIN_NAME, resolve_annotator

GUIDELINES_NAME = "guidelines.md"
DEFAULT_OVERLAP = 1


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
    if parsed.password is not None:
        raise ConfigError(
            f"{where}: the URL holds a password; never keep one in tagdesk.toml (it travels with the project). "
            "Remove it and put it in your password file (~/.pgpass, or the file PGPASSFILE names) or a service file "
            "(~/.pg_service.conf); the README's Team setup shows how"
        )
    if parsed.get_backend_name() == "postgresql":
        return url
    if parsed.get_backend_name() != "sqlite":
        raise ConfigError(
            f"{where}: {url!r} is a {parsed.get_backend_name()} database; Tagdesk keeps projects in SQLite "
            '("sqlite:///tagdesk.sqlite") or PostgreSQL ("postgresql+psycopg://host/database")'
        )
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


@dataclass(frozen=True)
class Seed:
    """A database's first labels and shared settings (from an older tagdesk.toml, or `new_project`)."""

    labels: list[Label]
    model: ModelSection
    seeded_from: str | None = None  # hash of the tagdesk.toml sections they came from

    def settings(self) -> dict[str, Any]:
        return {**self.model.model_dump(), "overlap": DEFAULT_OVERLAP}


def file_seed(file: ConfigFile) -> Seed | None:
    """The labels and [model] section an older tagdesk.toml still carries, as a seed (None when it has none)."""
    if file.labels is None:
        return None
    model = file.model or ModelSection()
    return Seed(list(file.labels), model, _sections_hash(file))


def _sections_hash(file: ConfigFile) -> str:
    data = {
        "labels": [lab.model_dump() for lab in file.labels or []],
        "model": (file.model or ModelSection()).model_dump(),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def read_config(file: ConfigFile, *, session: Session) -> ProjectConfig:
    """The project's settings in use: the file's [project] section with the labels and shared settings stored in
    the database (defaults for settings never stored)."""
    rows = store.read_labels(session=session)
    shared = store.read_settings(session=session)
    model = ModelSection(
        pipeline=shared.get("pipeline", DEFAULT_PIPELINE),
        label_map=dict(shared.get("label_map") or {}),
        patterns=list(shared.get("patterns") or []),
        retrain_every=int(shared.get("retrain_every", 0)),
    )
    labels = [Label(name=r.name, color=r.color, key=r.key) for r in rows]
    return ProjectConfig(
        project=file.project, model=model, labels=labels, overlap=int(shared.get("overlap", DEFAULT_OVERLAP))
    )


@dataclass
class Project:
    """An open project. `engine` is shared; open short sessions with `session()` / `writing()`.

    `config` is the project's settings in use: labels and shared settings as read from the database when the
    project opened or when `refresh()` last saw them change; `file` is what tagdesk.toml holds.
    """

    folder: Path
    file: ConfigFile
    engine: Engine
    config: ProjectConfig = field(init=False)
    migrated_from: str | None = field(default=None)
    annotator: str = field(default="")
    annotator_source: str = field(default="")  # where the name came from, for messages
    # Things to tell the user on open (a lasting notice each: the window shows them in its notice bar, the command
    # line prints them), e.g. that the database runs without the write-ahead log.
    warnings: list[str] = field(default_factory=list)
    revision: int = field(default=-1)  # the settings revision `config` reflects

    @property
    def config_path(self) -> Path:
        return self.folder / CONFIG_NAME

    @property
    def guidelines_path(self) -> Path:
        return self.folder / GUIDELINES_NAME

    @property
    def database_path(self) -> Path | None:
        db = self.engine.url.database
        return Path(db) if self.engine.url.get_backend_name() == "sqlite" and db else None

    def session(self) -> AbstractContextManager[Session]:
        return store.reading(self.engine)

    def writing(self) -> AbstractContextManager[Session]:
        """A write session as this project's annotator (what the team's roles allow them)."""
        return store.writing(self.engine, user=self.annotator)

    def refresh(self) -> bool:
        """Read the labels and shared settings again if anyone changed them since; True if they changed."""
        with self.session() as s:
            revision = store.settings_revision(session=s)
            if revision == self.revision:
                return False
            self.config = read_config(self.file, session=s)
        self.revision = revision
        return True

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_project(
    folder: Path | str,
    *,
    before_upgrade: Callable[[Project, str], None] | None = backup_before_upgrade,
    seed: Seed | None = None,
) -> Project:
    """Open a project folder: read its config, open (or create) its database, run pending migrations, give a
    database without labels the ones an older tagdesk.toml lists (or `seed`), then read the settings in use.

    `before_upgrade(project, old_revision)` runs before an older database is migrated; by default it keeps a
    copy of a SQLite database as `tagdesk.sqlite.bak-<old revision>` (`None`: no copy).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder; create a project with: tagdesk new {folder} --labels PERSON,ORG")
    cfg_path = folder / CONFIG_NAME
    if not cfg_path.exists():
        raise no_project(folder)
    file = load_config(cfg_path)
    annotator, source = resolve_annotator(file.project.annotator)
    url = resolve_database_url(file.project.database_url, folder)
    engine = make_engine(url)
    project = Project(folder=folder, file=file, engine=engine, annotator=annotator, annotator_source=source)
    hook = (lambda old: before_upgrade(project, old)) if before_upgrade else None
    try:
        project.migrated_from = upgrade_database(engine, before_upgrade=hook, command_hint=f"tagdesk upgrade {folder}")
        if source == LOGIN_NAME and is_shared(engine):  # on a server, who you are is your login there
            with engine.connect() as conn:
                project.annotator, project.annotator_source = database_login(conn), "database login"
        _remove_dead_imports(project)
        project.warnings.extend(n for n in [durability_notice(engine)] if n)
        _seed(project, file_seed(file) or seed)
        project.refresh()
    except DatabaseError:
        engine.dispose()
        raise
    except TagdeskError:
        engine.dispose()
        raise
    except Exception as exc:  # noqa: BLE001 - any driver failure on open becomes a message
        engine.dispose()
        raise as_user_error(exc, engine) from None
    for warning in project.warnings:
        for listener in notice_listeners:
            listener(warning)
    return project


# Called with each of a project's warnings as it opens (the command line prints them).
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


def _seed(project: Project, seed: Seed | None) -> None:
    """Copy a seed into a database that has no labels yet; warn when the file's sections changed after that."""
    with project.writing() as s:
        if not store.has_labels(session=s):
            if seed is not None:
                store.seed_settings(
                    [lab.model_dump() for lab in seed.labels],
                    seed.settings(),
                    session=s,
                    annotator=project.annotator,
                    seeded_from=seed.seeded_from,
                )
            return
        seeded_from = store.read_settings(session=s).get(store.SEEDED_FROM)
    if project.file.has_shared_settings and seeded_from != _sections_hash(project.file):
        project.warnings.append(
            f"{project.config_path}: its labels and [model] settings are not read any more (they live in the "
            f"project's database, shared by everyone on it); change them with `tagdesk labels {project.folder}` "
            f"and `tagdesk settings {project.folder}` or in the window, and delete them from tagdesk.toml"
        )


def new_project(
    folder: Path | str,
    labels: list[str] | list[Label],
    *,
    pipeline: str | None = None,
    annotator: str | None = None,
    patterns: list[str] | None = None,
    database_url: str | None = None,
) -> Project:
    """Create a project folder: a tagdesk.toml (name, database) and a database holding the labels (names, or
    `Label`s with colours and keys) and the suggester's settings. Refuses to overwrite an existing project.

    `annotator` is written to tagdesk.toml as the project's default name, for people who have not set theirs.
    `database_url` puts the database on a server (`postgresql+psycopg://host/db`) instead of the SQLite file beside
    the config; an empty database there gets the schema and these labels, one that already holds a Tagdesk
    project is opened as it is (its labels stay).
    """
    folder = Path(folder)
    if (folder / CONFIG_NAME).exists():
        raise ConfigError(f"{folder / CONFIG_NAME}: a project is already here; open it, or choose another folder")
    if folder.is_dir() and any(folder.glob("tagdesk.sqlite*")):
        raise ConfigError(
            f"{folder}: a tagdesk.sqlite database is here without a tagdesk.toml; move it away, "
            "or choose another folder"
        )
    if database_url:
        resolve_database_url(database_url, folder)  # refused before anything is written
    from pydantic import ValidationError

    try:
        if labels and all(isinstance(lab, Label) for lab in labels):
            labs = [lab for lab in labels if isinstance(lab, Label)]
        else:
            names = [str(lab).strip() for lab in labels if str(lab).strip()]
            labs = default_labels(names)
        if not labs:
            raise ConfigError("no labels given; name them, e.g. --labels PERSON,ORG,GPE")
        names = [lab.name for lab in labs]
        model = ModelSection(
            pipeline=DEFAULT_PIPELINE if pipeline is None else pipeline,
            label_map=default_label_map(names),
            patterns=list(patterns or []),
        )
        check_labels(labs, model.label_map)
        section = ProjectSection(name=folder.resolve().name or "project", annotator=annotator)
        if database_url:
            section = section.model_copy(update={"database_url": database_url})
        file = ConfigFile(project=section)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"--labels: {err['msg'].removeprefix('Value error, ')}") from None
    except ValueError as exc:
        raise ConfigError(f"--labels: {str(exc).removeprefix('labels: ')}") from None
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        save_config(file, folder / CONFIG_NAME)
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot create the project here ({exc.strerror})") from None
    try:
        return open_project(folder, seed=Seed(labs, model))
    except TagdeskError:  # e.g. the server cannot be reached: leave no half-made project behind
        (folder / CONFIG_NAME).unlink(missing_ok=True)
        if created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
