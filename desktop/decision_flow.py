"""Decisions on documents, undo and redo, and moving on: the part of the annotation session that writes.

Every write goes through the session's `Writer` (desktop/writer.py), the one asynchronous decision path: the
store call runs on the writer thread, the window shows it once it is committed, and only then moves on (the
undo stack, the next document). User actions arriving meanwhile wait their turn: `@queued` for keys (applied to
whatever is on screen by then: "a a a" accepts three documents), `@on_screen` for mouse gestures on the text
(dropped, with a message, if another document came on screen before their turn).

"Next document" is `models.queue.next_document`, read on the writer thread after the decision committed.
`a` on a document whose suggestions are still expected (the model is loading or running) waits for them: if none
come that the annotator has not seen, the accept goes through; if some do, they are shown and the annotator
decides again. It never stores an accepted document the annotator saw without its suggestions.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from models import queue, store
from models.db.tables import Status
from models.errors import OverlapError, StaleAnnotationError, TagdeskError

from . import messages
from . import undo as commands
from .errors import read_errors

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtGui import QUndoStack

    from models.project import Project
    from models.review import Proposal

    from .document_state import DocumentState, Item
    from .session import AnnotationSession
    from .writer import Writer

MAX_SECONDS_PER_DOC = 600.0


def shared_overlap(project: Project) -> int | None:
    """The overlap documents are shared out with, or None when work is not shared (one annotator, no team)."""
    overlap = project.config.overlap
    if overlap > 1:
        return overlap
    with project.session() as s:
        return overlap if store.members(session=s) else None


def queued(method: Callable[..., None]) -> Callable[..., None]:
    """A user action: run now, or after what is being saved, in the order the actions came."""

    @functools.wraps(method)
    def act(self: AnnotationSession, *args: Any) -> None:
        self.writer.later(lambda: method(self, *args))

    return act


def on_screen(method: Callable[..., None]) -> Callable[..., None]:
    """A mouse gesture on the document on screen: queued like a key, but only applied to that document."""

    @functools.wraps(method)
    def act(self: AnnotationSession, *args: Any) -> None:
        doc = self.document_id

        def go() -> None:
            if self.document_id != doc:
                self.message.emit(messages.GESTURE_DROPPED)
                return
            method(self, *args)

        self.writer.later(go)

    return act


class DecisionFlow:
    """Mixed into `AnnotationSession`, which has the signals, the state and the writer (declared here for the
    type checker only)."""

    if TYPE_CHECKING:
        project: Project
        annotator: str
        state: DocumentState | None
        filters: store.ListFilters
        model_key: str | None
        writer: Writer
        undo: QUndoStack
        opened_at: float
        awaiting: tuple[int, float] | None
        review: bool
        proposal: Proposal | None
        accepted: Callable[[Item], Item]
        expects_suggestions: Callable[[int], bool]
        message: SignalInstance
        want_document: SignalInstance

        @property
        def document_id(self) -> int | None: ...

        def open_document(self, document_id: int | None) -> None: ...

        def reload_document(self) -> None: ...

        def show_busy(self) -> None: ...

        def _describe_overlap(self, exc: OverlapError) -> str: ...

    # ------------------------------------------------------------------ decisions
    def set_filters(self, filters: store.ListFilters) -> None:
        """The document list now shows these filters' results, in their order: "next" is the next one still to do
        there (project order: the next below; most uncertain first: the most uncertain one)."""
        self.filters = filters

    def set_order(self, order: str) -> None:
        """The list is being sorted in this order ("position" or "uncertain"): a / x / Space take it at once,
        before the list shows it."""
        self.filters = self.filters.sorted_by(order, self.model_key if order == "uncertain" else None)

    @queued
    def decide(self, status: str) -> None:
        """a / x / space: accept (pending suggestions become spans), reject or ignore; then the next document."""
        if self.state is None:
            return
        doc = self.state.document_id
        seconds = min(time.monotonic() - self.opened_at, MAX_SECONDS_PER_DOC)
        if status == Status.accepted.value and self.state.suggestions is None and self.expects_suggestions(doc):
            self.awaiting = (doc, seconds)
            self.writer.hold()  # what the annotator does next waits for the accept
            self.show_busy()
            self.message.emit(messages.WAITING_FOR_SUGGESTIONS)
            return
        self._decide(doc, status, seconds)

    def _decide(self, doc: int, status: str, seconds: float) -> None:
        add = list(self.state.pending.values()) if status == Status.accepted.value and self.state else []
        if self.review:  # the agreed spans go into the gold; a difference only if the reviewer picked it
            agreed = {c.span for c in self.proposal.agreed} if self.proposal else set()
            add = [self.accepted(i) for i in add if (i.start, i.end, i.label) in agreed]
        self._push(
            commands.SetStatus(cast("AnnotationSession", self), doc, status, add=add, seconds=seconds),
            then=lambda: self.move_on(doc),
        )

    def suggestions_shown(self) -> None:
        """Suggestions came on screen: an accept waiting for this document's goes through if nothing new is
        shown (the model found nothing the annotator has not seen), else the annotator looks and decides again."""
        if self.awaiting is None or self.state is None or self.awaiting[0] != self.state.document_id:
            return
        doc, seconds = self.awaiting
        self.awaiting = None
        self.show_busy()
        if self.state.pending:
            dropped = self.writer.drop_queue()
            self.message.emit(messages.suggestions_arrived(len(self.state.pending), dropped))
        else:
            self._decide(doc, Status.accepted.value, seconds)
        self.writer.release()

    def suggestions_settled(self) -> None:
        """No more suggestions are coming (the model failed, was cancelled, or is done): an accept waiting for
        them goes through as the annotator saw the document."""
        if self.awaiting is None:
            return
        doc, seconds = self.awaiting
        self.awaiting = None
        self.show_busy()
        if self.state is not None and self.state.document_id == doc:
            self._decide(doc, Status.accepted.value, seconds)
        self.writer.release()

    def stop_waiting(self) -> bool:
        """Escape while an accept waits for suggestions: forget it (and what was typed after it)."""
        if self.awaiting is None:
            return False
        self.awaiting = None
        self.show_busy()
        self.writer.drop_queue()
        self.message.emit(messages.STOPPED_WAITING)
        self.writer.release()
        return True

    def move_on(self, after: int | None) -> None:
        """Show the next document still to do in the list after the document `after` (the queue's choice)."""
        project, annotator, filters = self.project, self.annotator, self.filters
        order = "review" if self.review else filters.order
        key = self.model_key  # the newest: the list is read again under it when it changes
        shared = False

        def work() -> queue.NextDocument | None:
            nonlocal shared
            overlap = None if self.review else shared_overlap(project)
            shared = overlap is not None
            if overlap is not None:  # shared work: the next document is claimed for this annotator (a write)
                with project.writing() as s:
                    return queue.next_document(
                        session=s,
                        annotator=annotator,
                        after=after,
                        filters=filters,
                        order=order,
                        model_key=key,
                        overlap=overlap,
                    )
            with project.session() as s:
                return queue.next_document(
                    session=s, annotator=annotator, after=after, filters=filters, order=order, model_key=key
                )

        def done(step: queue.NextDocument | None) -> None:
            if step is None:
                if self.review:
                    self.message.emit(messages.NOTHING_TO_REVIEW)
                elif shared:
                    self.message.emit(messages.NOTHING_LEFT_SHARED)
                else:
                    self.message.emit(messages.nothing_left(filters))
                return
            self.want_document.emit(step.document_id)
            self.open_document(step.document_id)
            if step.wrapped:
                self.message.emit(messages.moved_on(step))

        self.writer.run(work, done, self._read_failed)

    @queued
    def back(self) -> None:
        """Backspace: go back to the previous decision and reopen it."""
        with read_errors(self.message.emit) as read, self.project.session() as s:
            doc = store.last_decision(session=s, annotator=self.annotator)
        if read.failed:
            return
        if doc is None:
            self.message.emit("No earlier decision to go back to")
            return
        self.want_document.emit(doc)
        self.open_document(doc)
        if self.document_id != doc:
            return  # it could not be read (the message says why)
        self._push(
            commands.SetStatus(cast("AnnotationSession", self), doc, Status.pending.value, text="Reopen document")
        )

    # ------------------------------------------------------------------ undo and redo
    @queued
    def undo_last(self) -> None:
        """Ctrl+Z: write the last command's backward step; once committed, the stack moves back."""
        index = self.undo.index()
        if index == 0:
            return
        command = cast(commands.Command, self.undo.command(index - 1))
        self._move_stack(command, command.backward(), self.undo.undo, "undo")

    @queued
    def redo_next(self) -> None:
        """Ctrl+Shift+Z: write the next command's forward step; once committed, the stack moves on."""
        index = self.undo.index()
        if index == self.undo.count():
            return
        command = cast(commands.Command, self.undo.command(index))
        self._move_stack(command, command.forward(), self.undo.redo, "redo")

    def _move_stack(self, command: commands.Command, step: commands.Step, move: Callable[[], None], what: str) -> None:
        def done(result: Any) -> None:
            step.show(result)
            move()

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, TagdeskError):
                raise exc
            if isinstance(exc, StaleAnnotationError) and self.document_id == command.document_id:
                self.reload_document()  # show what the other window saved
            self._dropped(f"Cannot {what} “{command.text().lower()}”: {exc}")
            command.setObsolete(True)  # the stack drops it as it moves
            move()

        self.writer.run(step.write, done, failed)

    # ------------------------------------------------------------------ running commands
    def run_command(self, command: commands.Command, then: Callable[[], None] | None = None) -> None:
        """Run a command made outside the session (a dialog's edit, e.g. renaming a label) like the session's
        own: in its turn after what is being saved, onto the undo stack once committed."""
        self.writer.later(lambda: self._push(command, then=then))

    def _push(self, command: commands.Command, then: Callable[[], None] | None = None) -> None:
        """Write a new command's first step; once it is committed, show it, put it on the undo stack, then
        `then()`. A refused edit is only a message (and the actions queued after it are dropped)."""
        step = command.forward()

        def done(result: Any) -> None:
            step.show(result)
            self.undo.push(command)  # its redo() does nothing: the step is written
            if then is not None:
                then()

        self.writer.run(step.write, done, self._refused)

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, OverlapError):
            self._dropped(f"Not added: {self._describe_overlap(exc)}")
        elif isinstance(exc, StaleAnnotationError):
            self.reload_document()
            self._dropped(messages.CHANGED_ELSEWHERE)
        elif isinstance(exc, TagdeskError):
            self._dropped(str(exc))
        else:
            raise exc

    def _read_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, TagdeskError):
            raise exc
        self._dropped(f"{messages.READ_FAILED}: {exc}")

    def _dropped(self, text: str) -> None:
        """Say why a write did not happen; what was typed after it is not applied either."""
        self.message.emit(messages.with_dropped(text, self.writer.drop_queue()))
