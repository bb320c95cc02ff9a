"""Seeing what others changed: another window, the command line, a teammate, without a restart.

Every `POLL_MS` the watcher reads the newest event and document ids (`store.newest_change`: two primary-key
look-ups, on a worker thread). When they moved, it reads what moved: this annotator's documents with new events
(their statuses now), whether documents were added, and the version of the document on screen; then it updates
the list rows in place, reads the list again if documents were added (keeping the row on screen), refreshes the
counters, and reloads the document on screen if someone else changed it. The annotator's place is kept.

While a decision is being written the watcher waits (its own write moves the marks too, and the document on
screen must not be reloaded under it); a poll that overlapped a write is dropped and done again.

When the project opens and whenever documents were added, the watcher also starts one background task that
brings SQLite's search index up to date (`store.catch_up_search`, short write transactions; search finds the new
documents meanwhile too). It stops at the next batch when the window closes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThreadPool, QTimer, Signal

from models import store
from models.errors import TagdeskError
from models.project import Project

from . import messages
from .session import AnnotationSession
from .tasks import Task, run_task
from .widgets.document_list import DocumentList

POLL_MS = 1500


@dataclass
class Changes:
    """What moved since the last poll."""

    mark: store.ChangeMark
    statuses: dict[int, str] = field(default_factory=dict)  # this annotator's documents with new events
    added: bool = False  # documents were added, or an import was published: read the list again
    document_id: int | None = None  # the document on screen ...
    version: int = 0  # ... and its annotation version now


def read_changes(project: Project, since: store.ChangeMark | None, document_id: int | None) -> Changes | None:
    """None if nothing changed since the mark `since` (None: take the first mark)."""
    with project.session() as s:
        mark = store.newest_change(session=s)
        if since is None or mark == since:
            return Changes(mark) if since is None else None
        added = mark.document > since.document or store.project_events_since(since.event, session=s)
        changes = Changes(mark, added=added, document_id=document_id)
        changes.statuses = store.changed_documents(since.event, session=s, annotator=project.annotator)
        if document_id is not None:
            changes.version = store.annotation_version(document_id, session=s, annotator=project.annotator)
        return changes


class ChangeWatcher(QObject):
    seen = Signal(object)  # Changes, after they were shown

    def __init__(
        self,
        session: AnnotationSession,
        documents: DocumentList,
        counters: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session, self.documents, self.counters = session, documents, counters
        self.project = session.project
        self.mark: store.ChangeMark | None = None
        self._polling: Task | None = None
        self._indexing: Task | None = None
        self._index_again = False
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # never behind a long filter read or the suggester on the shared pool
        self._writes = 0  # decisions finished so far: a poll that overlapped one is dropped
        session.writer.idle.connect(self._wrote)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        """Take the first mark now, when the window has just read its list and document: a change made before the
        first background poll came back (an import right after opening) would otherwise be taken as the starting
        point and never shown. Two primary-key look-ups; if they fail, the first poll takes the mark instead."""
        with contextlib.suppress(TagdeskError), self.project.session() as s:
            self.mark = store.newest_change(session=s)
        self.timer.start()
        self.catch_up_search()

    def stop(self) -> None:
        self.timer.stop()
        if self._indexing is not None:
            self._indexing.cancel()

    def catch_up_search(self) -> None:
        """Index the documents the search index has not caught up with, in the background (one task at a time;
        asked again while it runs, it runs once more after)."""
        if self._indexing is not None:
            self._index_again = True
            return
        project = self.project

        def work(_report: object, should_stop: Callable[[], bool]) -> int:
            with project.writing() as s:
                return store.catch_up_search(s, should_stop=should_stop)

        task = run_task(work, name="search index")
        self._indexing = task
        task.finished.connect(self._indexed)
        task.failed.connect(self._indexed)  # a read-only or busy database: search still finds everything
        task.cancelled.connect(self._indexed)

    def _indexed(self, *_args: object) -> None:
        self._indexing = None
        if self._index_again and self.timer.isActive():
            self._index_again = False
            self.catch_up_search()

    def _wrote(self) -> None:
        self._writes += 1

    def poll(self) -> None:
        """Read what changed since the last mark (in the background) and show it."""
        if self._polling is not None or self.session.writer.busy:
            return
        project, since, doc, writes = self.project, self.mark, self.session.document_id, self._writes
        task = run_task(lambda _r, _s: read_changes(project, since, doc), name="watch", pool=self._pool)
        self._polling = task
        task.finished.connect(lambda changes: self._read(changes, doc, writes))
        task.failed.connect(self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._polling = None  # a failing read (a disk error) is said by the next action that needs the database

    def _read(self, changes: Changes | None, doc: int | None, writes: int) -> None:
        self._polling = None
        if changes is None:
            return
        if self.session.writer.busy or writes != self._writes or doc != self.session.document_id:
            return  # overlapped a decision of this window, or another document came on screen: poll again
        first = self.mark is None
        self.mark = changes.mark
        if not first:
            self.show(changes)

    def show(self, changes: Changes) -> None:
        for changed, status in changes.statuses.items():
            self.documents.set_status(changed, status)
        if changes.added:
            self.documents.refresh()
            self.catch_up_search()
        self.counters()
        doc = changes.document_id
        if doc is not None and doc in changes.statuses and not self.session.is_current(doc, changes.version):
            self.session.reload_document()
            self.session.message.emit(messages.others_changed(doc))
        self.seen.emit(changes)

    def reload(self) -> None:
        """View → Reload: read the list, the counters and the document on screen again (in its turn, after what is
        being saved)."""
        self.session.writer.later(self._reload)

    def _reload(self) -> None:
        self.documents.refresh()
        self.counters()
        self.session.reload_document()
        self.session.message.emit(messages.RELOADED)
