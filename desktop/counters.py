"""The status bar's counters: decisions made today, the project's progress for this annotator, and the place of
the document on screen in the list. They are read on a thread of their own (three queries: 10-30 ms on a large
project, which a decision or a move to the next document must not wait for on the GUI thread) and shown when
they arrive. Refreshes asked for while a read is under way are folded into one more read after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal

from models import store
from models.errors import TagdeskError

from .errors import READ_FAILED
from .tasks import Task, run_task

if TYPE_CHECKING:
    from .session import AnnotationSession
    from .widgets.status_bar import StatusBar


@dataclass(frozen=True)
class Reading:
    today: int
    done: int
    total: int
    pace: float | None  # seconds per decided document
    document_id: int | None  # the document the place was read for
    place: int | None
    documents: int


class Counters(QObject):
    shown = Signal()  # a reading is on the status bar and no other is due

    def __init__(self, session: AnnotationSession, status: StatusBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session, self.status = session, status
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # not the global pool: suggestions may hold its threads for minutes
        self._task: Task | None = None
        self._again = False

    @property
    def busy(self) -> bool:
        """A read is under way or due."""
        return self._task is not None

    def refresh(self) -> None:
        """Read the counters again (now, or once the read under way is over) and show them."""
        if self._task is not None:
            self._again = True
            return
        session = self.session
        state = session.state
        doc = state.document_id if state else None
        task = run_task(lambda _r, _s: self._read(session, doc), name="counters", pool=self._pool)
        task.finished.connect(self._show)
        task.failed.connect(self._failed)
        task.cancelled.connect(self._over)
        self._task = task

    @staticmethod
    def _read(session: AnnotationSession, doc: int | None) -> Reading:
        """(On the counters' thread.) Each query in its own read session, as on any thread."""
        today = session.done_today()
        done, total, pace = session.progress()
        place, documents = None, 0
        if doc is not None:
            with session.project.session() as s:
                place, documents = store.document_index(doc, session=s)
        return Reading(today, done, total, pace, doc, place, documents)

    def _show(self, r: Reading) -> None:
        status = self.status
        status.set_counters(r.today, self.session.docs_per_hour())
        status.set_progress(r.done, r.total, r.pace)
        state = self.session.state
        if state is not None and state.document_id == r.document_id:  # else a newer read is due for the new one
            status.set_position(r.place, r.documents, state.status)
        self._over()

    def _failed(self, exc: BaseException) -> None:
        self._over()
        if not isinstance(exc, TagdeskError):
            raise exc  # a bug: the application's hook shows it
        self.status.notice(f"{READ_FAILED}: {exc}")

    def _over(self) -> None:
        self._task = None
        if self._again:
            self._again = False
            self.refresh()
        else:
            self.shown.emit()
