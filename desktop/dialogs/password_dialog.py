"""The server's password, asked when it wants one that libpq finds nowhere (no password file entry, service
file or PGPASSWORD): a modal dialog while the project opens. What is typed goes to the project's engine only
(`models.db.password`), in memory: never into tagdesk.toml or the window's settings."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from models.db.password import PasswordPrompt

from .. import messages


class PasswordDialog(QDialog):
    def __init__(self, what: str, problem: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle("Password for the project's server")
        self.setMinimumWidth(460)
        self.setModal(True)
        text = QLabel(messages.password_wanted(what), self)
        text.setWordWrap(True)
        text.setObjectName("passwordText")
        self.problem = QLabel((problem[:1].upper() + problem[1:] + ".") if problem else "", self)
        self.problem.setObjectName("passwordProblem")
        bold = self.problem.font()
        bold.setBold(True)
        self.problem.setFont(bold)
        self.problem.setWordWrap(True)
        self.problem.setVisible(bool(problem))
        self.field = QLineEdit(self)
        self.field.setObjectName("passwordField")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setPlaceholderText("Password")
        note = QLabel(messages.PASSWORD_KEPT, self)
        note.setWordWrap(True)
        note.setObjectName("passwordNote")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Connect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.problem)
        layout.addWidget(self.field)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.field.setFocus()


def dialog_prompt(parent: QWidget | None) -> PasswordPrompt:
    """A prompt for `models.project.open_project`: the dialog, modal; None when cancelled."""

    def ask(what: str, problem: str | None) -> str | None:
        dialog = PasswordDialog(what, problem, parent)
        try:
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            return dialog.field.text() if accepted and dialog.field.text() else None
        finally:
            dialog.field.clear()
            dialog.deleteLater()

    return ask
