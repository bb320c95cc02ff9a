"""The learning loop in the window: the Train action with its bar above the text, "use it?", the Model panel,
and what follows a new model (the background suggests with it). Kept out of the main window, which only creates
this object, puts its bar in the layout and its actions in the Model menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from models import settings
from models.errors import TagdeskError
from models.train import ModelVersion, RetrainCheck, TrainOptions, TrainResult, current_version, retrain_check

from .training import Trainer
from .widgets.model_panel import ModelPanel
from .widgets.training_bar import TrainingBar

if TYPE_CHECKING:
    from .dialogs.train_dialog import TrainDialog
    from .main_window import MainWindow

RETRAIN_CHOICES = (0, 10, 25, 50, 100)  # Model → Retrain automatically: off, or every N accepted documents


class Learning(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.trainer = Trainer(window.project, self)
        self.bar = TrainingBar(window)
        self.last: TrainResult | None = None
        self.panel: ModelPanel | None = None
        tr, bar = self.trainer, self.bar
        tr.progress.connect(bar.show_progress)
        tr.finished.connect(self._done)
        tr.failed.connect(self._failed)
        tr.model_changed.connect(self._model_changed)
        tr.checked.connect(lambda check: self.retrain_checked(check))
        bar.cancel_clicked.connect(tr.cancel)
        bar.use_clicked.connect(self._use_last)
        bar.details_clicked.connect(self.show_panel)
        window.session.decisions_changed.connect(tr.maybe_retrain)
        self.retrain_menu = self._retrain_menu()

    def train(self, options: TrainOptions | None = None) -> None:
        if not self.trainer.start(options=options):
            self.window.status.notice("A model is training already (Model → Cancel training stops it)")

    def train_with_options(self) -> TrainDialog:
        """Model → Train with options: the choices of `tagdesk train`, then the same run as Ctrl+T."""
        from .dialogs.train_dialog import TrainDialog

        dialog = TrainDialog(self.window.project, self.trainer.options, self.window)
        dialog.train.connect(self.train)
        dialog.show()
        return dialog

    def _done(self, result: TrainResult, auto: bool) -> None:
        self.last = result
        before = result.baseline["f"] if result.baseline else None
        change = f"F {before:.2f} → {result.scores['f']:.2f}" if before is not None else f"F {result.scores['f']:.2f}"
        docs = result.version.meta["documents"]
        held = f"{docs['eval']} held out"
        if docs.get("conflicts"):
            held += f"; {docs['conflicts']} left out: annotators differ, unreviewed"
        how = "trained automatically" if auto else "trained"
        what = f"Model {result.version.name} {how} on {docs['train']} documents ({held}): {change}"
        if auto and result.better:
            self.bar.show_result(f"{what}; now suggesting with it.", offer_use=False)
        elif auto:
            used = current_version(self.window.project)
            current = f"model {used.name}" if used else (result.baseline or {}).get("pipeline") or "the current model"
            self.bar.show_result(
                f"{what}; not used: {current} scores higher on the same documents. Use it anyway?", offer_use=True
            )
        else:
            self.bar.show_result(f"{what}. Use it for suggestions?", offer_use=True)
        if self.panel is not None:
            self.panel.refresh()

    def _failed(self, text: str, auto: bool) -> None:
        if auto:
            every = self.window.project.config.model.retrain_every
            text = f"Automatic retraining: {text}. It tries again after {every} more accepted documents."
        self.bar.show_problem(text)

    def _use_last(self) -> None:
        if self.last is not None:
            self.trainer.use(self.last.version)

    def _model_changed(self, version: ModelVersion) -> None:
        self.bar.show_result(
            f"Suggestions now come from model {version.name}; documents not yet decided get its suggestions "
            "in the background.",
            offer_use=False,
        )
        self.window.status.set_model(f"Model {version.name}", f"Suggestions from {version.pipeline_setting}")
        self.window.check_shared_settings()  # the shared pipeline setting changed: the one path that follows it
        if self.panel is not None:
            self.panel.refresh()

    def show_panel(self) -> ModelPanel:
        if self.panel is None:
            self.panel = ModelPanel(self.window.project, self.window.theme, self.window)
            self.panel.use_requested.connect(self.trainer.use)
        self.panel.refresh()
        self.panel.show()
        self.panel.raise_()
        return self.panel

    def cancel(self) -> None:
        self.trainer.cancel()

    # -- Model → Retrain automatically
    def _retrain_menu(self) -> QMenu:
        """Off, or every N accepted documents (the shared project setting `retrain_every`), and how far the next
        automatic training is (read when the menu opens)."""
        menu = QMenu("&Retrain automatically", self.window)
        self.retrain_status = QAction("", menu)
        self.retrain_status.setEnabled(False)
        menu.addAction(self.retrain_status)
        menu.addSeparator()
        self.retrain_actions = QActionGroup(menu)
        for every in RETRAIN_CHOICES:
            text = f"Every {every} accepted documents" if every else "Off"
            act = QAction(text, menu, checkable=True)
            act.setData(every)
            act.triggered.connect(lambda _on=False, every=every: self.set_retrain_every(every))
            self.retrain_actions.addAction(act)
            menu.addAction(act)
        self.retrain_other = QAction("", menu, checkable=True)  # a number set elsewhere (tagdesk settings)
        self.retrain_other.setEnabled(False)
        self.retrain_actions.addAction(self.retrain_other)
        menu.addAction(self.retrain_other)
        menu.aboutToShow.connect(self._show_retrain_status)
        self._check_retrain_choice()
        return menu

    def _check_retrain_choice(self) -> None:
        every = self.window.project.config.model.retrain_every
        other = every not in RETRAIN_CHOICES
        self.retrain_other.setVisible(other)
        self.retrain_other.setText(f"Every {every} accepted documents (tagdesk settings)")
        self.retrain_other.setChecked(other)
        for act in self.retrain_actions.actions():
            if act is not self.retrain_other:
                act.setChecked(act.data() == every)

    def _show_retrain_status(self) -> None:
        self._check_retrain_choice()
        try:
            check = retrain_check(self.window.project, tried_at=self.trainer.tried_at)
        except TagdeskError as exc:
            self.retrain_status.setText(f"Cannot read the count: {exc}")
            return
        self.retrain_status.setText(check.describe())

    def set_retrain_every(self, every: int) -> None:
        """Retrain after every `every` accepted documents (0: off), for everyone on the project."""
        try:
            settings.change_settings(self.window.project, retrain_every=every)  # as tagdesk settings does
        except TagdeskError as exc:
            self.window.status.notice(f"Automatic retraining not changed: {exc}")
            return
        self._check_retrain_choice()
        self.window.status.notice(
            f"Retraining automatically every {every} accepted documents" if every else "Automatic retraining is off"
        )
        self.trainer.maybe_retrain()  # it may be due already

    def retrain_checked(self, check: RetrainCheck) -> None:
        """Where automatic retraining stands after a decision: the menu's first line says it."""
        self.retrain_status.setText(check.describe())
