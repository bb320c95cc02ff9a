"""File → Team: the project's people and their roles (what `tagdesk team` lists and changes, through the same
`models.store.change_team`): add an annotator or a reviewer, change a role, remove someone (their annotations
stay). Once a project has a team each person changes only their own annotations; only a reviewer changes the team,
and the first member must be one."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from models import store
from models.errors import TagdeskError
from models.project import Project
from models.team import ANNOTATOR, REVIEWER


class TeamDialog(QDialog):
    changed = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("teamDialog")
        self.setWindowTitle("Team")
        self.resize(560, 460)
        self.setMinimumWidth(460)
        self.project = project
        self.about = QLabel(self)
        self.about.setObjectName("hint")
        self.about.setWordWrap(True)
        self.table = QTableWidget(0, 2, self)
        self.table.setObjectName("teamMembers")
        self.table.setHorizontalHeaderLabels(["Name", "Role"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.buttons: dict[str, QPushButton] = {}
        column = QVBoxLayout()
        for text, slot in [
            ("Add an annotator…", lambda: self.add(ANNOTATOR)),
            ("Add a reviewer…", lambda: self.add(REVIEWER)),
            ("Make reviewer", lambda: self.set_role(REVIEWER)),
            ("Make annotator", lambda: self.set_role(ANNOTATOR)),
            ("Remove", self.remove),
        ]:
            button = QPushButton(text, self)
            button.clicked.connect(slot)
            self.buttons[text] = button
            column.addWidget(button)
        column.addStretch(1)
        self.error = QLabel(self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(column)
        bottom = QHBoxLayout()
        bottom.addWidget(self.error, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.about)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        with self.project.session() as s:
            self.team = store.members(session=s)
        me = self.project.annotator
        self.table.setRowCount(0)
        for name, role in self.team.items():
            row = self.table.rowCount()
            self.table.insertRow(row)
            item = QTableWidgetItem(name + (" (you)" if name == me else ""))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(role))
        if not self.team:
            self.about.setText(
                "No team: anyone who opens the project may change anything. With a team, each person changes only "
                "their own annotations and reviewers settle the gold. The first member must be a reviewer: add "
                f"yourself ({me}) as one."
            )
        else:
            mine = self.team.get(me)
            rights = (
                "You are a reviewer: you may change the team."
                if mine == REVIEWER
                else f"Only a reviewer changes the team; you ({me}) are {'an annotator' if mine else 'not in it'}."
            )
            self.about.setText(
                "Each person changes only their own annotations; reviewers also settle the gold annotation, "
                f"import other people's annotations and change the team. {rights}"
            )
        self._update_buttons()

    def selected(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        item = self.table.item(rows[0].row(), 0) if rows else None
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _update_buttons(self) -> None:
        name = self.selected()
        role = self.team.get(name) if name else None
        self.buttons["Make reviewer"].setEnabled(role == ANNOTATOR)
        self.buttons["Make annotator"].setEnabled(role == REVIEWER)
        self.buttons["Remove"].setEnabled(name is not None)

    # -- changes (the name is asked by a method of its own, so tests can answer)
    def ask_name(self, title: str, prompt: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(self, title, prompt, text=value)
        return text if ok else None

    def _change(self, **change: list[Any]) -> bool:
        try:
            with self.project.writing() as s:
                store.change_team(session=s, **change)
        except TagdeskError as exc:
            self.error.setText(str(exc))
            return False
        self.error.clear()
        self.refresh()
        self.changed.emit()
        return True

    def add(self, role: str) -> None:
        suggested = "" if self.team else self.project.annotator  # the first member: most likely the one asking
        what = "a reviewer" if role == REVIEWER else "an annotator"
        name = (self.ask_name(f"Add {what}", f"Name of {what} (as they annotate):", suggested) or "").strip()
        if name and self._change(add=[(name, role)]):
            self._select(name)

    def set_role(self, role: str) -> None:
        name = self.selected()
        if name and self._change(add=[(name, role)]):
            self._select(name)

    def remove(self) -> None:
        name = self.selected()
        if name:
            self._change(remove=[name])

    def _select(self, name: str) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                self.table.selectRow(row)
