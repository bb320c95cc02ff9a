"""The window asks for the server's password with a dialog (typed into with keys) when the server wants one
libpq finds nowhere, asks again after a wrong one, and keeps it nowhere but in the open project's engine."""

from __future__ import annotations

import pytest

from models.config import CONFIG_NAME
from tests.pgserver import PASSWORD_LOGIN, SECRET

pytestmark = pytest.mark.slow


def test_the_window_asks_with_a_dialog_typed_into_and_keeps_the_password_nowhere(
    password_project, qtbot, tmp_path, settings_path
):
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop.app import Controller
    from desktop.dialogs.password_dialog import PasswordDialog

    seen: list[tuple[str, str]] = []

    def answer(typed: str) -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, PasswordDialog), dialog
        seen.append((dialog.findChild(type(dialog.problem), "passwordText").text(), dialog.problem.text()))
        assert dialog.field.echoMode() == dialog.field.EchoMode.Password
        qtbot.keyClicks(dialog.field, typed)
        qtbot.keyClick(dialog.field, Qt.Key.Key_Return)

    QTimer.singleShot(200, lambda: answer("wrong"))
    QTimer.singleShot(1500, lambda: answer(SECRET))
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    controller = Controller(settings)
    window = controller.open(password_project)
    assert window is not None, getattr(controller, "last_error", "")
    qtbot.addWidget(window)
    assert len(seen) == 2
    assert f"{PASSWORD_LOGIN} on database" in seen[0][0] and seen[0][1] == ""
    assert seen[1][1] == "The server refused that password; type it again."
    project = window.project
    assert project.annotator == PASSWORD_LOGIN
    project.engine.dispose()  # every connection closed: new ones still log in (as after a server restart)
    with project.session() as s:
        from models import store

        assert store.document_count(session=s) == 0
    settings.sync()
    assert SECRET not in settings_path.read_text(encoding="utf-8")
    assert SECRET not in (password_project / CONFIG_NAME).read_text()
    window.close()
    controller.close_project(window) if window in controller.windows else None


def test_preferences_say_that_on_a_server_the_login_is_who_you_are(tmp_path, pg_server, qtbot):
    """Typing another name in the window's preferences does not make a server project's desktop someone else:
    the dialog says so, and the project is not reopened under the new name."""
    from desktop.dialogs.preferences_dialog import PreferencesDialog
    from desktop.preferences import Preferences
    from models.project import new_project
    from models.user_settings import load_user_settings
    from tests.pgserver import LOGIN

    url = pg_server.url(pg_server.create_database(template=pg_server.template))
    with new_project(tmp_path / "p", ["PERSON"], database_url=url) as project:
        dialog = PreferencesDialog(Preferences(), project)
        qtbot.addWidget(dialog)
        hint = dialog.findChild(type(dialog.error), "hint").text()
        assert f"you are {LOGIN}, your database login" in hint
        reopened = []
        dialog.name_changed.connect(reopened.append)
        dialog.name.setText("Zoë")
        dialog.accept()
        assert load_user_settings().annotator == "Zoë" and reopened == []
