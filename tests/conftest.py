"""Shared fixtures: real SQLite files in tmp folders, real projects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
INTEROP = SHARED / "interop"


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


@pytest.fixture(autouse=True)
def _own_user_settings(tmp_path_factory, monkeypatch):
    """Every test (and every process it starts) reads and writes its own per-user settings file, never the
    real user's: `models.user_settings` reads the file the environment names."""
    from models.user_settings import ENV_VAR

    monkeypatch.setenv(ENV_VAR, str(tmp_path_factory.mktemp("user") / "settings.toml"))
