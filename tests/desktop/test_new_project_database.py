"""New project with the database on a team's server (what `tagdesk new --database URL` does), and a URL with a
password in it refused before anything is written. Both backends: on SQLite the field is left empty."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from models.config import CONFIG_NAME, load_config
from tests.desktop.test_dialogs import app_controller  # noqa: F401 (fixture)

pytestmark = pytest.mark.backends


def test_new_project_on_the_backend(app_controller, backend, qtbot, tmp_path):  # noqa: F811
    from desktop.dialogs.new_project_dialog import NewProjectDialog

    dialog = NewProjectDialog(where=tmp_path)
    qtbot.addWidget(dialog)
    url = backend.database_url(empty=True)
    if url:
        qtbot.keyClicks(dialog.database, url)
    made = []
    dialog.created.connect(made.append)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == ""
    (project,) = made
    try:
        written = load_config(tmp_path / "my-project" / CONFIG_NAME).project.database_url
        if url:
            assert written == url and project.database_path is None  # the labels live on the server
            assert not list((tmp_path / "my-project").glob("tagdesk.sqlite*"))
        else:
            assert (tmp_path / "my-project" / "tagdesk.sqlite").exists()
        assert project.config.label_names == ["PERSON", "ORG", "GPE"]
    finally:
        project.close()


def test_a_password_in_the_url_is_refused_and_nothing_is_made(app_controller, qtbot, tmp_path):  # noqa: F811
    from desktop.dialogs.new_project_dialog import NewProjectDialog

    dialog = NewProjectDialog(where=tmp_path)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.database, "postgresql+psycopg://alice:secret@db.example.org/team")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "password" in dialog.error.text()
    assert not (tmp_path / "my-project").exists()
