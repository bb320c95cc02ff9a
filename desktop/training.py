"""Training from the window: `models.train.train_in_process` run through the one task helper (the training
itself runs in a child process, so the window never freezes and Cancel is certain), its steps turned into
signals, the result offered for use, and automatic retraining every N accepted documents when the project asks
for it (`models.train.auto`: the new model is used only when its F on the evaluation set is not worse than the
current one's). Whether one is due is read on a worker thread after each decision, never on the window's."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from models.errors import TagdeskError
from models.project import Project
from models.train import (
    ModelVersion,
    RetrainCheck,
    Step,
    TrainOptions,
    TrainResult,
    retrain_check,
    train_in_process,
    use_version,
)

from .tasks import Task, run_task


class Trainer(QObject):
    progress = Signal(str, int, int)  # text, step, total (0: busy)
    finished = Signal(object, bool)  # TrainResult, started automatically
    failed = Signal(str, bool)  # the message, started automatically
    model_changed = Signal(object)  # ModelVersion now suggesting
    checked = Signal(object)  # RetrainCheck: where automatic retraining stands (after a decision)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.task: Task | None = None
        self.auto = False
        self.options = TrainOptions(max_minutes=30)
        self.tried_at: int | None = None  # accepted documents when an automatic training last started
        self.checking: Task | None = None
        self.check_again = False

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done

    def start(self, *, auto: bool = False, options: TrainOptions | None = None, why: str = "") -> bool:
        """Train in the background; False if a training is already running. `why`: what the bar says first."""
        if self.running:
            return False
        self.auto = auto
        project, opts = self.project, options or self.options
        self.progress.emit(why or "Preparing training…", 0, 0)
        task = run_task(
            lambda report, stop: train_in_process(project, opts, on_progress=report, should_stop=stop), name="train"
        )
        task.progress.connect(self._on_progress)
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        task.cancelled.connect(lambda: self.failed.emit("Training cancelled; the current model is unchanged", auto))
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
        self.failed.emit(str(exc), self.auto)

    def use(self, version: ModelVersion) -> None:
        """Make `version` the project's suggester (undecided documents get its suggestions in the background)."""
        use_version(self.project, version)
        self.model_changed.emit(version)

    def maybe_retrain(self) -> None:
        """After a decision: when the project retrains automatically, read on a worker thread whether
        `model.retrain_every` more documents were accepted since the newest model (or the last automatic attempt),
        and start a training if so (`checked` tells where it stands either way)."""
        if not self.project.config.model.retrain_every or self.running:
            return
        if self.checking is not None:  # a decision while the count is read: read it again after
            self.check_again = True
            return
        project, tried_at = self.project, self.tried_at
        task = run_task(lambda _r, _s: retrain_check(project, tried_at=tried_at), name="retrain check")
        task.finished.connect(self._checked)
        task.failed.connect(lambda exc: self._check_failed(exc))
        self.checking = task

    def _checked(self, check: RetrainCheck) -> None:
        self.checking = None
        again, self.check_again = self.check_again, False
        if again and not check.due:
            self.maybe_retrain()
            return
        self.checked.emit(check)
        if not check.due or self.running:
            return
        self.tried_at = check.accepted  # a failed or cancelled attempt is not retried before N more accepts
        since = f"model {check.last.name}" if check.last else "the start"
        self.start(
            auto=True,
            options=replace(self.options, curve=False),
            why=f"Retraining automatically: {check.since} documents accepted since {since} "
            f"(every {check.every}); the new model is used only if it scores at least as well…",
        )

    def _check_failed(self, exc: BaseException) -> None:
        self.checking = None
        self.check_again = False
        if not isinstance(exc, TagdeskError):
            raise exc  # a read error is shown by the window's own reads; a bug is raised
