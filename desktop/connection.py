"""The database server going away and coming back, as the window sees it.

`ConnectionWatch` listens to every database error of the project's engine (SQLAlchemy's `handle_error` event,
whatever thread it happens on: an edit, a read, a background task). When the server cannot be reached (the
store's `ServerUnavailableError`: stopped, restarting, network down) it says so once (`lost`) and then asks the
server every `interval_ms` whether it is back, on the thread pool (a cut network can take the connect timeout to
answer; the window never waits for it). When the server answers, `back` is emitted: the pool replaces its dead
connections by itself (pre-ping), so the next edit simply works. The edit that failed was rolled back by the
server (nothing half-written stays); the window tells the annotator it was NOT saved.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from sqlalchemy import event

from models.db.engine import as_user_error, ping
from models.errors import ServerUnavailableError
from models.project import Project

from .tasks import run_task

PROBE_MS = 2000


class ConnectionWatch(QObject):
    lost = Signal(str)  # what happened and what the window does about it
    back = Signal()
    _failed = Signal(str)  # from any thread; relayed on the GUI thread

    def __init__(self, project: Project, parent: QObject | None = None, *, interval_ms: int = PROBE_MS) -> None:
        super().__init__(parent)
        self.project = project
        self.offline = False
        self._probing = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._probe)
        self._failed.connect(self._went_away, Qt.ConnectionType.QueuedConnection)
        event.listen(project.engine, "handle_error", self._on_error)
        self.destroyed.connect(lambda *_: self._forget(project))

    def _forget(self, project: Project) -> None:
        if event.contains(project.engine, "handle_error", self._on_error):
            event.remove(project.engine, "handle_error", self._on_error)

    def _on_error(self, context: Any) -> None:
        error = as_user_error(context.original_exception, self.project.engine)
        if context.is_disconnect or isinstance(error, ServerUnavailableError):
            self._failed.emit(str(error))

    def _went_away(self, text: str) -> None:
        if self.offline:
            return
        self.offline = True
        self.lost.emit(text)
        self._timer.start()

    def _probe(self) -> None:
        if self._probing:
            return
        self._probing = True
        engine = self.project.engine
        task = run_task(lambda _report, _stop: ping(engine), name="ping the database")
        task.finished.connect(self._probed)
        task.failed.connect(lambda _exc: self._probed(False))

    def _probed(self, answered: bool) -> None:
        self._probing = False
        if answered and self.offline:
            self.offline = False
            self._timer.stop()
            self.back.emit()
