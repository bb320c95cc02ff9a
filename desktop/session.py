"""The annotation session: the document on screen, the selected item, the undo stack, and the decisions.

Widgets call its methods (from actions and mouse signals) and listen to its signals; they never reach into each
other. Every edit is a command on `undo` (desktop/undo.py) whose redo/undo call a `models.store` function (one
committed transaction with its event row) and then tell this session what changed, which re-emits `changed`
with a `Delta` so the views repaint only that.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from models import store
from models.db.tables import Origin, Status
from models.errors import OverlapError, StaleAnnotationError, TagdeskError
from models.project import Project

from . import undo
from .document_state import Delta, DocumentState, Item
from .errors import read_errors
from .snapping import Snapper

MAX_SECONDS_PER_DOC = 600.0


class AnnotationSession(QObject):
    document_opened = Signal(object)  # DocumentState (or None: no document)
    changed = Signal(object)  # Delta for the document on screen
    selection_changed = Signal(object)  # key of the selected item, or None
    status_changed = Signal(int, str)  # document id, new status
    active_label_changed = Signal(str)
    message = Signal(str)  # short notice for the status bar
    decisions_changed = Signal()  # a decision was made or undone (counters)
    want_next = Signal()  # move on after a decision (the document list picks the next one)
    want_document = Signal(int)  # show this document (undo/redo/back on another document)
    note_changed = Signal(object)  # the DocumentNote of the document on screen, after it was saved
    labels_changed = Signal()  # a label was renamed, added, ... from this window (the window shows them)

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.annotator = project.annotator
        self.labels = project.config.label_names
        self.active_label: str | None = self.labels[0] if self.labels else None
        self._anchor: int | None = None  # where the last removed entity was: Tab goes on from there
        self.undo = QUndoStack(self)
        self.snapper = Snapper()
        self.model_key: str | None = None
        self.state: DocumentState | None = None
        self.selected: tuple | None = None
        self.opened_at = time.monotonic()
        self.started_at = time.monotonic()
        self.decided_this_session: set[int] = set()
        # document id -> the annotation version this window last read or wrote (stale-edit detection)
        self.versions: dict[int, int] = {}

    # ------------------------------------------------------------------ documents
    @property
    def document_id(self) -> int | None:
        return self.state.document_id if self.state else None

    def open_document(self, document_id: int | None) -> None:
        if document_id is None:
            self.state = None
            self._select(None)
            self.document_opened.emit(None)
            return
        if self.state is not None and self.state.document_id == document_id:
            return
        with read_errors(self.message.emit) as read:
            state = self._read_state(document_id)
        if read.failed:
            return
        self.state = state
        self.selected = None
        self.opened_at = time.monotonic()
        self.document_opened.emit(self.state)
        self.selection_changed.emit(None)

    def _read_state(self, document_id: int) -> DocumentState:
        with self.project.session() as s:
            doc = store.get_document(document_id, session=s)
            ann = store.get_annotation(document_id, session=s, annotator=self.annotator)
            spans = [
                Item(st, en, lab, origin, score)
                for _id, st, en, lab, origin, score in store.span_tuples(
                    document_id, session=s, annotator=self.annotator
                )
            ]
            sugg = store.suggestions_for(document_id, self.model_key, session=s) if self.model_key else None
            dismissed = store.dismissals_of(document_id, session=s, annotator=self.annotator)
            note = store.note_of(document_id, session=s, annotator=self.annotator)
        self.versions[document_id] = ann.version if ann else 0
        state = DocumentState(
            document_id, doc.text, ann.status if ann else Status.pending.value, spans, sugg, dismissed
        )
        state.note = note
        return state

    def reload_document(self) -> None:
        """Read the document on screen again from the database (another window changed it)."""
        if self.state is None:
            return
        self.state = self._read_state(self.state.document_id)
        self._select(None)
        self.document_opened.emit(self.state)

    def reload_suggestions(self, *, only_if_missing: bool = True) -> bool:
        """Read the cached suggestions of the document on screen (they may have just arrived). True if shown."""
        if self.state is None or not self.model_key:
            return False
        if only_if_missing and self.state.suggestions is not None:
            return False
        sugg = None
        with read_errors(self.message.emit), self.project.session() as s:
            sugg = store.suggestions_for(self.state.document_id, self.model_key, session=s)
        if sugg is None:
            return False
        self._emit(self.state.set_suggestions(sugg))
        return True

    def set_model_key(self, key: str | None) -> None:
        self.model_key = key
        if self.state is not None:
            self.reload_suggestions(only_if_missing=False)

    # ------------------------------------------------------------------ selection and labels
    def _select(self, key: tuple | None) -> None:
        if key is not None:
            self._anchor = None
        if key != self.selected:
            self.selected = key
            self.selection_changed.emit(key)

    def select(self, key: tuple | None) -> None:
        if key is not None and (self.state is None or self.state.find(key) is None):
            key = None
        self._select(key)

    def selected_item(self) -> Item | None:
        return self.state.find(self.selected) if (self.state and self.selected) else None

    def step_selection(self, step: int) -> None:
        """Tab / Shift+Tab: the next or previous highlighted item in reading order."""
        if self.state is None:
            return
        state, current = self.state, self.selected_item()
        end = len(state.text) + 1
        anchor = self._anchor if current is None else None  # after Delete: go on from where it was
        if step > 0:
            at = current.end if current else (anchor or 0)
            item = state.next_after(at) or state.next_after(0)
        else:
            at = current.start if current else (anchor if anchor is not None else end)
            item = state.previous_before(at) or state.previous_before(end)
        if item is None:
            self.message.emit("No entities in this document yet: drag over words to add one")
            return
        self._select(item.key)

    def label_key(self, index: int) -> None:
        """A label's key (or its chip): with an entity selected, relabel that entity (a suggestion becomes a span)
        and leave the active label as it was; with nothing selected, make the label the active one."""
        if index >= len(self.labels):
            self.message.emit(f"No label on that key: this project has {len(self.labels)} labels")
            return
        label = self.labels[index]
        item = self.selected_item()
        if item is None:
            self.active_label = label
            self.active_label_changed.emit(label)
            return
        if item.label == label and not item.pending:
            return
        if item.pending:
            self._push(undo.AcceptSuggestion(self, self.document_id, item, label=label))
        else:
            self._push(undo.RelabelSpan(self, self.document_id, item, label=label))

    # ------------------------------------------------------------------ span edits
    def draw_span(self, start: int, end: int, exact: bool = False) -> None:
        """A drag over the text: a new span with the active label, snapped to tokens unless `exact`."""
        if self.state is None:
            return
        if not exact:
            snapped = self.snapper.snap(self.state.text, start, end)
            if snapped is None:
                return
            start, end = snapped
        else:
            while start < end and self.state.text[start].isspace():
                start += 1
            while end > start and self.state.text[end - 1].isspace():
                end -= 1
            if start >= end:
                return
        self._add(start, end, self.active_label)

    def add_token_at(self, offset: int) -> None:
        """Double-click: a one-token span with the active label."""
        if self.state is None:
            return
        tok = self.snapper.token_at(self.state.text, offset)
        if tok is None:
            return
        existing = self.state.span_at(*tok)
        if existing is not None:
            self._select(existing.key)
            return
        self._add(tok[0], tok[1], self.active_label)

    def _add(self, start: int, end: int, label: str | None) -> None:
        if label is None:
            self.message.emit("This project has no labels yet: add one with Labels → Edit labels… (Ctrl+L)")
            return
        pending = [p for p in self.state.pending.values() if p.start == start and p.end == end and p.label == label]
        if pending:
            self._push(undo.AcceptSuggestion(self, self.document_id, pending[0]))
            return
        self._push(undo.AddSpan(self, self.document_id, Item(start, end, label, Origin.human.value)))

    def remove_selected(self) -> None:
        """Delete: remove the selected span, or reject the selected suggestion for good. Like Enter, it acts on the
        selection and does not move it: nothing is selected afterwards, and Tab goes on from there."""
        item = self.selected_item()
        if item is None:
            self.message.emit("Select an entity first (click it, or Tab to it)")
            return
        if item.pending:
            done = self._push(undo.DismissSuggestion(self, self.document_id, item))
        else:
            done = self._push(undo.RemoveSpan(self, self.document_id, item))
        if done:
            self._select(None)
            self._anchor = item.start

    def accept_selected(self) -> None:
        """Enter: accept the selected pending suggestion alone; it stays selected (now an entity), as Delete leaves
        the selection where it was. Tab moves on."""
        item = self.selected_item()
        if item is None or not item.pending:
            self.message.emit("Enter accepts a selected suggestion: Tab to one first")
            return
        self._push(undo.AcceptSuggestion(self, self.document_id, item))

    def resize_selected(self, side: str, grow: bool) -> None:
        item = self.selected_item()
        if item is None or self.state is None:
            return
        bounds = self.snapper.resize(self.state.text, item.start, item.end, side=side, grow=grow)
        if bounds is None:
            return
        if item.pending:
            self._push(undo.AcceptSuggestion(self, self.document_id, item, bounds=bounds))
        else:
            self._push(undo.ResizeSpan(self, self.document_id, item, bounds=bounds))

    def _neighbour(self, item: Item) -> tuple | None:
        nxt = self.state.next_after(item.end) or self.state.previous_before(item.start)
        return nxt.key if nxt else None

    # ------------------------------------------------------------------ decisions
    def decide(self, status: str) -> None:
        """a / x / space: accept (pending suggestions become spans), reject or ignore; then the next document."""
        if self.state is None:
            return
        seconds = min(time.monotonic() - self.opened_at, MAX_SECONDS_PER_DOC)
        add = list(self.state.pending.values()) if status == Status.accepted.value else []
        if self._push(undo.SetStatus(self, self.document_id, status, add=add, seconds=seconds)):
            self.want_next.emit()

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
        self._push(undo.SetStatus(self, doc, Status.pending.value, text="Reopen document"))

    # ------------------------------------------------------------------ called by undo commands
    def _push(self, command: undo.Command) -> bool:
        """Run a command (its first redo) and put it on the undo stack; a refused edit is only a message."""
        try:
            command.run()
        except OverlapError as exc:
            self.message.emit(f"Not added: {self._describe_overlap(exc)}")
            return False
        except StaleAnnotationError:
            self.reload_document()
            self.message.emit(
                "This document was changed in another window: it is shown as saved there now. "
                "Make your change again if it is still needed."
            )
            return False
        except TagdeskError as exc:
            self.message.emit(str(exc))
            return False
        self.undo.push(command)
        return True

    def _describe_overlap(self, exc: OverlapError) -> str:
        """The overlap in the entities' words ("Acme Corp" overlaps the ORG "Corp in Paris"), not offsets."""
        text = self.state.text if self.state else ""
        if getattr(exc, "other", None) is None or not text:
            return str(exc)

        def words(a: int, b: int) -> str:
            snippet = " ".join(text[a:b].split())
            return f"“{snippet if len(snippet) <= 40 else snippet[:39] + '…'}”"

        start, end = exc.span
        label, o_start, o_end = exc.other
        return (
            f"{words(start, end)} overlaps the {label} {words(o_start, o_end)}; entities cannot overlap: "
            "remove or shrink that one first"
        )

    def show_document(self, document_id: int) -> bool:
        """Bring a document on screen for an undo/redo; True if it was already there."""
        if self.document_id == document_id:
            return True
        self.want_document.emit(document_id)
        self.open_document(document_id)
        return False

    def span_added(self, document_id: int, item: Item) -> None:
        if self.show_document(document_id):
            self._emit(self.state.add_span(item))
        self._select(item.key)

    def span_removed(self, document_id: int, start: int, end: int) -> None:
        if self.show_document(document_id):
            self._emit(self.state.remove_span(start, end))
        if self.selected == ("span", start, end):
            self._select(None)

    def span_changed(self, document_id: int, before: Item, after: Item) -> None:
        if self.show_document(document_id):
            delta = self.state.remove_span(before.start, before.end)
            delta.extend(self.state.add_span(after))
            self._emit(delta)
            if self.selected == after.key:  # relabelled in place: the views re-created its row, tell them again
                self.selected = None
        self._select(after.key)

    def suggestion_dismissed(self, document_id: int, item: Item, dismissed: bool) -> None:
        if self.show_document(document_id):
            if dismissed:
                self._emit(self.state.dismiss(item.start, item.end, item.label))
            else:
                self._emit(self.state.undismiss(item.start, item.end, item.label))
                self._select(item.key)

    def status_set(self, document_id: int, status: str, added: list[Item], removed: list[Item]) -> None:
        if self.show_document(document_id):
            delta = Delta()
            for item in removed:
                delta.extend(self.state.remove_span(item.start, item.end))
            for item in added:
                delta.extend(self.state.add_span(item))
            self.state.status = status
            self._emit(delta)
        if status == Status.pending.value:
            self.decided_this_session.discard(document_id)
        else:
            self.decided_this_session.add(document_id)
        self.status_changed.emit(document_id, status)
        self.decisions_changed.emit()

    def _emit(self, delta: Delta) -> None:
        if delta:
            self.changed.emit(delta)
        if self.selected and self.state and self.state.find(self.selected) is None:
            self._select(None)

    # ------------------------------------------------------------------ notes and labels
    def set_note(self, comment: str, flag: str | None) -> None:
        """Save the annotator's comment and flag on the document on screen."""
        if self.state is None:
            return
        doc = self.state.document_id
        try:
            with self.project.writing() as s:
                written = store.set_note(
                    doc, comment, flag, session=s, annotator=self.annotator, expected_version=self.versions.get(doc)
                )
            self.versions[doc] = written.version  # the version this window wrote (see undo.Command._wrote)
        except StaleAnnotationError:
            self.reload_document()
            self.message.emit("This document was changed in another window: its note is shown as saved there now")
            return
        except TagdeskError as exc:
            self.message.emit(f"Note not saved: {exc}")
            return
        self.state.note = store.DocumentNote(comment, flag)
        self.note_changed.emit(self.state.note)
        self.message.emit(f"Flagged “{flag}”" if flag else "Note saved")

    def labels_updated(self) -> None:
        """The project's labels changed: keys follow the new order, the active label its new name (or the first)."""
        old = self.labels
        self.labels = self.project.config.label_names
        if self.active_label not in self.labels:
            renamed = [n for n in self.labels if n not in old]
            self.active_label = renamed[0] if len(renamed) == 1 else (self.labels[0] if self.labels else None)
        if self.active_label:
            self.active_label_changed.emit(self.active_label)

    def progress(self) -> tuple[int, int, float | None]:
        """(documents decided, documents in the project, seconds per decided document) for this annotator."""
        with self.project.session() as s:
            return store.annotator_progress(session=s, annotator=self.annotator)

    # ------------------------------------------------------------------ counters
    def done_today(self) -> int:
        """Decisions made today (local midnight on); raises DatabaseError if the read fails."""
        midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        since = midnight.astimezone(UTC)
        with self.project.session() as s:
            return store.decided_since(since, session=s, annotator=self.annotator)

    def docs_per_hour(self) -> float | None:
        n = len(self.decided_this_session)
        if n == 0:
            return None
        hours = max(time.monotonic() - self.started_at, 60.0) / 3600
        return n / hours
