"""The main window: builds the widgets, the actions and menus, and wires them to the session. No logic of its own
beyond wiring; edits live in `session.py` and `undo.py`, long work in `background.py` / `tasks.py`."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QSplitter, QVBoxLayout, QWidget

from models import store
from models.db.tables import Status
from models.project import Project
from resources import resource_path

from . import tasks
from .background import Background
from .document_state import DocumentState
from .errors import read_errors
from .session import AnnotationSession
from .snapping import Snapper
from .theme import apply_theme
from .widgets.document_list import DocumentList
from .widgets.entity_panel import EntityPanel
from .widgets.label_bar import LabelBar
from .widgets.notice_bar import NoticeBar
from .widgets.shortcuts_dialog import ShortcutsDialog
from .widgets.status_bar import StatusBar
from .widgets.text_view import Palette, TextView


class MainWindow(QMainWindow):
    def __init__(self, project: Project, *, settings: QSettings | None = None, background: bool = True) -> None:
        super().__init__()
        self.project = project
        self.settings = settings or QSettings()
        self._key = "projects/" + hashlib.sha1(str(project.folder.resolve()).encode()).hexdigest()[:16]
        self.setWindowTitle(f"{project.config.project.name} — Tagdesk")
        self.setWindowIcon(QIcon(str(resource_path("icons", "tagdesk.svg"))))
        self.resize(1360, 860)
        self.colors = {lab.name: lab.color for lab in project.config.labels}

        self.session = AnnotationSession(project, self)
        self.documents = DocumentList(project, self)
        self.labels = LabelBar(list(project.config.labels), self)
        self.text = TextView(self)
        self.entities = EntityPanel(self.colors, self)
        self.notice_bar = NoticeBar(self)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self._layout()
        for notice in project.notices:  # how the database runs (e.g. without the write-ahead log)
            self.notice_bar.show_message(notice)
        self.background = Background(project, self)
        self.groups = self._actions()
        self._menus()
        self._wire()
        self.theme = apply_theme(QApplication.instance(), str(self.settings.value("theme", "light")))
        self.text.set_palette(Palette(self.colors, dark=self.theme == "dark"))
        self._wire_background()
        self._restore()
        self._update_counters()
        self._counter_timer = QTimer(self, interval=30_000, timeout=self._update_counters)  # docs/h drifts
        self._counter_timer.start()
        if background:
            QTimer.singleShot(0, self.background.start)

    # ------------------------------------------------------------------ layout
    def _layout(self) -> None:
        centre = QWidget(self)
        centre.setObjectName("centre")
        column = QVBoxLayout(centre)
        column.setContentsMargins(6, 10, 6, 6)
        column.setSpacing(0)
        column.addWidget(self.notice_bar)
        column.addWidget(self.labels)
        column.addWidget(self.text, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.entities)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([290, 760, 320])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

    # ------------------------------------------------------------------ actions and menus
    def _action(self, text: str, keys: list[str] | str | QKeySequence.StandardKey, slot, tip: str = "") -> QAction:
        action = QAction(text, self)
        if isinstance(keys, QKeySequence.StandardKey):
            action.setShortcuts(keys)
        else:
            action.setShortcuts([QKeySequence(k) for k in ([keys] if isinstance(keys, str) else keys)])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _actions(self) -> list[tuple[str, list[QAction]]]:
        s = self.session
        a = self._action
        undo = s.undo.createUndoAction(self, "&Undo")
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = s.undo.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        for act in (undo, redo):
            self.addAction(act)
        self.act_theme_light = a("&Light theme", [], lambda: self.set_theme("light"))
        self.act_theme_dark = a("&Dark theme", [], lambda: self.set_theme("dark"))
        for act in (self.act_theme_light, self.act_theme_dark):
            act.setCheckable(True)
        labels = [
            a(
                f"Label {lab.name}",
                lab.key or [],
                lambda i=i: s.label_key(i),
                f"Make {lab.name} the active label, or relabel the selected entity",
            )
            for i, lab in enumerate(self.project.config.labels)
        ]
        return [
            ("&File", [a("&Quit", "Ctrl+Q", self.close)]),
            (
                "&Edit",
                [
                    undo,
                    redo,
                    None,
                    a("&Accept selected suggestion", ["Return", "Enter"], s.accept_selected),
                    a("&Delete selected entity", ["Delete"], s.remove_selected),
                    None,
                    a("&Next entity", ["Tab"], lambda: s.step_selection(1)),
                    a("&Previous entity", ["Shift+Tab", "Shift+Backtab"], lambda: s.step_selection(-1)),
                    a("&Grow entity by a token", ["Shift+Right"], lambda: s.resize_selected("end", True)),
                    a("&Shrink entity by a token", ["Shift+Left"], lambda: s.resize_selected("end", False)),
                    a("Grow entity to the &left", ["Ctrl+Shift+Left"], lambda: s.resize_selected("start", True)),
                    a("Shrink entity from the l&eft", ["Ctrl+Shift+Right"], lambda: s.resize_selected("start", False)),
                    a("Clear selection", ["Escape"], lambda: s.select(None)),
                ],
            ),
            (
                "&Document",
                [
                    a("&Accept document and next", ["A"], lambda: s.decide(Status.accepted.value)),
                    a("&Reject document and next", ["X"], lambda: s.decide(Status.rejected.value)),
                    a("&Ignore document and next", ["Space"], lambda: s.decide(Status.ignored.value)),
                    a("&Back to the previous decision", ["Backspace"], s.back),
                    None,
                    a("Ne&xt document", ["Ctrl+Down", "PgDown"], lambda: self.documents.step(1)),
                    a("Pre&vious document", ["Ctrl+Up", "PgUp"], lambda: self.documents.step(-1)),
                    a("&Find documents", "Ctrl+F", self.documents.search.setFocus),
                ],
            ),
            ("&Labels", labels),
            (
                "&View",
                [
                    self.act_theme_light,
                    self.act_theme_dark,
                    None,
                    a("Compute &suggestions now", [], self.background.start_suggesting),
                ],
            ),
            (
                "&Help",
                [
                    a("&Keyboard shortcuts", ["F1", "Ctrl+/"], self.show_shortcuts),
                    a("&About Tagdesk", [], self.show_about),
                ],
            ),
        ]

    def _menus(self) -> None:
        for title, actions in self.groups:
            menu = self.menuBar().addMenu(title)
            for act in actions:
                if act is None:
                    menu.addSeparator()
                else:
                    menu.addAction(act)

    def shortcut_groups(self) -> list[tuple[str, list[QAction]]]:
        return [(t.replace("&", ""), [a for a in acts if a is not None]) for t, acts in self.groups]

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_groups(), self)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Tagdesk",
            "Tagdesk: annotate entities with a model in the loop.\n"
            "Every decision is saved at once in the project's database.",
        )

    # ------------------------------------------------------------------ wiring
    def _wire(self) -> None:
        s, t = self.session, self.text
        self.documents.document_chosen.connect(s.open_document)
        self.documents.message.connect(self.status.notice)
        s.document_opened.connect(self._document_opened)
        s.changed.connect(t.apply)
        s.changed.connect(self.entities.apply)
        s.selection_changed.connect(t.select_item)
        s.selection_changed.connect(self.entities.select)
        s.status_changed.connect(self.documents.set_status)
        s.message.connect(self.status.notice)
        s.want_next.connect(self.documents.select_next)
        s.want_document.connect(lambda d: self.documents.select_document(d, emit=False))
        s.active_label_changed.connect(self.labels.set_active)
        s.decisions_changed.connect(self._update_counters)
        s.decisions_changed.connect(self._show_position)
        t.span_drawn.connect(s.draw_span)
        t.item_clicked.connect(s.select)
        t.token_double_clicked.connect(s.add_token_at)
        self.entities.item_clicked.connect(s.select)
        self.labels.label_clicked.connect(s.label_key)

    def _wire_background(self) -> None:
        b = self.background
        b.tokenizer_ready.connect(lambda tok: setattr(self.session, "snapper", Snapper(tok)))
        b.model_key_ready.connect(self.session.set_model_key)
        b.model_status.connect(self.status.set_model)
        b.model_status.connect(self._model_problem)
        b.progress.connect(lambda p: self.status.show_task(*p) if p else self.status.show_task(None))
        b.suggestions_arrived.connect(self.session.reload_suggestions)
        b.notice.connect(self.status.notice)
        self.status.cancel_clicked.connect(b.cancel)
        self.status.set_model("Loading model…", self.project.config.model.pipeline)

    def _model_problem(self, text: str, reason: str = "") -> None:
        if text.startswith("No suggestions") and reason:
            self.notice_bar.show_message(f"Suggestions are off. {reason}\nAnnotating works as usual without them.")

    def _document_opened(self, state: DocumentState | None) -> None:
        self.background.want(state.document_id if state else None)
        if state is None:
            self.text.clear_document()
            self.entities.set_state(None)
            return
        self.text.set_document(state.text, state.items())
        self.entities.set_state(state)
        self._show_position()
        self.settings.setValue(f"{self._key}/last_document", state.document_id)

    def _show_position(self) -> None:
        state = self.session.state
        if state is None:
            return
        with read_errors(self.status.notice) as read, self.project.session() as s:
            place, total = store.document_index(state.document_id, session=s)
        if not read.failed:
            self.status.set_position(place, total, state.status)

    def _update_counters(self) -> None:
        with read_errors(self.status.notice) as read:
            today = self.session.done_today()
        if not read.failed:
            self.status.set_counters(today, self.session.docs_per_hour())

    # ------------------------------------------------------------------ theme and settings
    def set_theme(self, name: str) -> None:
        self.theme = apply_theme(QApplication.instance(), name)
        self.settings.setValue("theme", self.theme)
        self.act_theme_light.setChecked(self.theme == "light")
        self.act_theme_dark.setChecked(self.theme == "dark")
        self.text.set_palette(Palette(self.colors, dark=self.theme == "dark"))
        self.text.viewport().update()

    def _restore(self) -> None:
        self.act_theme_light.setChecked(self.theme == "light")
        self.act_theme_dark.setChecked(self.theme == "dark")
        geometry = self.settings.value(f"{self._key}/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value(f"{self._key}/window_state")
        if state is not None:
            self.restoreState(state)
        sizes = self.settings.value(f"{self._key}/splitter")
        if sizes is not None:
            self.splitter.restoreState(sizes)
        last = self.settings.value(f"{self._key}/last_document")
        total = self.documents.list_model.total()
        if last is not None and self.documents.select_document(int(last)):
            pass
        elif total:
            self.documents.select_row(0)
        else:
            self.status.set_position(None, 0)
            self.status.notice(f"No documents yet: tagdesk import {self.project.folder} FILE")
        self.text.setFocus()

    def save_settings(self) -> None:
        self.settings.setValue(f"{self._key}/geometry", self.saveGeometry())
        self.settings.setValue(f"{self._key}/window_state", self.saveState())
        self.settings.setValue(f"{self._key}/splitter", self.splitter.saveState())
        if self.session.document_id is not None:
            self.settings.setValue(f"{self._key}/last_document", self.session.document_id)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self._counter_timer.stop()
        self.background.cancel()
        tasks.shutdown()  # cancel spaCy loading / suggesting and wait (bounded) before the project closes
        super().closeEvent(event)
