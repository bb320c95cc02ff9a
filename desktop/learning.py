"""The learning loop in the window: the Train action with its bar above the text, "use it?", the Model panel,
and what follows a new model (the background suggests with it). Kept out of the main window, which only creates
this object, puts its bar in the layout and its actions in the Model menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from models.train import ModelVersion, TrainOptions, TrainResult

from .training import Trainer
from .widgets.model_panel import ModelPanel
from .widgets.training_bar import TrainingBar

if TYPE_CHECKING:
    from .dialogs.train_dialog import TrainDialog
    from .main_window import MainWindow


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
        tr.failed.connect(bar.show_problem)
        tr.model_changed.connect(self._model_changed)
        bar.cancel_clicked.connect(tr.cancel)
        bar.use_clicked.connect(self._use_last)
        bar.details_clicked.connect(self.show_panel)
        window.session.decisions_changed.connect(tr.maybe_retrain)

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
        what = f"Model {result.version.name} trained on {docs['train']} documents ({docs['eval']} held out): {change}"
        if auto:
            verdict = "now suggesting with it" if result.better else "not used: the current model scores higher"
            self.bar.show_result(f"{what}; {verdict}.", offer_use=not result.better)
        else:
            self.bar.show_result(f"{what}. Use it for suggestions?", offer_use=True)
        if self.panel is not None:
            self.panel.refresh()

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
            self.panel = ModelPanel(self.window.project, self.window)
            self.panel.use_requested.connect(self.trainer.use)
        self.panel.refresh()
        self.panel.show()
        self.panel.raise_()
        return self.panel

    def cancel(self) -> None:
        self.trainer.cancel()
