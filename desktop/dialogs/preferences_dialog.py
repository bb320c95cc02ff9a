"""Edit → Preferences: theme, interface font size and how suggestions look (QSettings, this computer's view), and
your annotator name (the per-user settings file `models.user_settings` keeps: `tagdesk whoami` reads the same)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.errors import TagdeskError
from models.project import DATABASE_LOGIN, Project
from models.user_settings import load_user_settings, set_annotator, settings_path

from ..preferences import SUGGESTION_STYLES, Preferences
from ..theme import FONT_SIZES, THEMES


class PreferencesDialog(QDialog):
    applied = Signal(object)  # Preferences
    name_changed = Signal(str)

    def __init__(self, prefs: Preferences, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(480)
        self.project = project
        self.theme = QComboBox(self)
        for t in THEMES:
            self.theme.addItem(t.capitalize(), t)
        self.theme.setCurrentIndex(self.theme.findData(prefs.theme))
        self.font_size = QSpinBox(self)
        self.font_size.setRange(FONT_SIZES.start, FONT_SIZES.stop - 1)
        self.font_size.setSuffix(" pt")
        self.font_size.setValue(prefs.font_pt)
        self.suggestions = QComboBox(self)
        for key, text in SUGGESTION_STYLES.items():
            self.suggestions.addItem(text, key)
        self.suggestions.setCurrentIndex(self.suggestions.findData(prefs.suggestion_style))
        current = load_user_settings().annotator
        self.name = QLineEdit(current or (project.annotator if project else ""), self)
        self.name.setObjectName("annotatorName")
        self.on_server = project is not None and project.annotator_source == DATABASE_LOGIN
        hint = (
            f"Saved in {settings_path()} for every project on this computer. Work already saved under another "
            "name stays under it."
        )
        if self.on_server and project is not None:
            hint += (
                f" This project is on a server, where you are {project.annotator}, your database login, whatever "
                "this name says."
            )
        where = QLabel(hint, self)
        where.setObjectName("hint")
        where.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Theme", self.theme)
        form.addRow("Font size", self.font_size)
        form.addRow("Suggestions", self.suggestions)
        form.addRow("Your name", self.name)
        form.addRow("", where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._name_before = self.name.text()

    def preferences(self) -> Preferences:
        return Preferences(self.theme.currentData(), self.font_size.value(), self.suggestions.currentData())

    def accept(self) -> None:
        name = self.name.text()
        if name.strip() != self._name_before.strip() or load_user_settings().annotator is None:
            try:
                name = set_annotator(name)
            except TagdeskError as exc:
                self.error.setText(str(exc))
                return
            if self.project is not None and name != self.project.annotator and not self.on_server:
                self.name_changed.emit(name)
        self.applied.emit(self.preferences())
        super().accept()
