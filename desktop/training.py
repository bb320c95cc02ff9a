"""Training from the window: `models.train.train_in_process` run through the one task helper (the training
itself runs in a child process, so the window never freezes and Cancel is certain), its steps turned into
signals, the result offered for use, and automatic retraining every N accepted documents when the project asks
for it (the new model is used only when its F on the evaluation set is not worse than the current one's)."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from models.errors import TagdeskError
from models.project import Project
from models.store.training import accepted_count
from models.train import ModelVersion, Step, TrainOptions, TrainResult, list_versions, train_in_process, use_version

from .tasks import Task, run_task


class Trainer(QObject):
    progress = Signal(str, int, int)  # text, step, total (0: busy)
    finished = Signal(object, bool)  # TrainResult, started automatically
    failed = Signal(str)
    model_changed = Signal(object)  # ModelVersion now suggesting

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.task: Task | None = None
        self.auto = False
        self.options = TrainOptions(max_minutes=30)

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done

    def start(self, *, auto: bool = False, options: TrainOptions | None = None) -> bool:
        """Train in the background; False if a training is already running."""
        if self.running:
            return False
        self.auto = auto
        project, opts = self.project, options or self.options
        self.progress.emit("Preparing training…", 0, 0)
        task = run_task(
            lambda report, stop: train_in_process(project, opts, on_progress=report, should_stop=stop), name="train"
        )
        task.progress.connect(self._on_progress)
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        task.cancelled.connect(lambda: self.failed.emit("Training cancelled; the current model is unchanged"))
        self.task = task
        return True

    def cancel(self) -> None:
        if self.running and self.task is not None:
            self.task.cancel()
            self.progress.emit("Stopping the training…", 0, 0)

    def _on_progress(self, args: tuple[Step, ...]) -> None:
        step: Step = args[0]
        if not step.total:
            names = {"reading": "Reading the annotations…", "rehearsal": "Reading what the model knew…"}
            self.progress.emit(names.get(step.phase, "Scoring…"), 0, 0)
            return
        score = f" · F {step.score:.2f}" if step.score is not None else ""
        self.progress.emit(
            f"Training {step.phase}: step {step.step:,}/{step.total:,} · loss {step.loss:.1f}{score}",
            step.step,
            step.total,
        )

    def _done(self, result: TrainResult) -> None:
        if self.auto and result.better:
            self.use(result.version)
        self.finished.emit(result, self.auto)

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, TagdeskError):
            raise exc
        self.failed.emit(str(exc))

    def use(self, version: ModelVersion) -> None:
        """Make `version` the project's suggester (undecided documents get its suggestions in the background)."""
        use_version(self.project, version)
        self.model_changed.emit(version)

    def maybe_retrain(self) -> bool:
        """After a decision: start an automatic training when `model.retrain_every` more documents were accepted
        since the newest trained model. True if one started."""
        every = self.project.config.model.retrain_every
        if not every or self.running:
            return False
        versions = list_versions(self.project)
        trained_on = 0
        if versions:
            docs = versions[-1].meta.get("documents", {})
            trained_on = int(docs.get("train", 0)) + int(docs.get("eval", 0))
        with self.project.session() as s:
            accepted = accepted_count(session=s)
        if accepted - trained_on < every:
            return False
        return self.start(auto=True, options=replace(self.options, curve=False))
