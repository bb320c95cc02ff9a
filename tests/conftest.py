"""Shared fixtures: real SQLite files in tmp folders, real projects, and a real PostgreSQL server.

Both backends: a test that uses `backend` (directly, or through `make_project` / `project`) in a module marked
`pytestmark = pytest.mark.backends` runs twice, `[sqlite]` and `[postgresql]`, with the same body. Elsewhere
`backend` is SQLite. The PostgreSQL server (tests/pgserver.py) starts once per test run, the first time a test
needs it; each test gets a fresh database of its own. Without PostgreSQL's binaries those cases are skipped with
one line in the summary (they are deselected), except under `CI`, where they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.pgserver import PgServer, find_binaries

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
# Real third-party files beside the checkout; TAGDESK_TEST_INTEROP names another place (the test of `unavailable`).
INTEROP = Path(os.environ.get("TAGDESK_TEST_INTEROP", SHARED / "interop"))


def unavailable(reason: str) -> None:
    """Skip a test whose material or tool is missing here, but fail it when the CI variable is set: on CI a skip
    would hide a regression."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this test may not be skipped)", pytrace=False)
    pytest.skip(reason)


BACKENDS = ("sqlite", "postgresql")
NO_POSTGRESQL = (
    "PostgreSQL is not installed, so they did not run (Debian: apt-get install postgresql; "
    "or set TAGDESK_PG_BIN to the folder with initdb and pg_ctl)"
)


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def _needs_postgresql(item) -> bool:
    callspec = getattr(item, "callspec", None)
    return "pg_server" in item.fixturenames or (callspec is not None and callspec.params.get("backend") == BACKENDS[1])


def pytest_collection_modifyitems(config, items):
    """Without PostgreSQL (and not under CI), its cases are left out and the summary says so in one line."""
    if find_binaries() is not None or os.environ.get("CI"):
        return
    left_out = [item for item in items if _needs_postgresql(item)]
    if left_out:
        items[:] = [item for item in items if not _needs_postgresql(item)]
        config.hook.pytest_deselected(items=left_out)
        config.stash[_LEFT_OUT] = len(left_out)


_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    if config.stash.get(_LEFT_OUT, 0):
        terminalreporter.write_line(f"SKIPPED {config.stash[_LEFT_OUT]} [postgresql] cases: {NO_POSTGRESQL}")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """The test run's PostgreSQL server (started on first use, stopped at the end), with a template database
    that holds the current schema."""
    bindir = find_binaries()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail(
                "PostgreSQL is not installed, and under CI the [postgresql] cases must run: .ci/run installs "
                "Debian's postgresql package (or set TAGDESK_PG_BIN to the folder with initdb and pg_ctl)"
            )
        pytest.skip(NO_POSTGRESQL)
    server = PgServer(bindir)
    try:
        server.init()
        server.start()
        server.template = _make_template(server)
        yield server
    finally:
        server.destroy()


def _make_template(server: PgServer) -> str:
    from models.db.engine import make_engine, upgrade_database

    name = server.create_database("tagdesk_template")
    engine = make_engine(server.url(name))
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    server.mark_template(name)
    return name


class Backend:
    """The database a test's projects live in: `name` is "sqlite" or "postgresql"."""

    def __init__(self, name: str, server: PgServer | None) -> None:
        self.name = name
        self.server = server
        self._made: list[str] = []

    @property
    def is_postgresql(self) -> bool:
        return self.name == "postgresql"

    def database_url(self, *, empty: bool = False) -> str | None:
        """A fresh database for one project: None on SQLite (the project's own file, the default); on PostgreSQL
        a new database with the current schema (`empty`: without any table)."""
        if self.server is None:
            return None
        name = self.server.create_database(template="template0" if empty else self.server.template)
        self._made.append(name)
        return self.server.url(name)

    def cleanup(self) -> None:
        if self.server is not None:
            for name in self._made:
                self.server.drop_database(name)


@pytest.fixture
def backend(request):
    name = getattr(request, "param", "sqlite")
    server = request.getfixturevalue("pg_server") if name == "postgresql" else None
    chosen = Backend(name, server)
    yield chosen
    chosen.cleanup()


@pytest.fixture
def make_project(tmp_path, backend):
    """make_project(labels=[...], name="p") -> an open Project in a fresh folder (closed after the test), its
    database on the test's backend."""
    from models.project import new_project

    opened = []

    def make(labels=("PERSON", "ORG", "GPE"), name="proj", **kwargs):
        kwargs.setdefault("database_url", backend.database_url())
        project = new_project(tmp_path / name, list(labels), annotator=kwargs.pop("annotator", "ann"), **kwargs)
        opened.append(project)
        return project

    yield make
    for p in opened:
        p.close()


@pytest.fixture
def project(make_project):
    return make_project()


@pytest.fixture
def cli(capsys):
    """cli("import", dir, file) -> (exit code, stdout, stderr), running the real `tagdesk` entry point in-process."""
    from desktop.cli import main

    def run(*args):
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def no_shared_memory(monkeypatch):
    """Projects open through SQLite's "unix-dotfile" VFS, which has no shared memory (as on some network and
    virtual file systems): SQLite refuses the write-ahead log there."""
    from models.db import engine as engine_mod

    real = engine_mod.make_engine

    def make(url: str, **kw):
        path = url.removeprefix("sqlite:///")
        return real(f"sqlite:///file:{path}?vfs=unix-dotfile&uri=true", **kw)

    monkeypatch.setattr("models.project.make_engine", make)


@pytest.fixture(autouse=True)
def _own_user_settings(tmp_path_factory, monkeypatch):
    """Every test (and every process it starts) reads and writes its own per-user settings file, never the
    real user's: `models.user_settings` reads the file the environment names."""
    from models.user_settings import ENV_VAR

    monkeypatch.setenv(ENV_VAR, str(tmp_path_factory.mktemp("user") / "settings.toml"))
