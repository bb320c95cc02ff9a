"""Shared fixtures: real SQLite files in tmp folders, real projects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


@pytest.fixture
def make_project(tmp_path):
    """make_project(labels=[...], name="p") -> an open Project in a fresh folder (closed after the test)."""
    from models.project import new_project

    opened = []

    def make(labels=("PERSON", "ORG", "GPE"), name="proj", **kwargs):
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
