"""The main window: builds the widgets, the actions and menus (`actions.py`), and wires them to the session. No
logic of its own beyond wiring; edits live in `session.py` and `undo.py`, long work in `background.py` /
`tasks.py`, dialogs in `dialogs/`, the application around the window (open, new, close) in `app.py`."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QIcon, QResizeEvent
from PySide6.QtWidgets import QMainWindow, QMenu, QMessageBox, QSplitter, QVBoxLayout, QWidget

from models import __version__
from models.project import Project
from models.search import find_matches
from resources import resource_path

from . import actions, review_mode, tasks
from .background import Background
from .connection import ConnectionWatch
from .counters import Counters
from .document_state import DocumentState
from .errors import read_errors
from .learning import Learning
from .preferences import Preferences
from .session import AnnotationSession
from .theme import application, apply_theme
from .watcher import Changes, ChangeWatcher
from .widgets.agreement_dialog import AgreementDialog
from .widgets.decision_bar import DecisionBar
from .widgets.document_list import DocumentList
from .widgets.entity_panel import EntityPanel
from .widgets.guidelines_panel import GuidelinesPanel
from .widgets.label_bar import LabelBar
from .widgets.note_panel import NotePanel
from .widgets.notice_bar import NoticeBar
from .widgets.shortcuts_dialog import ShortcutsDialog
from .widgets.status_bar import StatusBar
from .widgets.text_view import TextView

if TYPE_CHECKING:  # the dialogs are imported when first opened
    from .dialogs.backup_dialog import BackupDialog
    from .dialogs.check_dialog import CheckDialog
    from .dialogs.export_dialog import ExportDialog
    from .dialogs.import_dialog import ImportDialog
    from .dialogs.labels_dialog import LabelsDialog
    from .dialogs.preferences_dialog import PreferencesDialog
    from .dialogs.settings_dialog import SettingsDialog
    from .dialogs.statistics_dialog import StatisticsDialog
    from .dialogs.team_dialog import TeamDialog

NARROW = 1000  # px: below this the status bar keeps the essentials (the side panels fold away with F6 / F7)
MIN_TEXT = 360  # px: the text column never gets narrower (words are not broken mid-word)


class MainWindow(QMainWindow):
    # Made by actions.build_groups: the actions and menus the window itself checks, enables or refills.
    act_accept: QAction
    act_reject: QAction
    act_ignore: QAction
    act_back: QAction
    act_guidelines: QAction
    act_documents: QAction
    act_entities: QAction
    act_theme_light: QAction
    act_theme_dark: QAction
    recent_menu: QMenu
    label_group_actions: list[QAction]
    threshold_actions: QActionGroup
    order_actions: QActionGroup

    def __init__(
        self, project: Project, *, settings: QSettings | None = None, background: bool = True, review: bool = False
    ) -> None:
        super().__init__()
        self.project = project
        self.settings = settings or QSettings()
        self.prefs = Preferences.load(self.settings)
        self._key = "projects/" + hashlib.sha1(str(project.folder.resolve()).encode()).hexdigest()[:16]
        if review:  # its own layout and last document
            self._key += "/review"
        mode = " — Review" if review else ""
        self.setWindowTitle(f"{project.config.project.name}{mode} — Tagdesk")
        self.setWindowIcon(QIcon(str(resource_path("icons", "tagdesk.svg"))))
        self.resize(1360, 860)
        self.setMinimumSize(640, 420)
        self.theme = apply_theme(application(), self.prefs.theme, self.prefs.font_pt)

        self._shown_revision = project.revision  # the labels and settings on screen
        cfg = project.config
        self._suggester = (
            sorted(cfg.label_names),
            sorted(cfg.model.label_map.items()),
            cfg.model.pipeline,
            cfg.model.patterns,
        )
        self.session = AnnotationSession(project, self, review=review)
        self.documents = DocumentList(project, self, annotator=self.session.annotator)
        self.labels = LabelBar(list(project.config.labels), self, dark=self.theme == "dark")
        self.text = TextView(self)
        self.entities = EntityPanel(self.colors, self)
        self.note = NotePanel(self)
        self.decisions = DecisionBar(self)
        self.notice_bar = NoticeBar(self)
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.learning = Learning(self)  # Train, its bar, "use it?", the Model panel
        self.guidelines = GuidelinesPanel(project.guidelines_path, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.guidelines)
        self.guidelines.hide()
        self._layout()
        self.review = review_mode.install(self) if review else None
        self.background = Background(project, self)
        self.counters = Counters(self.session, self.status, self)
        self.watcher = ChangeWatcher(self.session, self.documents, self.counters.refresh, self)
        self.groups = actions.build_groups(self)
        if review:
            review_mode.add_groups(self, self.groups)
        self.menus = actions.build_menus(self, self.groups)
        self.decisions.set_actions(self.act_accept, self.act_reject, self.act_ignore, self.act_back)
        self._wire()
        self.text.set_palette(self.prefs.palette(self.colors, dark=self.theme == "dark"))
        self._wire_background()
        self.connection = ConnectionWatch(project, self)
        self.connection.lost.connect(self._server_lost)
        self.connection.back.connect(self._server_back)
        if review:
            review_mode.say_if_not_reviewer(self)
        self._restore()
        self.counters.refresh()
        self._counter_timer = QTimer(self)  # docs/h drifts
        self._counter_timer.setInterval(30_000)
        self._counter_timer.timeout.connect(self.counters.refresh)
        self._counter_timer.start()
        self.watcher.start()
        # labels or shared settings changed elsewhere: the watcher sees their events (no document) and says so
        self.watcher.seen.connect(self._seen)
        for warning in project.warnings:
            self.notice_bar.show_message(warning)
        self._background = background
        if background:
            QTimer.singleShot(0, self.background.start)

    @property
    def colors(self) -> dict[str, str]:
        return {lab.name: lab.color for lab in self.project.config.labels}

    # ------------------------------------------------------------------ layout
    def _layout(self) -> None:
        centre = QWidget(self)
        centre.setObjectName("centre")
        centre.setMinimumWidth(MIN_TEXT)
        column = QVBoxLayout(centre)
        column.setContentsMargins(6, 10, 6, 6)
        column.setSpacing(0)
        column.addWidget(self.notice_bar)
        column.addWidget(self.learning.bar)
        column.addWidget(self.labels)
        column.addWidget(self.text, 1)
        column.addWidget(self.decisions)
        side = QSplitter(Qt.Orientation.Vertical, self)
        side.setObjectName("sidePanel")
        side.addWidget(self.entities)
        side.addWidget(self.note)
        side.setStretchFactor(0, 1)
        side.setChildrenCollapsible(False)
        self.side = side
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.documents)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([290, 760, 320])
        # the side panels fold away (drag them shut, or F6 / F7); the text column does not
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.setCollapsible(2, True)
        self.splitter.splitterMoved.connect(lambda *_: self._panels_changed())
        self.setCentralWidget(self.splitter)
        self._narrow: bool | None = None

    def toggle_panel(self, index: int, show: bool | None = None) -> None:
        """Show or fold away the document list (0) or the entity panel (2)."""
        sizes = self.splitter.sizes()
        show = sizes[index] == 0 if show is None else show
        if show:
            want = 280 if index == 0 else 300
            sizes[1] = max(MIN_TEXT, sizes[1] - want)
            sizes[index] = want
        else:
            sizes[1] += sizes[index]
            sizes[index] = 0
        self.splitter.setSizes(sizes)
        self._panels_changed()

    def _panels_changed(self) -> None:
        sizes = self.splitter.sizes()
        self.act_documents.setChecked(sizes[0] > 0)
        self.act_entities.setChecked(sizes[2] > 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW
        if narrow != self._narrow:
            self._narrow = narrow
            self.status.set_compact(narrow)

    def toggle_guidelines(self) -> None:
        self.guidelines.setVisible(not self.guidelines.isVisible())
        self.act_guidelines.setChecked(self.guidelines.isVisible())
        if self.guidelines.isVisible():
            self.guidelines.reload()

    # ------------------------------------------------------------------ dialogs
    def shortcut_groups(self) -> list[tuple[str, list[QAction]]]:
        return [(t.replace("&", ""), [a for a in acts if a is not None]) for t, acts in self.groups]

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.shortcut_groups(), self)
        dialog.show()
        return dialog

    def show_about(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, "About Tagdesk", f"Tagdesk {__version__}", parent=self)
        box.setObjectName("aboutBox")
        box.setInformativeText(
            "Annotate entities with a model in the loop. Every decision is saved at once in the project's "
            f"database.\n\nProject: {self.project.folder}\nYou annotate as: {self.project.annotator}"
        )
        box.show()
        return box

    def show_import(self) -> ImportDialog:
        from .dialogs.import_dialog import ImportDialog

        dialog = ImportDialog(self.project, self)
        dialog.imported.connect(self.after_import)
        dialog.show()
        return dialog

    def after_import(self) -> None:
        current = self.session.document_id
        self.documents.list_model.reload()
        self.documents.refresh_count()
        self.check_shared_settings()
        if current is not None:
            self.documents.select_document(current, emit=False)
        elif self.documents.list_model.total():
            self.documents.select_row(0)
        self.counters.refresh()
        self.background.start_suggesting()

    def show_export(self) -> ExportDialog:
        from .dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(self.project, self)
        dialog.show()
        return dialog

    def back_up(self) -> BackupDialog:
        from .dialogs.backup_dialog import BackupDialog

        dialog = BackupDialog(self.project, self)
        dialog.show()
        dialog.go.setFocus()  # Ctrl+B, Enter
        return dialog

    def show_settings(self) -> SettingsDialog:
        from .dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.project, self)
        dialog.saved.connect(lambda _keys: self.check_shared_settings())
        dialog.show()
        return dialog

    def show_team(self) -> TeamDialog:
        from .dialogs.team_dialog import TeamDialog

        dialog = TeamDialog(self.project, self)
        dialog.show()
        return dialog

    def check_project(self) -> CheckDialog:
        from .dialogs.check_dialog import CheckDialog

        dialog = CheckDialog(self.project, self)
        dialog.show()
        dialog.start()
        return dialog

    def add_launcher(self) -> QMessageBox:
        """Help → Add Tagdesk to the applications menu: what `tagdesk desktop-entry` writes."""
        from models.errors import TagdeskError

        from .launcher import install

        try:
            entry, _icon = install()
            text = f"Tagdesk is in your applications menu now ({entry}); it opens on the start screen."
        except TagdeskError as exc:
            text = f"The launcher was not written: {exc}"
        box = QMessageBox(QMessageBox.Icon.Information, "Applications menu", text, parent=self)
        box.setObjectName("launcherBox")
        box.show()
        return box

    def show_labels(self) -> LabelsDialog:
        from .dialogs.labels_dialog import LabelsDialog

        dialog = LabelsDialog(self, self)
        dialog.show()
        return dialog

    def show_preferences(self) -> PreferencesDialog:
        from .app import controller
        from .dialogs.preferences_dialog import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self.project, self)
        dialog.applied.connect(self.apply_preferences)
        # your work is saved under your name: the project opens again under the new one
        dialog.name_changed.connect(lambda _n: controller().open(self.project.folder, self, replace=self))
        dialog.show()
        return dialog

    def show_agreement(self) -> AgreementDialog:
        dialog = AgreementDialog(self.project, self)
        dialog.show()
        return dialog

    def show_statistics(self) -> StatisticsDialog:
        from .dialogs.statistics_dialog import StatisticsDialog

        dialog = StatisticsDialog(self.project, self.theme, self)
        dialog.show()
        return dialog

    def edit_note(self) -> None:
        if self.splitter.sizes()[2] == 0:
            self.toggle_panel(2, show=True)
        self.note.comment.setFocus()

    # ------------------------------------------------------------------ wiring
    def _wire(self) -> None:
        s, t = self.session, self.text
        self.documents.document_chosen.connect(lambda _d: self.note.flush())  # an unsaved comment, first
        self.documents.document_chosen.connect(s.choose_document)
        self.documents.message.connect(self.status.notice)
        s.document_opened.connect(self._document_opened)
        s.changed.connect(t.apply)
        s.changed.connect(self.entities.apply)
        s.selection_changed.connect(t.select_item)
        s.selection_changed.connect(self.entities.select)
        s.status_changed.connect(self.documents.set_status)
        s.message.connect(self.status.notice)
        s.busy.connect(self.status.show_busy)
        self.documents.filters_applied.connect(s.set_filters)
        self.documents.order_changed.connect(s.set_order)
        s.want_document.connect(lambda d: self.documents.select_document(d, emit=False))
        s.active_label_changed.connect(self.labels.set_active)
        s.model_key_changed.connect(self.documents.set_model_key)  # a list sorted by uncertainty follows the model
        s.decisions_changed.connect(self.counters.refresh)
        s.note_changed.connect(self.note.set_note)
        s.labels_changed.connect(self.apply_labels)
        self.note.save_requested.connect(s.set_note)
        self.note.done_editing.connect(self.text.setFocus)
        self.status.overflow.connect(self.notice_bar.show_message)
        t.span_drawn.connect(s.draw_span)
        t.item_clicked.connect(s.select)
        t.token_double_clicked.connect(s.add_token_at)
        self.documents.filters_applied.connect(self._show_matches)
        self.entities.item_clicked.connect(s.select)
        self.labels.label_clicked.connect(s.label_key)
        self.guidelines.visibilityChanged.connect(self.act_guidelines.setChecked)

    def _wire_background(self) -> None:
        b = self.background
        b.tokenizer_ready.connect(lambda tok: setattr(self.session.snapper, "tokenizer", tok))
        b.model_key_ready.connect(self.session.set_model_key)
        b.settled.connect(self.session.suggestions_settled)
        self.session.expects_suggestions = b.expecting
        b.model_status.connect(self.status.set_model)
        b.model_status.connect(self._model_problem)
        b.progress.connect(lambda p: self.status.show_task(*p) if p else self.status.show_task(None))
        b.suggestions_arrived.connect(self.session.reload_suggestions)
        b.suggestions_arrived.connect(self.documents.scores_arrived)
        b.notice.connect(self.status.notice)
        self.status.cancel_clicked.connect(b.cancel)
        self.status.set_model("Loading model…", self.project.config.model.pipeline)

    def _server_lost(self, text: str) -> None:
        # short, so it fits a narrow window; the driver's own words are in the tooltip
        self.notice_bar.show_message(
            "The database server cannot be reached: changes are NOT saved until it is back. "
            "Tagdesk keeps trying and says so here when it answers."
        )
        self.notice_bar.label.setToolTip(text)

    def _server_back(self) -> None:
        self.notice_bar.show_message("Connected to the database server again: changes are saved as usual.")
        self.notice_bar.label.setToolTip("")
        self.status.notice("Connected to the database server again")
        with read_errors(self.status.notice):
            self.session.reload_document()  # show what is stored (the failed change was not)
        QTimer.singleShot(8000, self._hide_back_notice)

    def _hide_back_notice(self) -> None:
        if not self.connection.offline:
            self.notice_bar.hide()

    def _model_problem(self, text: str, reason: str = "") -> None:
        if text.startswith("No suggestions") and reason:
            self.notice_bar.show_message(f"Suggestions are off. {reason}\nAnnotating works as usual without them.")

    def _document_opened(self, state: DocumentState | None) -> None:
        self.background.want(state.document_id if state else None)
        self.decisions.setEnabled(state is not None)
        self.note.setEnabled(state is not None)
        if state is None:
            self.text.clear_document()
            self.entities.set_state(None)
            self.note.set_note(None)
            return
        self.text.set_document(state.text, state.items())
        self._show_matches()
        self.entities.set_state(state)
        self.note.set_note(state.note)
        self.counters.refresh()  # the document's place in the list
        self.settings.setValue(f"{self._key}/last_document", state.document_id)

    def _show_matches(self) -> None:
        """Highlight in the open document what the document list's search looks for."""
        query = self.documents.list_model.filters.search or ""
        state = self.session.state
        self.text.set_matches(find_matches(state.text, query) if state and query else [])

    def step_match(self, step: int) -> None:
        """F3 / Shift+F3: the next or previous match of the search in this document."""
        found = self.text.step_match(step)
        query = self.documents.list_model.filters.search
        if found:
            self.status.notice(f"Match {found[0]:,} of {found[1]:,} for “{query}” in this document")
        elif query:
            self.status.notice(f"“{query}” is not in this document: Ctrl+PgDown goes to the next one")
        else:
            self.status.notice("Nothing searched yet: Ctrl+F, then type what to find")

    # ------------------------------------------------------------------ labels and shared settings
    def _seen(self, changes: Changes) -> None:
        if changes.added:
            self.check_shared_settings()

    def check_shared_settings(self) -> None:
        """Labels or settings changed (here, on another desktop, or from the command line): show them."""
        with read_errors(self.status.notice) as read:
            self.project.refresh()
        # (an import on the thread pool may have refreshed the shared project object already)
        if not read.failed and self.project.revision != self._shown_revision:
            self.apply_labels()

    def apply_labels(self) -> None:
        self._shown_revision = self.project.revision
        cfg = self.project.config
        suggester = (
            sorted(cfg.label_names),
            sorted(cfg.model.label_map.items()),
            cfg.model.pipeline,
            cfg.model.patterns,
        )
        if suggester != self._suggester:  # the suggestions' key changed: compute (or find) the new ones
            self._suggester = suggester
            if self._background:
                # the old key's suggestions are not the new labels' (a label renamed, removed...): none is shown
                # until the new key is known (a rename carries the cache to it, `models.suggest.carry`)
                self.session.set_model_key(None)
                self.background.restart()  # a run with the old suggester stops first
        self.session.labels_updated()
        self.labels.set_labels(list(cfg.labels), active=self.session.active_label)
        self.entities.set_colors(self.colors)
        self.documents.set_labels(cfg.label_names)
        actions.refill_labels_menu(self, self.menus["Labels"])
        self.text.set_palette(self.prefs.palette(self.colors, dark=self.theme == "dark"))
        self.session.reload_document()

    # ------------------------------------------------------------------ theme and settings
    def set_theme(self, name: str) -> None:
        self.prefs = self.prefs.with_theme(name)
        self.apply_preferences(self.prefs)

    def apply_preferences(self, prefs: Preferences) -> None:
        self.prefs = prefs
        prefs.save(self.settings)
        self.theme = apply_theme(application(), prefs.theme, prefs.font_pt)
        self.act_theme_light.setChecked(self.theme == "light")
        self.act_theme_dark.setChecked(self.theme == "dark")
        self.labels.set_dark(self.theme == "dark")
        self.text.set_palette(prefs.palette(self.colors, dark=self.theme == "dark"))
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
        self._panels_changed()
        self.act_guidelines.setChecked(self.guidelines.isVisible())
        last = self.settings.value(f"{self._key}/last_document")
        total = self.documents.list_model.total()
        if last is not None and self.documents.select_document(int(last)):
            pass
        elif total:
            self.documents.select_row(0)
        else:
            self.status.set_position(None, 0)
            self.session.open_document(None)
            self.notice_bar.show_message(
                "No documents yet. Import some with File → Import documents… (Ctrl+I): plain text, JSONL, CSV, "
                "spaCy, CoNLL, doccano, Label Studio or brat files."
            )
        self.text.setFocus()

    def save_settings(self) -> None:
        self.settings.setValue(f"{self._key}/geometry", self.saveGeometry())
        self.settings.setValue(f"{self._key}/window_state", self.saveState())
        self.settings.setValue(f"{self._key}/splitter", self.splitter.saveState())
        if self.session.document_id is not None:
            self.settings.setValue(f"{self._key}/last_document", self.session.document_id)
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.note.flush()
        self.save_settings()
        self._counter_timer.stop()
        self.watcher.stop()
        self.session.writer.wait()  # a decision being saved (another program holds the lock) commits first
        self.background.cancel()
        self.learning.cancel()
        tasks.shutdown()  # cancel spaCy loading / suggesting and wait (bounded) before the project closes
        super().closeEvent(event)
        from .app import controller

        controller().window_closed(self)
