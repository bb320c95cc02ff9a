"""The annotation session: the document on screen, the selected item, the undo stack, and the edits.

Widgets call its methods (from actions and mouse signals) and listen to its signals; they never reach into each
other. Every edit is a command (desktop/undo.py) whose store call runs on the writer thread
(desktop/writer.py); once it is committed the command tells this session what changed, which re-emits `changed`
with a `Delta` so the views repaint only that. The decisions on documents, undo/redo and moving on are in
`desktop/decision_flow.py`. The user's actions are marked `@queued` (a key) or `@on_screen` (a mouse gesture on
the text): while a decision is being saved they wait their turn.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from models import store, tokens
from models.collector import collector_paused
from models.db.tables import Origin, Status
from models.errors import OverlapError, StaleAnnotationError, TagdeskError
from models.project import Project
from models.review import Choice, Proposal, proposal_for
from models.store.claims import CLAIM_MINUTES, renew
from models.store.reviews import Review, reviews
from models.team import GOLD

from . import messages, undo
from .decision_flow import DecisionFlow, on_screen, queued, shared_overlap
from .document_state import Delta, DocumentState, Item, ItemKey, stored_items
from .errors import read_errors
from .snapping import DocumentTokens, Snapper
from .writer import Writer


class AnnotationSession(DecisionFlow, QObject):
    document_opened = Signal(object)  # DocumentState (or None: no document)
    changed = Signal(object)  # Delta for the document on screen
    selection_changed = Signal(object)  # key of the selected item, or None
    status_changed = Signal(int, str)  # document id, new status
    active_label_changed = Signal(str)
    message = Signal(str)  # short notice for the status bar
    decisions_changed = Signal()  # a decision was made or undone (counters)
    model_key_changed = Signal(object)  # the suggestions shown are now those of this model key (str or None)
    want_document = Signal(int)  # show this document (the next one, or undo/redo/back on another document)
    busy = Signal(object)  # what the window is waiting for ("Saving…", "Waiting for suggestions…"), or None
    note_changed = Signal(object)  # the DocumentNote of the document on screen, after it was saved
    labels_changed = Signal()  # a label was renamed, added, ... from this window (the window shows them)

    def __init__(self, project: Project, parent: QObject | None = None, *, review: bool = False) -> None:
        super().__init__(parent)
        self.project = project
        # Review mode: the edits go to the document's gold annotation, and the "suggestions" on screen are the
        # annotators' spans (who chose each is its origin) instead of the model's.
        self.review = review
        self.proposal: Proposal | None = None
        self.reviewed: Review | None = None  # review mode: who settled the gold on screen, who edited it
        self.annotator = GOLD if review else project.annotator
        self.labels = project.config.label_names
        self.active_label: str | None = self.labels[0] if self.labels else None
        self._anchor: int | None = None  # where the last removed entity was: Tab goes on from there
        self.undo = QUndoStack(self)
        self.snapper = Snapper()
        self.model_key: str | None = None
        self.threshold = 0.0  # suggestions the model is less sure of than this are hidden (View menu)
        self.state: DocumentState | None = None
        self._held: tuple[DocumentState, Delta] | None = None  # a large change not shown yet (`_hold`)
        self.selected: ItemKey | None = None
        self.opened_at = time.monotonic()
        self.started_at = time.monotonic()
        self.decided_this_session: set[int] = set()
        # document id -> the annotation version this window last read or wrote (stale-edit detection)
        self.versions: dict[int, int] = {}
        # what the document list shows, in its order: "next" is the next one still to do there
        self.filters = store.NO_FILTERS
        self.writer = Writer(self)
        self.writer.saving.connect(lambda _on: self.show_busy())
        self.expects_suggestions = lambda _document_id: False  # the background work tells (main window wiring)
        self.awaiting: tuple[int, float] | None = None  # (document, seconds): an accept waiting for suggestions
        # shared work: the claim on the document on screen is renewed while it is open (a claim lasts 30 min)
        self._claims = QTimer(self)
        self._claims.setInterval(int(CLAIM_MINUTES * 60_000 / 3))
        self._claims.timeout.connect(self.renew_claim)
        if not review:
            self._claims.start()

    def renew_claim(self) -> None:
        """Keep this annotator's claim on the document on screen (shared work), on the writer thread."""
        doc, project, who = self.document_id, self.project, self.annotator
        if doc is None:
            return

        def work() -> None:
            if shared_overlap(project) is not None:
                with project.writing() as s:
                    renew(doc, session=s, annotator=who)

        self.writer.run(work, lambda _r: None, lambda _exc: None)  # a failed renewal is retried next time

    # ------------------------------------------------------------------ documents
    @property
    def document_id(self) -> int | None:
        return self.state.document_id if self.state else None

    def show_busy(self) -> None:
        """Say what the window is waiting for (the status bar shows it until it is over)."""
        if self.awaiting is not None:
            self.busy.emit(messages.WAITING_SHORT)
        else:
            self.busy.emit(messages.SAVING if self.writer.is_saving else None)

    @queued
    def choose_document(self, document_id: int) -> None:
        """The annotator chose a document in the list (in its turn: after what is being saved)."""
        if document_id != self.document_id:
            self.want_document.emit(document_id)  # the list may have moved on meanwhile
        self.open_document(document_id)

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
        # Reading a 1 MB article makes ~60,000 objects (rows, the suggestions' dicts, Items): plain tuples and
        # dicts in no reference cycle. The cyclic collector, run every 700 new objects, took 7-20 ms of the ~100
        # of an opening in the window; it runs once afterwards instead, on its next allocation.
        with collector_paused():
            return self._read_state_now(document_id)

    def _read_state_now(self, document_id: int) -> DocumentState:
        with self.project.session() as s:
            doc = store.get_document(document_id, session=s)
            ann = store.get_annotation(document_id, session=s, annotator=self.annotator)
            spans = stored_items(store.span_tuples(document_id, session=s, annotator=self.annotator))
            sugg: list[dict[str, Any]] | None
            if self.review:
                self.proposal = proposal_for(document_id, session=s)
                self.reviewed = reviews(session=s, document_ids=[document_id], editors=True).get(document_id)
                sugg = self._choices(self.proposal)
            else:
                sugg = self._visible(
                    store.suggestions_for(document_id, self.model_key, session=s) if self.model_key else None
                )
            dismissed = store.dismissals_of(document_id, session=s, annotator=self.annotator)
            note = store.note_of(document_id, session=s, annotator=self.annotator)
            own = store.document_tokens(document_id, session=s)
        # a document imported with its own tokens snaps to them, not to the tokenizer's
        self.snapper.own = DocumentTokens(doc.text, tokens.bounds(own, len(doc.text))) if own is not None else None
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

    def _visible(self, suggestions: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        """The suggestions shown under the confidence threshold (patterns and unscored ones always are)."""
        if suggestions is None or self.threshold <= 0:
            return suggestions
        return [s for s in suggestions if not isinstance(s.get("score"), (int, float)) or s["score"] >= self.threshold]

    @staticmethod
    def _choices(proposal: Proposal | None) -> list[dict[str, Any]]:
        """The annotators' spans as the review's suggestions, each with who chose it as its origin."""
        if proposal is None:
            return []
        return [
            {"start": c.start, "end": c.end, "label": c.label, "origin": ", ".join(c.annotators), "score": None}
            for c in (*proposal.agreed, *proposal.disputed)
        ]

    def is_current(self, document_id: int, version: int) -> bool:
        """Whether the document on screen is `document_id` shown at annotation `version` (others' changes)."""
        return self.document_id == document_id and self.versions.get(document_id) == version

    def reload_suggestions(self, *, only_if_missing: bool = True) -> bool:
        """Read the cached suggestions of the document on screen (they may have just arrived, or their scores may
        have). True if what is shown changed."""
        if self.state is None or not self.model_key or self.review:
            return False
        shown = self.state.suggestions
        if only_if_missing and shown is not None and all(i.score is not None or i.origin != "model" for i in shown):
            return False
        sugg = None
        with read_errors(self.message.emit), self.project.session() as s:
            sugg = self._visible(store.suggestions_for(self.state.document_id, self.model_key, session=s))
        if sugg is None:
            return False
        if shown is not None and [(i.start, i.end, i.label, i.score) for i in shown] == [
            (int(d["start"]), int(d["end"]), str(d["label"]), d.get("score")) for d in sugg
        ]:
            return False
        selected = self.selected
        self._emit(self.state.set_suggestions(sugg))
        if selected is not None and self.state.find(selected) is not None:
            self.selection_changed.emit(selected)
        self.suggestions_shown()
        return True

    def set_threshold(self, threshold: float) -> None:
        """Hide suggestions whose probability is below `threshold` (0: show all)."""
        self.threshold = threshold
        if self.state is not None:
            self.reload_suggestions(only_if_missing=False)

    def select_least_confident(self) -> None:
        """Select the pending suggestion the model is least sure of (the text view scrolls to it)."""
        if self.state is None:
            return
        scored = [i for i in self.state.pending.values() if isinstance(i.score, (int, float))]
        if not scored:
            self.message.emit("No suggestion here has a confidence score (patterns and unscored models have none)")
            return
        item = min(scored, key=lambda i: (i.score, i.start))
        self._select(item.key)
        self.message.emit(f"Least confident: {item.label} {self.state.text[item.start : item.end]!r}, {item.score:.2f}")

    def set_model_key(self, key: str | None) -> None:
        """The suggestions to show are those cached under `key` (the suggester that writes them says which)."""
        if key == self.model_key:
            return
        self.model_key = key
        self.model_key_changed.emit(key)
        if self.state is not None and not self.review:
            self._emit(self.state.set_suggestions(None))  # another model's suggestions are not this one's
            self.reload_suggestions()

    # ------------------------------------------------------------------ selection and labels
    def _select(self, key: ItemKey | None) -> None:
        if key is not None:
            self._anchor = None
        if key != self.selected:
            self.selected = key
            self.selection_changed.emit(key)

    @on_screen
    def select(self, key: ItemKey | None) -> None:
        if key is not None and (self.state is None or self.state.find(key) is None):
            key = None
        self._select(key)

    def selected_item(self) -> Item | None:
        selection = self._selection()
        return selection[1] if selection else None

    def _selection(self) -> tuple[DocumentState, Item] | None:
        """The document on screen and its selected item, or None when nothing is selected."""
        item = self.state.find(self.selected) if (self.state and self.selected) else None
        return (self.state, item) if self.state and item else None

    @queued
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

    @queued
    def label_key(self, index: int) -> None:
        """A label's key (or its chip): with an entity selected, relabel that entity (a suggestion becomes a span)
        and leave the active label as it was; with nothing selected, make the label the active one."""
        if index >= len(self.labels):
            self.message.emit(f"No label on that key: this project has {len(self.labels)} labels")
            return
        label = self.labels[index]
        selection = self._selection()
        if selection is None:
            self.active_label = label
            self.active_label_changed.emit(label)
            return
        state, item = selection
        if item.label == label and not item.pending:
            return
        if item.pending:
            self._push(undo.AcceptSuggestion(self, state.document_id, item, label=label))
        else:
            self._push(undo.RelabelSpan(self, state.document_id, item, label=label))

    # ------------------------------------------------------------------ span edits
    @on_screen
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
        self._add(self.state, start, end, self.active_label)

    @on_screen
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
        self._add(self.state, tok[0], tok[1], self.active_label)

    def _add(self, state: DocumentState, start: int, end: int, label: str | None) -> None:
        if label is None:
            self.message.emit("This project has no labels yet: add one with Labels → Edit labels… (Ctrl+L)")
            return
        pending = [p for p in state.pending.values() if p.start == start and p.end == end and p.label == label]
        if pending:
            self._push(undo.AcceptSuggestion(self, state.document_id, pending[0]))
            return
        self._push(undo.AddSpan(self, state.document_id, Item(start, end, label, Origin.human.value)))

    @queued
    def remove_selected(self) -> None:
        """Delete: remove the selected span, or reject the selected suggestion for good. Like Enter, it acts on the
        selection and does not move it: nothing is selected afterwards, and Tab goes on from there."""
        selection = self._selection()
        if selection is None:
            self.message.emit("Select an entity first (click it, or Tab to it)")
            return
        state, item = selection
        start = item.start

        def then() -> None:  # once removed: nothing selected, Tab goes on from where it was
            self._select(None)
            self._anchor = start

        if item.pending:
            self._push(undo.DismissSuggestion(self, state.document_id, item), then=then)
        else:
            self._push(undo.RemoveSpan(self, state.document_id, item), then=then)

    @queued
    def accept_selected(self) -> None:
        """Enter: accept the selected pending suggestion alone; it stays selected (now an entity), as Delete leaves
        the selection where it was. Tab moves on."""
        selection = self._selection()
        if selection is None or not selection[1].pending:
            self.message.emit("Enter accepts a selected suggestion: Tab to one first")
            return
        state, item = selection
        self._push(undo.AcceptSuggestion(self, state.document_id, item))

    @queued
    def resize_selected(self, side: str, grow: bool) -> None:
        selection = self._selection()
        if selection is None:
            return
        state, item = selection
        bounds = self.snapper.resize(state.text, item.start, item.end, side=side, grow=grow)
        if bounds is None:
            return
        if item.pending:
            self._push(undo.AcceptSuggestion(self, state.document_id, item, bounds=bounds))
        else:
            self._push(undo.ResizeSpan(self, state.document_id, item, bounds=bounds))

    def accepted(self, item: Item) -> Item:
        """The span a pending suggestion becomes when accepted as it is: in review, the gold span is a human
        decision (who chose it among the annotators stays in the proposal)."""
        if self.review:
            return Item(item.start, item.end, item.label, Origin.human.value, None)
        return Item(item.start, item.end, item.label, item.origin, item.score)

    # ------------------------------------------------------------------ review
    def group_of_selection(self) -> list[Choice] | None:
        """The difference (alternatives that share characters) at the selected item, or None."""
        item = self.selected_item()
        if item is None or self.proposal is None:
            return None
        for group in self.proposal.groups():
            if any(c.start < item.end and c.end > item.start for c in group):
                return group
        return None

    @queued
    def pick(self, index: int) -> None:
        """Alt+1..9 in review: make alternative `index` (0-based) of the selected difference the gold span there,
        in place of whichever alternative or span is there now."""
        group = self.group_of_selection()
        if group is None:
            self.message.emit("Select a difference first (Tab to a dashed entity the annotators disagree on)")
            return
        if index >= len(group):
            self.message.emit(f"This difference has {len(group)} alternatives")
            return
        self._pick(group[index])

    @queued
    def pick_choice(self, choice: Choice) -> None:
        """Put one annotator's version of an entity into the gold annotation, in place of whatever is there."""
        self._pick(choice)

    def _pick(self, choice: Choice) -> None:
        if self.state is None:
            return
        item = Item(choice.start, choice.end, choice.label, Origin.human.value)
        there = self.state.overlapping_spans(choice.start, choice.end)
        text = f"Pick {choice.label} of {', '.join(choice.annotators)}"
        if there == [item]:
            self._select(item.key)
        elif len(there) == 1:
            self._push(undo.ChangeSpan(self, self.state.document_id, there[0], item, text))
        elif not there:
            self._push(undo.AddSpan(self, self.state.document_id, item, text))
        else:
            self.message.emit("Several entities are there now: delete them first, then pick")

    def _describe_overlap(self, exc: OverlapError) -> str:
        """The overlap in the entities' words ("Acme Corp" overlaps the ORG "Corp in Paris"), not offsets."""
        text = self.state.text if self.state else ""
        if exc.span is None or exc.other is None or not text:
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

    def show_document(self, document_id: int) -> DocumentState | None:
        """Bring a document on screen for an undo/redo. Its state when it was on screen already (the change is
        still to be shown in it); None when it was read afresh (with the change)."""
        if self.state is not None and self.state.document_id == document_id:
            return self.state
        self.want_document.emit(document_id)
        self.open_document(document_id)
        return None

    def span_added(self, document_id: int, item: Item) -> None:
        state = self.show_document(document_id)
        if state is not None:
            self._emit(state.add_span(item))
        self._select(item.key)

    def span_removed(self, document_id: int, start: int, end: int) -> None:
        state = self.show_document(document_id)
        if state is not None:
            self._emit(state.remove_span(start, end))
        if self.selected == ("span", start, end):
            self._select(None)

    def span_changed(self, document_id: int, before: Item, after: Item) -> None:
        state = self.show_document(document_id)
        if state is not None:
            delta = state.remove_span(before.start, before.end)
            delta.extend(state.add_span(after))
            self._emit(delta)
            if self.selected == after.key:  # relabelled in place: the views re-created its row, tell them again
                self.selected = None
        self._select(after.key)

    def suggestion_dismissed(self, document_id: int, item: Item, dismissed: bool) -> None:
        state = self.show_document(document_id)
        if state is not None:
            if dismissed:
                self._emit(state.dismiss(item.start, item.end, item.label))
            else:
                self._emit(state.undismiss(item.start, item.end, item.label))
                self._select(item.key)

    def status_set(self, document_id: int, status: str, added: list[Item], removed: list[Item]) -> None:
        state = self.show_document(document_id)
        if state is not None:
            delta = Delta()
            for item in removed:
                delta.extend(state.remove_span(item.start, item.end))
            delta.extend(state.add_spans(added))
            state.status = status
            if self.review:  # committed: this person settled it now
                self._reviewed_now(document_id, status)
            if delta.large():
                self._hold(state, delta)
            else:
                self._emit(delta)
        if status == Status.pending.value:
            self.decided_this_session.discard(document_id)
        else:
            self.decided_this_session.add(document_id)
        self.status_changed.emit(document_id, status)
        self.decisions_changed.emit()

    def _reviewed_now(self, document_id: int, status: str) -> None:
        """What the store now says of the gold on screen after this person's status decision (no read)."""
        before = self.reviewed.editors if self.reviewed else ()
        me = self.project.annotator
        editors = before if me in before else (*before, me)
        self.reviewed = Review(document_id, status, me, datetime.now(UTC), editors)

    def _hold(self, state: DocumentState, delta: Delta) -> None:
        """Show a large change (a document accepted with its suggestions) once the writer's chain is over, not in
        the commit's turn: after an accept the chain reads and opens the next document, which then shows itself
        whole, and the accepted one's views are not updated and repainted for nothing (~5 ms, and a paint, for
        8,333 spans); when it stays on screen (nothing left, an undo) the change is shown as the chain ends, before
        any key typed meanwhile is applied. A change shown before then shows this one first."""
        self._show_held()
        self._held = (state, delta)
        self.writer.when_over(self._show_held)

    def _show_held(self) -> None:
        held, self._held = self._held, None
        if held is not None and held[0] is self.state:  # else another document (or a fresh read) is on screen
            self._emit(held[1])

    def _emit(self, delta: Delta) -> None:
        if self._held is not None:
            self._show_held()
        if delta:
            if delta.large() and self.state is not None:
                delta.items = self.state.items()
            self.changed.emit(delta)
        if self.selected and self.state and self.state.find(self.selected) is None:
            self._select(None)

    # ------------------------------------------------------------------ notes and labels
    def set_note(self, comment: str, flag: str | None) -> None:
        """Save the annotator's comment and flag on the document on screen, through the writer like every edit
        (in its turn after a decision being saved); the version it wrote is the one this window has seen."""
        if self.state is None:
            return
        doc = self.state.document_id
        project, annotator, expected = self.project, self.annotator, self.versions.get(doc)

        def write() -> store.Written:
            with project.writing() as s:
                return store.set_note(doc, comment, flag, session=s, annotator=annotator, expected_version=expected)

        def done(written: store.Written) -> None:
            self.versions[doc] = written.version
            if self.state is not None and self.state.document_id == doc:
                self.state.note = store.DocumentNote(comment, flag)
                self.note_changed.emit(self.state.note)
            self.message.emit(f"Flagged “{flag}”" if flag else "Note saved")

        def failed(exc: BaseException) -> None:
            if isinstance(exc, StaleAnnotationError):
                self.reload_document()
                self.message.emit("This document was changed in another window: its note is shown as saved there now")
            elif isinstance(exc, TagdeskError):
                self.message.emit(f"Note not saved: {exc}")
            else:
                raise exc

        self.writer.later(lambda: self.writer.run(write, done, failed))

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
